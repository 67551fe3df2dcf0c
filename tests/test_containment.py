"""A paper's trouble stays that paper's: one per-paper pipeline, typed failures.

A fault planted in one paper's steps (an exception nobody foresaw, as a bug would raise) must
become that paper's `internal` failure in every command that drives the pipeline, while the other
papers are briefed; failures carry their kind into report.json, the summary and the exit code.
"""

from __future__ import annotations

import json
from pathlib import Path

import make_samples
import pytest
from test_batch_api import fast_polls

from pipeline.cli import main
from pipeline.models import FailureKind, PaperResult, Report
from pipeline.run import flow
from pipeline.run.failures import KINDS, exit_code

CASSETTE = make_samples.CASSETTE
FAULTY = make_samples.SAMPLES[1]  # the paper whose steps raise
N = len(make_samples.SAMPLES)


@pytest.fixture
def planted_fault(monkeypatch):
    """render_prompt raises for one paper only, in every driver (it is on every paper's path)."""
    real = flow.render_prompt

    def render(prompt, paper, model=None):
        if paper.title == FAULTY.title:
            raise RuntimeError("planted fault\nsecond line never shown")
        return real(prompt, paper, model)

    monkeypatch.setattr(flow, "render_prompt", render)


def results(out: Path) -> dict[str, dict]:
    return {r["file"]: r for r in json.loads((out / "report.json").read_text())["results"]}


def assert_only_the_faulty_paper_failed(out: Path) -> None:
    found = results(out)
    assert len(found) == N
    faulty = found[FAULTY.file]
    assert faulty["failure"] == {"kind": "internal", "detail": "internal error: RuntimeError: planted fault"}
    assert faulty["error"] == faulty["failure"]["detail"]  # report.json keeps the one line for its readers
    assert all(r["brief"]["ok"] and r["failure"] is None for f, r in found.items() if f != FAULTY.file)


def test_a_live_run_briefs_every_other_paper(samples, tmp_path, planted_fault, capsys):
    out = tmp_path / "out"
    code = main(["run", str(samples), "-o", str(out), "--cassette", str(CASSETTE)])
    assert code == 1
    assert_only_the_faulty_paper_failed(out)
    said = capsys.readouterr()
    assert f"{N - 1} briefed, 1 failed (1 internal)" in said.out
    assert f"FAILED {FAULTY.file} [internal]: internal error: RuntimeError: planted fault" in said.err
    assert "Traceback" not in said.err + said.out
    md = (out / "report.md").read_text()
    assert f"- `{FAULTY.file}`（内部错误）: paperbrief 处理这篇论文时出现内部错误：`internal error: RuntimeError: planted fault`" in md


def test_a_provider_batch_run_briefs_every_other_paper(samples, tmp_path, standin, monkeypatch, planted_fault, capsys):
    fast_polls(tmp_path, monkeypatch)
    out = tmp_path / "out"
    assert main(["run", str(samples), "-o", str(out), "--batch", "--base-url", standin.base_url, "--api-key", "k"]) == 1
    assert_only_the_faulty_paper_failed(out)
    assert "Traceback" not in capsys.readouterr().err


def test_a_fault_while_judging_a_batch_line_fails_that_paper_alone(samples, tmp_path, standin, monkeypatch, capsys):
    """The answer arrives in a batch line: judging it raises for one paper, whose line is settled as failed."""
    fast_polls(tmp_path, monkeypatch)
    real = flow.after_first

    def judge(paper, rendered, answer):
        if paper.title == FAULTY.title:
            raise KeyError("planted")
        return real(paper, rendered, answer)

    monkeypatch.setattr(flow, "after_first", judge)
    out = tmp_path / "out"
    assert main(["run", str(samples), "-o", str(out), "--batch", "--base-url", standin.base_url, "--api-key", "k"]) == 1
    found = results(out)
    assert found[FAULTY.file]["failure"]["kind"] == "internal" and "KeyError" in found[FAULTY.file]["error"]
    assert sum(r["brief"] is not None and r["brief"]["ok"] for r in found.values()) == N - 1


