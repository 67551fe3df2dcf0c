"""A configured digest: topics, the theme, watched organisations and `run --new` (paperbrief.yaml and flags)."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import make_samples
import pytest
from pages import Elements, headless_dom, paper_page
from test_identifiers import stamped_page

from pipeline.brief.answer import answer_schema
from pipeline.brief.prompts import load_prompt, prompt_for, render_prompt
from pipeline.cli import main
from pipeline.names.watch import resolve
from pipeline.settings import Settings

TESTS = Path(make_samples.__file__).parent
TITLES = {s.file: s.title for s in make_samples.SAMPLES}
KV, PRUNE, QUIET, ECHO = (next(t for t in TITLES.values() if t.startswith(w)) for w in ("LatticeKV", "Tidal", "Quiet", "Echo"))


def config(tmp_path, monkeypatch, **values) -> None:
    path = tmp_path / "paperbrief.yaml"
    path.write_text(json.dumps(values, ensure_ascii=False), encoding="utf-8")  # JSON is YAML
    monkeypatch.setenv("PAPERBRIEF_CONFIG", str(path))


def run(folder, out, model, *extra: str) -> int:
    return main(["run", str(folder), "-o", str(out), "--base-url", model.base_url, "--api-key", "k", *extra])


def without_time(text: str) -> str:
    return re.sub(r"^生成时间: .*$", "", text, count=1, flags=re.M)


def test_without_digest_settings_the_report_and_request_are_today_s(samples, tmp_path):
    golden = TESTS / "golden" / "samples_report.md"
    out = tmp_path / "out"
    assert main(["run", str(samples), "-o", str(out), "--cassette", str(make_samples.CASSETTE)]) == 0
    assert without_time((out / "report.md").read_text(encoding="utf-8")) == without_time(golden.read_text(encoding="utf-8"))
    prompt = load_prompt()
    assert prompt_for(Settings()) == prompt  # nothing added, so the recorded cassette still answers
    assert set(answer_schema()["properties"]) == {"title", "authors", "institutions", "brief"}


def test_topics_group_the_briefs(samples, tmp_path, fake_model, monkeypatch):
    config(tmp_path, monkeypatch, topics=["量化", "剪枝", "KV缓存"])
    fake_model.topics = {KV: "KV缓存", PRUNE: "剪枝", QUIET: "量化", ECHO: "通信"}  # 通信 is none of them: 其他
    out = tmp_path / "out"
    assert run(samples, out, fake_model) == 0
    assert len(fake_model.requests) == len(make_samples.SAMPLES)  # a topic outside the list costs no repair
    body = fake_model.requests[0]["body"]
    assert '["量化", "剪枝", "KV缓存"]' in body["messages"][0]["content"]
    assert body["response_format"]["json_schema"]["schema"]["properties"]["topic"]["enum"] == ["量化", "剪枝", "KV缓存", "其他"]
    md = (out / "report.md").read_text(encoding="utf-8")
    briefs = md.split("## 论文详细信息")[0]
    headings = re.findall(r"^### (.+)$", briefs, re.M)
    assert headings == ["量化（1篇）", "剪枝（1篇）", "KV缓存（1篇）", "其他（3篇）"]
    assert briefs.index(f"#### 1. {QUIET}") < briefs.index(f"#### 2. {PRUNE}") < briefs.index(f"#### 3. {KV}")
    assert f"### 1. {QUIET}" in md.split("## 论文详细信息")[1]  # the details follow the same numbers
    report = json.loads((out / "report.json").read_text())
    topics = {r["file"]: r["brief"]["topic"] for r in report["results"]}
    assert topics[next(f for f, t in TITLES.items() if t == ECHO)] == "其他"
    html = (out / "report.html").read_text(encoding="utf-8")
    assert '<nav class="toc">' in html and '<a href="#topic-1">量化（1篇）</a>' in html
    assert 'id="topic-1"' in html and 'id="brief-1"' in html and '<a href="#brief-1">' in html
    assert "KV缓存" in (out / "report.csv").read_text(encoding="utf-8-sig")


def test_theme_leaves_off_theme_papers_out_and_lists_them(samples, tmp_path, fake_model, monkeypatch, capsys):
    config(tmp_path, monkeypatch, theme="AI推理加速")
    fake_model.off_theme = {ECHO: "毫米波通信，与推理加速无关"}
    out = tmp_path / "out"
    assert run(samples, out, fake_model) == 0
    assert "AI推理加速" in fake_model.requests[0]["body"]["messages"][0]["content"]
    md = (out / "report.md").read_text(encoding="utf-8")
    assert f"分析论文数量: {len(make_samples.SAMPLES) - 1}篇" in md
    digest, end = md.split("## 不符合本期主题的论文（1篇，未列入简报）")
    assert ECHO.split(":")[0] not in digest
    assert f"- {ECHO}: 毫米波通信，与推理加速无关" in end
    assert "1 judged off the theme" in capsys.readouterr().out
    rows = (out / "report.csv").read_text(encoding="utf-8-sig")
    assert rows.count(",否,") == 1 and rows.count(",是,") == len(make_samples.SAMPLES) - 1
    kept = tmp_path / "kept"
    assert run(samples, kept, fake_model, "--keep-all") == 0
    assert f"分析论文数量: {len(make_samples.SAMPLES)}篇" in (kept / "report.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("institution, entry", [
    ("Huawei Noah's Ark Lab", "Huawei"), ("Noah's Ark Lab", "Huawei"), ("华为诺亚方舟实验室", "Huawei"),
    ("DAMO Academy", "Alibaba"), ("Microsoft Research Asia", "Microsoft"), ("Google DeepMind", "Google"),
    ("Huawei Technologies Co., Ltd.", "Huawei"),
])
def test_a_lab_counts_for_its_company(institution, entry):
    assert resolve(entry).matches(institution)


def test_watch_by_ror_id_and_what_does_not_match():
    by_id = resolve("https://ror.org/00cmhce21")  # the registry's Huawei Technologies (China)
    assert by_id.known and by_id.name == "Huawei Technologies" and by_id.matches("Huawei Noah's Ark Lab")
    assert not resolve("Huawei").matches("Peking University")
    assert not resolve("Alibaba").matches("Ant Group")


def test_watch_opens_the_report(samples, tmp_path, fake_model, monkeypatch, caplog):
    paper_page(samples / "folded.pdf", "Folded Lanterns: Sparse Routing for Long Inputs", "Wen Li, Kai Sun", ["DAMO Academy"])
    config(tmp_path, monkeypatch, watch=["Alibaba", "Brightwave Systems", "Zorblax Labs"])
    out = tmp_path / "out"
    with caplog.at_level(logging.WARNING, logger="paperbrief"):
        assert run(samples, out, fake_model) == 0
    warned = [r.getMessage() for r in caplog.records if "watch:" in r.getMessage()]
    assert len(warned) == 2 and "Brightwave Systems" in warned[0] and "Zorblax Labs" in warned[1]  # unknown: by name only
    md = (out / "report.md").read_text(encoding="utf-8")
    head, rest = md.split("## 论文技术简报")
    assert "## 重点机构" in head
    assert re.search(r"^- Alibaba（1篇）: \d\. Folded Lanterns: Sparse Routing for Long Inputs$", head, re.M)
    assert re.search(r"^- Brightwave Systems（1篇）: \d\. LatticeKV", head, re.M)  # 'Brightwave Systems Inc.' by its name
    assert "Zorblax" not in head
    html = (out / "report.html").read_text(encoding="utf-8")
    assert html.count('<section class="brief watched"') == 2 and "重点机构：Alibaba" in html


def test_new_publishes_only_what_earlier_digests_did_not(samples, tmp_path, fake_model, capsys):
    out = tmp_path / "out"
    assert run(samples, out, fake_model) == 0  # a plain run: its digest counts as published
    stamped_page(samples / "lantern-v1.pdf", stamp="arXiv:2401.01234v1 [cs.CL] 3 Jan 2024")
    paper_page(samples / "folded.pdf", "Folded Lanterns: Sparse Routing for Long Inputs", "Wen Li, Kai Sun", ["Eastbrook University"])
    capsys.readouterr()
    assert run(samples, out, fake_model, "--new") == 0
    md = (out / "report.md").read_text(encoding="utf-8")
    assert "分析论文数量: 2篇" in md and f"本期新增 2 篇（另有 {len(make_samples.SAMPLES)} 篇已在往期发布，未再列出）" in md
    assert "Folded Lanterns" in md and "Lantern Caches" in md and KV not in md
    assert "本期新增 2 篇" in capsys.readouterr().out
    archived = sorted(p.name for p in (out / "archive").iterdir())
    assert len(archived) == 2 and all((out / "archive" / a / "report.md").is_file() for a in archived)
    # the same paper in another version (other bytes, the same arXiv id): not new; nothing else is either
    (samples / "lantern-v1.pdf").unlink()
    stamped_page(samples / "lantern-v2.pdf", stamp="arXiv:2401.01234v2 [cs.CL] 9 Feb 2024", foot="Revised edition.")
    assert run(samples, out, fake_model, "--new") == 0
    md = (out / "report.md").read_text(encoding="utf-8")
    assert "本期新增 0 篇" in md and "Lantern Caches" not in md.split("## 论文详细信息")[0]
    assert len(list((out / "archive").iterdir())) == 3


def test_new_on_a_fresh_folder_publishes_everything(samples, tmp_path, fake_model):
    out = tmp_path / "out"
    assert run(samples, out, fake_model, "--new") == 0
    md = (out / "report.md").read_text(encoding="utf-8")
    assert f"本期新增 {len(make_samples.SAMPLES)} 篇\n" in md
    assert len(list((out / "archive").iterdir())) == 1


def test_digest_keys_are_not_a_prompt_file_s(tmp_path):
    prompt = tmp_path / "p.yaml"
    prompt.write_text((TESTS.parent / "prompts" / "brief.yaml").read_text(encoding="utf-8") + "\ntopics: [量化]\n",
                      encoding="utf-8")
    with pytest.raises(Exception, match="topics: set in paperbrief.yaml"):
        load_prompt(prompt)


def test_repair_keeps_the_digest_keys(samples, tmp_path, monkeypatch):
    config(tmp_path, monkeypatch, topics=["量化"], theme="AI推理加速")
    settings = Settings.build()
    rendered = render_prompt(prompt_for(settings), _paper(samples))
    assert "另外保留键：topic、relevant、reason" in rendered.repair.repair
    assert rendered.schema["required"][-3:] == ["topic", "relevant", "reason"]


def _paper(samples):
    from pipeline.extract.pdf import extract
    from pipeline.metadata import read_metadata

    return read_metadata(extract(next(samples.glob("*.pdf"))))


@pytest.mark.slow
def test_the_table_of_contents_works_in_a_real_browser(samples, tmp_path, fake_model, monkeypatch):
    """report.html with topics and watched organisations, as Chromium builds it: the table of contents
    and the 重点机构 summary link only to places the page has, every topic and every brief among them."""
    config(tmp_path, monkeypatch, topics=["量化", "剪枝", "KV缓存"], watch=["Brightwave Systems"])
    fake_model.topics = {KV: "KV缓存", PRUNE: "剪枝", QUIET: "量化"}
    out = tmp_path / "out"
    assert run(samples, out, fake_model) == 0
    dom = headless_dom(out / "report.html", tmp_path)
    found = Elements(dom)
    ids = {v for k, v in found.attrs if k == "id"}
    links = [v[1:] for k, v in found.attrs if k == "href" and v.startswith("#")]
    assert "目录" in found.visible and "重点机构" in found.visible
    assert links and all(target in ids for target in links)  # no link to nowhere
    assert {f"brief-{n}" for n in range(1, len(make_samples.SAMPLES) + 1)} <= set(links)
    assert {"topic-1", "topic-2", "topic-3", "topic-4"} <= set(links)  # the three topics and 其他
