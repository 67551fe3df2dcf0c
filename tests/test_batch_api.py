"""The provider's Batch API against the stand-in's files and batches endpoints."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import make_samples
import pytest
from support.standin import Faults

from pipeline.cli import main

N = len(make_samples.SAMPLES)


def fast_polls(tmp_path: Path, monkeypatch, **more) -> None:
    config = tmp_path / "paperbrief.yaml"
    config.write_text("batch_poll: 0.05\n" + "".join(f"{k}: {v}\n" for k, v in more.items()))
    monkeypatch.setenv("PAPERBRIEF_CONFIG", str(config))


def submitted_lines(standin) -> list[dict]:
    inputs = {b["input_file_id"] for b in standin.batches.values()}
    return [json.loads(line) for file_id in sorted(inputs) for line in standin.files[file_id].splitlines()]


def kill_once_waiting(args: list[str], standin) -> None:
    """Start the run in a process of its own and kill it once its batch is created and stored."""
    child = subprocess.Popen([sys.executable, "-m", "pipeline.cli", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.time() + 60
        while not standin.batches and time.time() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)  # the batch is stored; the run is waiting on it
    finally:
        child.kill()
        child.wait()


def outcome(out: Path) -> dict[str, dict]:
    return {r["file"]: r for r in json.loads((out / "report.json").read_text())["results"]}


def test_a_batch_run_briefs_every_paper_with_one_request_each(samples, tmp_path, standin, monkeypatch, capsys):
    fast_polls(tmp_path, monkeypatch)
    out = tmp_path / "out"
    assert main(["run", str(samples), "-o", str(out), "--batch", "--base-url", standin.base_url, "--api-key", "k"]) == 0
    lines = submitted_lines(standin)
    assert len(standin.batches) == 1 and len(lines) == N
    assert len({line["custom_id"] for line in lines}) == N
    assert all(line["url"] == "/v1/chat/completions" and line["body"]["messages"] for line in lines)
    assert all(r["brief"]["ok"] for r in outcome(out).values())
    assert not [r for r in standin.requests if r["path"].endswith("/chat/completions")]  # no live call at all
    said = capsys.readouterr().out
    assert f"{N} briefed, 0 failed through provider batches" in said and "at batch prices" in said
    assert f"{N} request(s) sent by this run" in said
    report = json.loads((out / "report.json").read_text())
    assert report["batch_cost_usd"] > 0


def test_large_inputs_are_split_at_the_limits(samples, tmp_path, standin, monkeypatch):
    fast_polls(tmp_path, monkeypatch, batch_max_lines=4)
    out = tmp_path / "out"
    assert main(["run", str(samples), "-o", str(out), "--batch", "--base-url", standin.base_url, "--api-key", "k"]) == 0
    sizes = sorted(len(standin.files[b["input_file_id"]].splitlines()) for b in standin.batches.values())
    assert sizes == [N - 4, 4]


def test_failed_expired_and_off_template_lines_end_as_briefs_or_listed_failures(samples, tmp_path, standin, monkeypatch):
    fast_polls(tmp_path, monkeypatch, attempts=2)
    standin.faults = Faults(batch_failed=0.25, batch_expired=0.25)
    stubborn = make_samples.SAMPLES[0].title
    standin.always_off_template.add(stubborn)
    out = tmp_path / "out"
    code = main(["run", str(samples), "-o", str(out), "--batch", "--base-url", standin.base_url, "--api-key", "k"])
    results = outcome(out)
    assert len(results) == N and code == 1
    assert len(standin.batches) >= 2  # follow-up batches carried the repairs and the lost lines
    for result in results.values():  # never silently dropped: a brief, or a failure with its reason
        assert (result["brief"] and result["brief"]["ok"]) or result["error"]
    stubborn_file = next(s.file for s in make_samples.SAMPLES if s.title == stubborn)
    assert "failed checks" in results[stubborn_file]["error"] or "batch" in results[stubborn_file]["error"]
    md = (out / "report.md").read_text()
    assert "这篇论文很有意思" not in md


@pytest.mark.slow
def test_a_run_killed_while_waiting_resumes_without_submitting_again(samples, tmp_path, standin, monkeypatch):
    fast_polls(tmp_path, monkeypatch)
    standin.faults = Faults(batch_delay=3.0)
    out = tmp_path / "out"
    args = ["run", str(samples), "-o", str(out), "--batch", "--base-url", standin.base_url, "--api-key", "k"]
    kill_once_waiting(args, standin)
    assert len(standin.batches) == 1
    store = sqlite3.connect(out / "runs.sqlite")
    assert store.execute("SELECT count(*) FROM batch_requests WHERE state='pending'").fetchone()[0] == N
    assert main(args) == 0
    assert len(standin.batches) == 1  # nothing new was submitted
    assert all(r["brief"]["ok"] for r in outcome(out).values())
    assert main(args) == 0 and len(standin.batches) == 1  # and a third run finds everything briefed


@pytest.mark.slow
def test_status_and_cancel(samples, tmp_path, standin, monkeypatch, capsys):
    fast_polls(tmp_path, monkeypatch)
    standin.faults = Faults(batch_delay=60.0)
    out = tmp_path / "out"
    args = ["run", str(samples), "-o", str(out), "--batch", "--base-url", standin.base_url, "--api-key", "k"]
    kill_once_waiting(args, standin)
    live = ["--base-url", standin.base_url, "--api-key", "k"]
    capsys.readouterr()
    assert main(["status", str(out), *live]) == 0
    assert "in_progress" in capsys.readouterr().out
    assert main(["cancel", str(out), *live]) == 0
    assert "cancelled" in capsys.readouterr().out
    assert next(iter(standin.batches.values()))["status"] == "cancelled"
    assert main(["status", str(out), *live]) == 0
    assert "cancelled" in capsys.readouterr().out


def test_repair_live_asks_the_repair_with_a_live_call(samples, tmp_path, standin, monkeypatch):
    fast_polls(tmp_path, monkeypatch)
    stubborn = make_samples.SAMPLES[0]
    standin.always_off_template.add(stubborn.title)
    out = tmp_path / "out"
    code = main(["run", str(samples), "-o", str(out), "--batch", "--repair", "live",
                 "--base-url", standin.base_url, "--api-key", "k"])
    assert code == 1 and len(standin.batches) == 1  # no follow-up batch
    live = [r for r in standin.requests if r["path"].endswith("/chat/completions")]
    assert len(live) == 1 and len(live[0]["body"]["messages"]) == 4  # the one repair, asked live
    results = outcome(out)
    assert "failed checks twice" in results[stubborn.file]["error"]
    assert sum(1 for r in results.values() if r["brief"] and r["brief"]["ok"]) == N - 1
    sent = len(submitted_lines(standin)) + len(live)  # what the endpoint was sent: the batch's lines and the live repair
    assert json.loads((out / "report.json").read_text())["requests"] == sent == N + 1


def test_a_live_answer_and_a_batch_answer_that_fail_alike_get_the_same_repair_request(samples, tmp_path, standin,
                                                                                     monkeypatch):
    fast_polls(tmp_path, monkeypatch)
    bad = make_samples.SAMPLES[2]
    standin.always_off_template = {bad.title}
    mark = bad.title.split(":")[0]  # the header block may wrap the title
    endpoint = ["--base-url", standin.base_url, "--api-key", "k"]
    assert main(["run", str(samples), "-o", str(tmp_path / "live"), *endpoint]) == 1
    live = [r["body"] for r in standin.requests
            if r["path"].endswith("/chat/completions") and mark in json.dumps(r["body"], ensure_ascii=False)]
    assert len(live) == 2  # the first answer and its repair
    standin.requests.clear()
    assert main(["run", str(samples), "-o", str(tmp_path / "batch"), "--batch", *endpoint]) == 1
    lines = [line["body"] for line in submitted_lines(standin) if mark in json.dumps(line["body"], ensure_ascii=False)]
    assert len(lines) == 2
    assert lines[1]["messages"] == live[1]["messages"]  # word for word: one brief path decides the repair
    assert {k: v for k, v in lines[1].items() if k != "messages"} == {k: v for k, v in live[1].items() if k != "messages"}
    reasons = {name: outcome(tmp_path / name)[bad.file]["error"] for name in ("live", "batch")}
    assert reasons["live"] == reasons["batch"] and reasons["live"].startswith("brief failed checks twice")
