"""A stop that explains: whatever stops a run (an endpoint that cannot be used, Ctrl-C, a limit), the
summary is printed and the report names every paper of the run (briefed, failed with its reason,
or not tried), and the request count is what reached the endpoint. All against the stand-in or
the in-process fake model; nothing reaches the network."""

from __future__ import annotations

import json
import re
from pathlib import Path

import make_samples
import pytest
from support.standin import Faults

from pipeline.cli import main
from pipeline.models import KINDS, FailureKind

N = len(make_samples.SAMPLES)
FILES = {s.file for s in make_samples.SAMPLES}


def live(server, *extra: str) -> list[str]:
    return ["--base-url", server.base_url, "--api-key", "k", *extra]


def report_json(out: Path) -> dict:
    return json.loads((out / "report.json").read_text(encoding="utf-8"))


def kinds(report: dict) -> dict[str, str]:
    return {r["file"]: (r["failure"] or {}).get("kind", "ok") for r in report["results"]}


@pytest.mark.slow
def test_a_stop_against_a_single_slot_server_names_every_paper_and_counts_what_arrived(samples, tmp_path, standin,
                                                                                     capsys, caplog):
    """The issue's case: a one-slot server slower than --timeout. The stop prints the summary, the
    report lists all six papers (the ones whose calls met the stop as endpoint failures, the rest
    not tried) and counts exactly the requests the stand-in logged."""
    caplog.set_level("INFO")
    standin.latency, standin.single_slot = 2.0, True
    out = tmp_path / "out"
    assert main(["run", str(samples), "-o", str(out), *live(standin, "--timeout", "0.3", "--concurrency", "2")]) == 1
    said = capsys.readouterr()
    report = report_json(out)
    found = kinds(report)
    assert set(found) == FILES
    assert set(found.values()) == {"endpoint", "not_tried"}
    assert report["requests"] == len(standin.chat_requests()) == sum(r["requests"] for r in report["results"])
    summary = said.out.splitlines()
    assert len(summary) == 2 and summary[0].startswith("0 briefed, 6 failed (")
    assert f"{report['requests']} request(s) sent" in summary[1]
    assert "trying again (2 of 6)" in caplog.text  # a slow endpoint is seen working, paper by paper
    markdown = (out / "report.md").read_text(encoding="utf-8")
    assert all(f"`{name}`" in markdown for name in FILES)
    assert KINDS[FailureKind.NOT_TRIED].label in markdown


def test_an_endpoint_that_refuses_the_key_leaves_every_paper_listed(samples, tmp_path, standin, capsys):
    standin.require_key = "right"
    out = tmp_path / "out"
    assert main(["run", str(samples), "-o", str(out), *live(standin, "--concurrency", "1")]) == 1
    said = capsys.readouterr()
    found = kinds(report_json(out))
    assert set(found) == FILES
    assert list(found.values()).count("endpoint") == 1 and list(found.values()).count("not_tried") == N - 1
    assert said.out.startswith(f"0 briefed, {N} failed (1 endpoint, {N - 1} not_tried)")
    assert "every paper's line is in" in said.err


def test_ctrl_c_prints_the_summary_and_lists_the_papers_not_tried(samples, tmp_path, fake_model, monkeypatch, capsys):
    import pipeline.run.flow as flow

    real = flow.PaperFlow.answer
    answered = []

    async def answer(self, prepared, client):
        if answered:
            raise KeyboardInterrupt
        answered.append(prepared.paper.file)
        return await real(self, prepared, client)

    monkeypatch.setattr(flow.PaperFlow, "answer", answer)
    out = tmp_path / "out"
    assert main(["run", str(samples), "-o", str(out), *live(fake_model, "--concurrency", "1")]) == 130
    said = capsys.readouterr()
    found = kinds(report_json(out))
    assert set(found) == FILES and found[answered[0]] == "ok"
    assert list(found.values()).count("not_tried") == N - 1
    assert said.out.startswith(f"1 briefed, {N - 1} failed ({N - 1} not_tried)")


def test_a_compare_stopped_in_its_first_variant_writes_what_it_did(samples, tmp_path, standin, capsys, virtual_waits):
    default = make_samples.ROOT / "prompts" / "brief.yaml"
    other = tmp_path / "b.yaml"
    other.write_text(default.read_text(encoding="utf-8").replace("并写一句简报。", "并写一句周报简报。"), encoding="utf-8")
    standin.script = ["ok", "ok"] + ["drop"] * 40  # two papers briefed, then the server goes away
    out = tmp_path / "out"
    assert main(["compare", str(samples), "--prompt", str(default), "--prompt", str(other), "-o", str(out),
                 *live(standin, "--concurrency", "1")]) == 1
    err = capsys.readouterr().err
    assert "variant A: stopped: endpoint failed" in err and "could not finish variant(s) A, B" in err
    page = (out / "compare.md").read_text(encoding="utf-8")
    assert re.search(r"\| A: brief v3\.0 [^|]*（未完成：运行中止） \|", page)
    assert "未完成" in (out / "compare.html").read_text(encoding="utf-8")


def test_a_replay_says_what_it_replayed_not_requests_sent(samples, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["run", str(samples), "-o", str(out), "--cassette", str(make_samples.CASSETTE)]) == 0
    said = capsys.readouterr().out
    assert "request(s) sent" not in said
    assert re.search(rf"nothing sent: {N} replayed", said)
    lines = said.replace(str(out / "report.md"), "report.md").splitlines()
    assert len(lines) == 2 and all(len(line) < 100 for line in lines)


@pytest.mark.slow
def test_a_timeout_stop_counts_only_what_reached_the_endpoint(samples, tmp_path, standin, capsys):
    """Requests cut off by the stop before they left are not counted."""
    standin.faults = Faults(hang=1.0, hang_s=0.4)
    out = tmp_path / "out"
    assert main(["run", str(samples), "-o", str(out), *live(standin, "--timeout", "0.2", "--concurrency", "3")]) == 1
    assert report_json(out)["requests"] == len(standin.chat_requests())
