"""The batch end to end: against the stand-in server (faults injected) and the recorded cassette."""

from __future__ import annotations

import json
import re

import make_samples
import pytest
from support.standin import Faults

from pipeline.cli import main

CASSETTE = make_samples.CASSETTE


def run(args: list[str]) -> int:
    return main(args)


def live(standin, *extra: str) -> list[str]:
    return ["--base-url", standin.base_url, "--api-key", "test-secret-key-123", *extra]


def test_cassette_replay_writes_the_reference_format(samples, tmp_path, capsys):
    out = tmp_path / "out"
    assert run(["run", str(samples), "-o", str(out), "--cassette", str(CASSETTE), "--title", "周报"]) == 0
    md = (out / "report.md").read_text()
    assert md.startswith("# 周报\n生成时间: ")
    assert re.search(r"^生成时间: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d$", md, re.M)
    assert f"分析论文数量: {len(make_samples.SAMPLES)}篇" in md
    titles = sorted((s.title for s in make_samples.SAMPLES), key=str.casefold)
    brief_part, detail_part = md.split("## 论文详细信息")
    assert "## 论文技术简报" in brief_part
    for i, title in enumerate(titles, 1):
        assert f"### {i}. {title}" in brief_part and f"### {i}. {title}" in detail_part
    for sample in make_samples.SAMPLES:
        assert sample.brief in brief_part
    assert detail_part.count("**主要机构**: ") == len(titles)
    assert "**作者数量**: 14人" in detail_part and "**摘要**:" in detail_part
    assert "**主要机构**: \n" not in detail_part
    data = json.loads((out / "report.json").read_text())
    assert data["prompt_id"] == "brief" and len(data["results"]) == len(titles)
    assert all(r["brief"]["ok"] and r["brief"]["usage"]["prompt_tokens"] > 0 for r in data["results"])


def test_cassette_holds_no_secret():
    text = CASSETTE.read_text()
    assert "authorization" not in text.lower()
    assert "sample-recording-key" not in text


def test_faults_429_and_500_still_brief_every_paper(samples, tmp_path, standin, virtual_waits):
    standin.faults = Faults(rate_limit=0.2, server_error=0.1, retry_after=0.01)
    standin.script = ["rate_limit", "server_error", "rate_limit", "server_error"]
    assert run(["run", str(samples), "-o", str(tmp_path / "out"), *live(standin)]) == 0
    outcomes = [r["outcome"] for r in standin.requests]
    assert "rate_limit" in outcomes and "server_error" in outcomes
    assert standin.completed == len(make_samples.SAMPLES)
    failed = sum(r["status"] != 200 for r in standin.requests)
    assert len(virtual_waits) == failed and min(virtual_waits) >= 0.25  # each failure waited before the next try


def test_off_template_twice_is_a_listed_failure(samples, tmp_path, fake_model, capsys):
    bad = make_samples.SAMPLES[0]
    fake_model.always_off_template = {bad.title}
    out = tmp_path / "out"
    assert run(["run", str(samples), "-o", str(out), *live(fake_model)]) == 1
    asked = [r for r in fake_model.requests if bad.title.split(":")[0] in json.dumps(r["body"], ensure_ascii=False)]
    assert len(asked) == 2  # the first answer and one repair attempt, no more
    assert "上一条回答有以下问题" in asked[1]["body"]["messages"][-1]["content"]
    md = (out / "report.md").read_text()
    assert f"分析论文数量: {len(make_samples.SAMPLES) - 1}篇" in md
    assert f"- `{bad.file}`（未通过检查）: 修复请求后，简报仍未通过检查：不符合“&lt;机构&gt;发布了" in md
    assert "这篇论文很有意思" not in md
    assert f"FAILED {bad.file}" in capsys.readouterr().err


def test_second_run_is_free(samples, tmp_path, fake_model):
    out = tmp_path / "out"
    assert run(["run", str(samples), "-o", str(out), *live(fake_model)]) == 0
    first = len(fake_model.requests)
    assert run(["run", str(samples), "-o", str(out), *live(fake_model)]) == 0
    assert len(fake_model.requests) == first


def test_secret_never_reaches_outputs(samples, tmp_path, fake_model):
    out = tmp_path / "out"
    assert run(["run", str(samples), "-o", str(out), *live(fake_model)]) == 0
    assert fake_model.requests[0]["authorization"] == "Bearer test-secret-key-123"  # it was really sent
    for path in out.iterdir():
        assert b"test-secret-key-123" not in path.read_bytes(), path


