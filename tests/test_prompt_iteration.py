"""Tweak a prompt, re-run one paper, regression-test prompts against the recorded cassette."""

from __future__ import annotations

import json
from pathlib import Path

import make_samples
import yaml

from pipeline.brief.prompts import DEFAULT_PROMPT
from pipeline.cli import main

CASSETTE = make_samples.CASSETTE


def edited_prompt(tmp_path: Path, old: str, new: str) -> Path:
    text = DEFAULT_PROMPT.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "edited.yaml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def live(standin):
    return ["--base-url", standin.base_url, "--api-key", "k"]


def entries(out: Path) -> dict[str, dict]:
    return {r["file"]: r for r in json.loads((out / "report.json").read_text())["results"]}


def test_rerun_makes_one_call_and_changes_only_that_entry(samples, tmp_path, fake_model, capsys):
    out = tmp_path / "out"
    assert main(["run", str(samples), "-o", str(out), *live(fake_model)]) == 0
    before = entries(out)
    md_before = (out / "report.md").read_text()
    fake_model.replies.clear()  # answers now come from the template-based generator
    prompt = edited_prompt(tmp_path, "请读取下面这篇论文的首页信息，并写一句简报。", "请读取下面这篇论文的首页信息，并写一句准确的简报。")
    calls = len(fake_model.requests)
    target = samples / "lattice-kv.pdf"
    assert main(["rerun", str(target), "--prompt", str(prompt), "-o", str(out), *live(fake_model)]) == 0
    assert len(fake_model.requests) == calls + 1
    printed = capsys.readouterr().out
    assert "old [brief" in printed and "new [brief" in printed and "[-" in printed and "{+" in printed
    after = entries(out)
    assert set(after) == set(before)
    for name, entry in after.items():
        if name == "lattice-kv.pdf":
            assert entry["brief"]["text"] != before[name]["brief"]["text"]
            assert entry["brief"]["fingerprint"] != before[name]["brief"]["fingerprint"]
        else:
            assert entry == before[name]
    md_after = (out / "report.md").read_text()
    old_brief = before["lattice-kv.pdf"]["brief"]["text"]
    assert old_brief in md_before and old_brief not in md_after
    assert after["lattice-kv.pdf"]["brief"]["text"] in md_after
    from pipeline.run.store import RunStore

    store = RunStore(out / "runs.sqlite")
    history = [b.text for b in store.history(after["lattice-kv.pdf"]["sha256"])]
    store.close()
    assert history == [before["lattice-kv.pdf"]["brief"]["text"], after["lattice-kv.pdf"]["brief"]["text"]]
    # the same prompt again: already paid for, no call
    assert main(["rerun", str(target), "--prompt", str(prompt), "-o", str(out), *live(fake_model)]) == 0
    assert len(fake_model.requests) == calls + 1


def test_rerun_dry_run_prints_prompt_and_fingerprint_without_calling(samples, capsys):
    assert main(["rerun", str(samples / "lattice-kv.pdf"), "--dry-run"]) == 0
    printed = capsys.readouterr().out
    assert "<paper>" in printed and "LatticeKV" in printed and "fingerprint " in printed


def test_comment_edit_keeps_fingerprint_template_edit_changes_it(samples, tmp_path, capsys):
    def fingerprint(prompt: Path | None) -> str:
        args = ["rerun", str(samples / "lattice-kv.pdf"), "--dry-run"] + (["--prompt", str(prompt)] if prompt else [])
        assert main(args) == 0
        return capsys.readouterr().out.rsplit("fingerprint ", 1)[1].strip()

    comment = tmp_path / "comment.yaml"
    comment.write_text("# a new comment\n" + DEFAULT_PROMPT.read_text(encoding="utf-8"), encoding="utf-8")
    template = edited_prompt(tmp_path, "只输出一个 JSON 对象", "只输出一个 JSON 对象（UTF-8）")
    assert fingerprint(None) == fingerprint(comment) != fingerprint(template)


