"""SIGTERM is Ctrl-C (issue 27, item 9): the same orderly stop, exit 143, every answer paid for kept
(the calls in flight are awaited, not abandoned), nothing sent after it, no leaked semaphores."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
from pathlib import Path

import foreground
import make_samples
import pytest
from support.standin import StandIn
from waiting import wait_for

ROOT = make_samples.ROOT
N = len(make_samples.SAMPLES)


def _stored(out: Path) -> set[str]:
    try:
        with sqlite3.connect(out / "runs.sqlite") as db:
            return {row[0] for row in db.execute("SELECT file FROM runs")}
    except sqlite3.OperationalError:
        return set()


def _asked(requests: list[dict]) -> set[str]:
    """The sample files whose papers these chat requests carried."""
    return {s.file for s in make_samples.SAMPLES
            if any(" ".join(s.title.split()[:2]) in json.dumps(r["body"], ensure_ascii=False) for r in requests)}


@pytest.mark.slow
def test_sigterm_stops_in_order_keeping_the_answers_in_flight(samples, tmp_path):
    out = tmp_path / "out"
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI")}
    with StandIn(latency=1.5, replies={s.title: s.brief for s in make_samples.SAMPLES}) as server:
        child = subprocess.Popen(
            foreground.command("-m", "pipeline.cli", "run", str(samples), "-o", str(out), "--concurrency", "2",
                               "--base-url", server.base_url, "--api-key", "k"),
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            assert wait_for(lambda: len(server.chat_requests()) >= 2, limit=60)  # two answers on their way
            child.send_signal(signal.SIGTERM)
            _, err = child.communicate(timeout=60)
        finally:
            child.kill()
        sent = list(server.chat_requests())
    assert child.returncode == 143, err
    assert "interrupted" in err and "Traceback" not in err
    assert "leaked semaphore" not in err and "resource_tracker" not in err
    assert _asked(sent) == _stored(out)  # every request sent was answered and kept: none to buy again
    assert len(sent) < N  # and the stop was a stop
    report = json.loads((out / "report.json").read_text())
    assert {r["file"] for r in report["results"] if r["brief"]} == _stored(out)