def test_no_endpoint_is_a_one_line_usage_error(samples, tmp_path, capsys):
    assert run(["run", str(samples), "-o", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "OPENAI_API_KEY" in err and "--cassette" in err


def test_bad_files_are_listed_and_the_batch_goes_on(samples, tmp_path, fake_model):
    (samples / "broken.pdf").write_text("not a pdf at all")
    (samples / "empty.pdf").write_bytes(b"")
    (samples / "copy of lattice.pdf").write_bytes((samples / "lattice-kv.pdf").read_bytes())
    out = tmp_path / "out"
    assert run(["run", str(samples), "-o", str(out), *live(fake_model)]) == 1
    data = json.loads((out / "report.json").read_text())
    by_file = {r["file"]: r for r in data["results"]}
    assert by_file["broken.pdf"]["error"] == "not a PDF (no %PDF header)"
    assert by_file["empty.pdf"]["error"] == "empty file"
    duplicate = by_file["copy of lattice.pdf"]["duplicate_of"] or by_file["lattice-kv.pdf"]["duplicate_of"]
    assert duplicate in ("lattice-kv.pdf", "copy of lattice.pdf")
    assert fake_model.completed == len(make_samples.SAMPLES)  # the duplicate cost nothing
    md = (out / "report.md").read_text()
    assert md.count("LatticeKV: Paged") == 2  # once in briefs, once in details
    assert "## 重复文件（1个" in md


def test_inspect_prints_the_fields_as_json(sample_dir, capsys):
    assert run(["inspect", str(sample_dir / "open-harbor-bench.pdf"), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {"title", "authors", "author_count", "institutions", "abstract"} <= set(data)
    assert data["author_count"] == 14 and data["institutions"][0] == "Riverside College of Arts"


def test_config_file_is_read_and_flags_win(samples, tmp_path, fake_model, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PAPERBRIEF_CONFIG")  # the default: paperbrief.yaml in the working directory
    (tmp_path / "paperbrief.yaml").write_text(f"base_url: {fake_model.base_url}\ntitle: 配置文件标题\nmodel: from-config\n")
    monkeypatch.setenv("OPENAI_API_KEY", "k")
    out = tmp_path / "out"
    assert run(["run", str(samples), "-o", str(out), "--model", "from-flag"]) == 0
    assert (out / "report.md").read_text().startswith("# 配置文件标题\n")
    assert {r["body"]["model"] for r in fake_model.requests} == {"from-flag"}


def test_config_file_typo_is_a_usage_error(samples, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PAPERBRIEF_CONFIG")
    (tmp_path / "paperbrief.yaml").write_text("concurency: 4\n")
    assert run(["run", str(samples), "-o", str(tmp_path / "out"), "--api-key", "k"]) == 2
    assert "paperbrief.yaml" in capsys.readouterr().err


@pytest.mark.slow  # 0.2 s answers, waited for real
def test_concurrency_bound_is_used_and_never_exceeded(samples, tmp_path, standin):
    standin.latency = 0.2
    assert run(["run", str(samples), "-o", str(tmp_path / "out"), "--concurrency", "2", *live(standin)]) == 0
    assert standin.max_in_flight == 2


def test_progress_counts_the_pdfs_read_as_well_as_the_briefs(samples, tmp_path, caplog):
    """Off a terminal, the run's log says how many PDFs are read (every tenth and the last), beside
    a line per paper briefed: a folder being read is no silent wait."""
    import logging

    caplog.set_level(logging.INFO, logger="paperbrief")
    assert main(["run", str(samples), "-o", str(tmp_path / "out"), "--cassette", str(CASSETTE)]) == 0
    lines = [r.getMessage() for r in caplog.records]
    n = len(make_samples.SAMPLES)
    assert f"read {n}/{n} PDF(s)" in lines
    assert sum(1 for line in lines if re.match(rf"\[\d+/{n}\] ", line)) == n


def test_log_lines_print_above_the_bar_on_a_terminal(monkeypatch):
    """While the bar shows, a log line (a retry's note) goes through the bar's own writer, so it prints
    above the bar instead of over it; the run's handler is back once the bar closes."""
    import io
    import logging
    import sys

    from pipeline.run.progress import Progress

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    err = Terminal()
    monkeypatch.setattr(sys, "stderr", err)
    log = logging.getLogger("paperbrief")
    handler = logging.StreamHandler(err)
    log.addHandler(handler)
    try:
        progress = Progress(total=2)
        assert handler not in log.handlers  # tqdm's writer stands in for it while the bar shows
        log.warning("a.pdf: request timed out after 60 s; trying again (2 of 6)")
        progress.close()
        assert handler in log.handlers
    finally:
        log.removeHandler(handler)
    assert "trying again (2 of 6)" in err.getvalue()