def test_regress_passes_on_the_recorded_cassette(samples, capsys):
    assert main(["regress", str(samples), "--cassette", str(CASSETTE), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == len(make_samples.SAMPLES)
    assert all(r["prompt_matches"] and r["validators_pass"] and r["ok"] for r in rows)


def test_regress_reports_prompt_changed_for_every_paper(samples, tmp_path, capsys):
    prompt = edited_prompt(tmp_path, "请读取下面这篇论文的首页信息，并写一句简报。", "请读取这篇论文的首页信息，并写一句简报。")
    assert main(["regress", str(samples), "--cassette", str(CASSETTE), "--prompt", str(prompt)]) == 1
    out = capsys.readouterr().out
    n = len(make_samples.SAMPLES)
    assert out.count(f"prompt changed for {n} of {n} papers, re-record: user message") == 1  # said once, counted
    assert "    prompt changed" not in out and out.count("CHANGED") == n


def test_regress_says_a_shared_system_message_or_parameter_change_once(samples, tmp_path, capsys):
    system = edited_prompt(tmp_path, "你是一名科研论文分析助手", "你是一名严谨的科研论文分析助手")
    text = system.read_text(encoding="utf-8")
    assert "max_tokens: 700" in text
    system.write_text(text.replace("max_tokens: 700", "max_tokens: 650"), encoding="utf-8")
    assert main(["regress", str(samples), "--cassette", str(CASSETTE), "--prompt", str(system)]) == 1
    out = capsys.readouterr().out
    n = len(make_samples.SAMPLES)
    assert out.count("system message:") == 1 and out.count("parameter max_tokens 700 -> 650") == 1
    assert out.count(f"prompt changed for {n} of {n} papers") == 2


def test_regress_shows_a_golden_mismatch_side_by_side(samples, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["run", str(samples), "-o", str(out), "--cassette", str(CASSETTE)]) == 0
    golden = json.loads((out / "report.json").read_text())
    first = golden["results"][0]
    recorded = first["brief"]["text"]
    first["brief"]["text"] = recorded.replace("达成了", "实现了")
    (tmp_path / "golden.json").write_text(json.dumps(golden, ensure_ascii=False))
    capsys.readouterr()
    assert main(["regress", str(samples), "--cassette", str(CASSETTE), "--golden", str(tmp_path / "golden.json"),
                 "--json"]) == 1
    rows = {r["file"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows[first["file"]]["golden_brief"] == first["brief"]["text"]
    assert main(["regress", str(samples), "--cassette", str(CASSETTE), "--golden", str(tmp_path / "golden.json")]) == 1
    said = capsys.readouterr().out
    assert "golden" in said and "replayed" in said and " │ " in said
    assert "diff: " in said and "[-实现-]{+达成+}了" in said


def test_regress_accepts_a_single_pdf(samples, capsys):
    pdf = samples / make_samples.SAMPLES[0].file
    assert main(["regress", str(pdf), "--cassette", str(CASSETTE), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["file"] for r in rows] == [pdf.name] and rows[0]["ok"]


def test_regress_flags_an_off_template_recording(samples, tmp_path, capsys):
    data = yaml.safe_load(CASSETTE.read_text(encoding="utf-8"))
    victim = make_samples.SAMPLES[1]
    edited = 0
    for interaction in data["interactions"]:
        body = interaction["response"]["body"]["string"]
        if victim.brief in body:
            interaction["response"]["body"]["string"] = body.replace(victim.brief, "这是一篇关于视频的论文")
            edited += 1
    assert edited == 1
    cassette = tmp_path / "edited.yaml"
    cassette.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert main(["regress", str(samples), "--cassette", str(cassette), "--json"]) == 1
    rows = {r["file"]: r for r in json.loads(capsys.readouterr().out)}
    assert not rows[victim.file]["validators_pass"] and rows[victim.file]["prompt_matches"]
    assert any(f.startswith("shape") for f in rows[victim.file]["failed_checks"])
    assert all(r["ok"] for name, r in rows.items() if name != victim.file)


def test_regress_compares_with_a_golden_report(samples, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["run", str(samples), "-o", str(out), "--cassette", str(CASSETTE)]) == 0
    golden = json.loads((out / "report.json").read_text())
    golden["results"][0]["brief"]["text"] = "changed"
    (tmp_path / "golden.json").write_text(json.dumps(golden, ensure_ascii=False))
    capsys.readouterr()
    assert main(["regress", str(samples), "--cassette", str(CASSETTE), "--golden", str(tmp_path / "golden.json"), "--json"]) == 1
    rows = json.loads(capsys.readouterr().out)
    assert [r["golden_matches"] for r in rows].count(False) == 1


def test_render_equals_langchain_chat_prompt_template(sample_dir):
    from langchain_core.messages import convert_to_openai_messages
    from langchain_core.prompts import ChatPromptTemplate

    from pipeline.brief.prompts import load_prompt, paper_variables, render_prompt
    from pipeline.extract.pdf import extract
    from pipeline.metadata import read_metadata

    prompt = load_prompt()
    paper = read_metadata(extract(sample_dir / "open-harbor-bench.pdf"))
    template = ChatPromptTemplate.from_messages([("system", prompt.system), ("user", prompt.user)])
    expected = convert_to_openai_messages(template.format_messages(**paper_variables(paper)))
    assert render_prompt(prompt, paper).messages == [{"role": m["role"], "content": m["content"]} for m in expected]


def test_prompt_typos_are_errors_naming_the_field(tmp_path, samples, capsys):
    bad_key = edited_prompt(tmp_path, "parameters:", "paramters:")
    assert main(["rerun", str(samples / "lattice-kv.pdf"), "--dry-run", "--prompt", str(bad_key)]) == 2
    assert "paramters: Extra inputs are not permitted" in capsys.readouterr().err
    bad_var = edited_prompt(tmp_path, "{header_text}", "{header_txt}")
    assert main(["rerun", str(samples / "lattice-kv.pdf"), "--dry-run", "--prompt", str(bad_var)]) == 2
    assert "unknown template variable(s) header_txt" in capsys.readouterr().err


def test_record_then_regress_round_trip(samples, tmp_path, standin, capsys):
    cassette = tmp_path / "mine.yaml"
    assert main(["record", str(samples), "--cassette", str(cassette),
                 "--base-url", standin.base_url, "--api-key", "rec-secret-999"]) == 0
    assert len(standin.requests) == len(make_samples.SAMPLES)
    text = cassette.read_text(encoding="utf-8")
    assert "rec-secret-999" not in text and "authorization" not in text.lower()
    capsys.readouterr()
    assert main(["regress", str(samples), "--cassette", str(cassette), "--json"]) == 0
    assert len(standin.requests) == len(make_samples.SAMPLES)  # the replay made no call


def test_regress_replays_a_recording_of_a_paper_the_rules_misread(tmp_path, standin, capsys):
    """The recorded answer read the header unlike the rules; regress checks the brief against that reading."""
    from pages import unsure_paper

    folder = tmp_path / "in"
    unsure_paper(folder, standin)
    standin.replies["Sparse Lanterns for Long Documents"] = (
        "Bellwether Institute of Optics发布了Sparse Lanterns for Long Documents论文，"
        "使用稀疏路由，解决了长文档建模的问题，达成了更好的效果。")
    cassette = tmp_path / "rec.yaml"
    assert main(["record", str(folder), "--cassette", str(cassette), "--base-url", standin.base_url, "--api-key", "k"]) == 0
    assert len(standin.requests) == 1
    capsys.readouterr()
    assert main(["regress", str(folder), "--cassette", str(cassette)]) == 0, capsys.readouterr().out
    assert len(standin.requests) == 1


def test_rerun_keeps_the_model_reading_the_run_paid_for(tmp_path, standin, capsys):
    from pages import unsure_paper

    folder = tmp_path / "in"
    unsure_paper(folder, standin)
    out = tmp_path / "out"
    live = ["--base-url", standin.base_url, "--api-key", "k"]
    assert main(["run", str(folder), "-o", str(out), *live]) == 0
    calls = len(standin.requests)
    capsys.readouterr()
    assert main(["rerun", str(folder / "p.pdf"), "-o", str(out), *live]) == 0
    assert len(standin.requests) == calls  # the same prompt on the same paper: no call
    assert "0 LLM call(s)" in capsys.readouterr().out
    paper = json.loads((out / "report.json").read_text())["results"][0]["paper"]
    assert "Bellwether Institute of Optics" in paper["institutions"]  # the stored answer's reading, not the rules'


def test_a_reruns_brief_stays_published_through_the_next_plain_run(samples, tmp_path, fake_model, capsys):
    """run, then rerun one paper with a tweaked prompt, then run again with the default prompt: the
    rerun's brief stays (the report names its prompt), no call is made, and the run says so;
    --replace-reruns puts the run's prompt's brief back, from the run store."""
    out = tmp_path / "out"
    assert main(["run", str(samples), "-o", str(out), *live(fake_model)]) == 0
    fake_model.replies.clear()
    prompt = edited_prompt(tmp_path, "请读取下面这篇论文的首页信息，并写一句简报。", "请读取下面这篇论文的首页信息，并写一句准确的简报。")
    assert main(["rerun", str(samples / "lattice-kv.pdf"), "--prompt", str(prompt), "-o", str(out), *live(fake_model)]) == 0
    rerun_brief = entries(out)["lattice-kv.pdf"]["brief"]["text"]
    calls = len(fake_model.requests)
    capsys.readouterr()
    assert main(["run", str(samples), "-o", str(out), *live(fake_model)]) == 0
    assert len(fake_model.requests) == calls  # nothing was paid for
    assert entries(out)["lattice-kv.pdf"]["brief"]["text"] == rerun_brief
    said = capsys.readouterr().out
    assert "kept 1 brief(s) an earlier rerun published with another prompt (lattice-kv.pdf)" in said
    md = (out / "report.md").read_text()
    assert rerun_brief in md and md.count("**简报提示词**") == 1 and "（rerun，指纹 " in md
    assert main(["run", str(samples), "-o", str(out), "--replace-reruns", *live(fake_model)]) == 0
    assert len(fake_model.requests) == calls  # the default prompt's brief came from the run store
    assert entries(out)["lattice-kv.pdf"]["brief"]["text"] != rerun_brief
    assert "**简报提示词**" not in (out / "report.md").read_text()


def test_regress_says_when_a_prompt_moves_a_paper_between_topics_or_off_the_theme():
    """Against a golden report, the same brief with another topic or relevance is a change worth seeing."""
    from pipeline.models import Brief, PaperResult, Usage
    from pipeline.run.regress import RegressRow, _against_golden

    def golden(topic: str, relevant: bool) -> dict:
        brief = Brief(text="b", ok=True, checks=[], attempts=1, usage=Usage(), latency_s=0.1, prompt_id="brief",
                      prompt_version="3.0", fingerprint="f", model="m", topic=topic, relevant=relevant)
        return {"s": PaperResult(file="a.pdf", sha256="s", brief=brief)}

    row = RegressRow(file="a.pdf", prompt_matches=True, validators_pass=True, brief="b", topic="剪枝", relevant=False)
    moved = _against_golden(row, "s", golden("量化", True), True)
    assert moved.golden_matches is False and moved.digest_moves == ["topic 量化 -> 剪枝", "relevant yes -> no"]
    assert _against_golden(row, "s", golden("剪枝", False), True).golden_matches is True