def test_regress_rerun_and_inspect_name_the_fault_in_one_line(samples, tmp_path, planted_fault, capsys):
    assert main(["regress", str(samples), "--cassette", str(CASSETTE)]) == 1
    said = capsys.readouterr()
    assert said.out.count("ERROR") == 1 and "error: internal error: RuntimeError: planted fault" in said.out
    assert said.out.count("pass") == N - 1

    out = tmp_path / "out"
    assert main(["run", str(samples), "-o", str(out), "--cassette", str(CASSETTE)]) == 1
    capsys.readouterr()
    assert main(["rerun", str(samples / FAULTY.file), "-o", str(out), "--cassette", str(CASSETTE)]) == 1
    said = capsys.readouterr()
    assert "internal error:" in said.out and "Traceback" not in said.err  # (the side-by-side wraps the line)
    assert results(out)[FAULTY.file]["failure"]["kind"] == "internal"

    assert main(["inspect", str(samples / FAULTY.file), "--llm", "--cassette", str(CASSETTE), "--json"]) == 1
    shown = json.loads(capsys.readouterr().out)
    assert shown["failure"] == "internal" and shown["published"]["title"] == FAULTY.title  # the rules' reading stands


def test_an_unforeseen_error_outside_a_paper_is_one_line_not_a_traceback(samples, tmp_path, monkeypatch, capsys):
    from pipeline.run import runner

    async def broken(*_args, **_kwargs):
        raise ZeroDivisionError("nobody foresaw this")

    monkeypatch.setattr(runner, "run_live", broken)
    assert main(["run", str(samples), "-o", str(tmp_path / "out"), "--cassette", str(CASSETTE)]) == 1
    err = capsys.readouterr().err
    assert err.strip() == ("paperbrief: internal error: ZeroDivisionError: nobody foresaw this "
                           "(paperbrief -v shows where)")


def test_failure_kinds_of_a_run(samples, tmp_path, capsys):
    """Each kind comes from what happened, not from the words of a message."""
    (samples / "empty.pdf").write_bytes(b"")
    make_samples.write_pdf(make_samples.SAMPLES[0].__class__(**{**vars(make_samples.SAMPLES[0]),
                                                                  "title": "A Paper Nobody Recorded"}),
                           samples / "unrecorded.pdf")
    out = tmp_path / "out"
    assert main(["run", str(samples), "-o", str(out), "--cassette", str(CASSETTE)]) == 1
    found = results(out)
    assert found["empty.pdf"]["failure"] == {"kind": "unreadable", "detail": "empty file"}
    assert found["unrecorded.pdf"]["failure"]["kind"] == "not_recorded"
    assert f"{N} briefed, 2 failed (1 unreadable, 1 not_recorded)" in capsys.readouterr().out
    report = Report.model_validate_json((out / "report.json").read_text())  # read back, kinds kept
    assert {r.failure.kind for r in report.failed} == {FailureKind.UNREADABLE, FailureKind.NOT_RECORDED}


def test_a_report_written_before_kinds_reads_back_with_the_kind_its_words_name():
    old = {"file": "a.pdf", "error": "LLM call failed: HTTP 500 from the endpoint"}
    result = PaperResult.model_validate(old)
    assert result.failure.kind == FailureKind.ENDPOINT and result.error == old["error"] and not result.ok
    assert PaperResult.model_validate({"file": "b.pdf", "error": ""}).failure is None


def test_every_kind_has_a_label_a_verdict_and_an_exit_code():
    assert set(KINDS) == set(FailureKind)
    assert {info.verdict for info in KINDS.values()} <= {"prompt", "validators", "error"}
    ok = PaperResult(file="a.pdf")
    assert exit_code([ok]) == 0
    for kind in FailureKind:
        failed = PaperResult.model_validate({"file": "b.pdf", "failure": {"kind": kind, "detail": "x"}})
        assert exit_code([ok, failed]) == KINDS[kind].exit_code == 1
