"""Every body capped, no redirect to another host, no retry of what cannot succeed (issue 27, items 2
and 8), against the stand-in turned hostile at the HTTP layer (tests/hostile_api.py)."""

from __future__ import annotations

import asyncio
import json
import resource
from pathlib import Path

import make_samples
import pytest
from hostile_api import HostileApi

from pipeline import llm
from pipeline.cli import main

FIRST = make_samples.SAMPLES[0]
OTHERS = len(make_samples.SAMPLES) - 1


@pytest.fixture
def api():
    server = HostileApi(replies={s.title: s.brief for s in make_samples.SAMPLES}, readings=make_samples.readings())
    server.start()
    yield server
    server.stop()


def _results(out: Path) -> dict[str, dict]:
    return {r["file"]: r for r in json.loads((out / "report.json").read_text())["results"]}


def _run(samples: Path, out: Path, api: HostileApi, *more: str) -> int:
    return main(["run", str(samples), "-o", str(out), "--base-url", api.base_url, "--api-key", "k", "--concurrency", "2",
                 *more])


def _title_key(sample) -> str:
    return " ".join(sample.title.split()[:2])  # the header block may wrap the title


@pytest.mark.slow
def test_a_gzip_bomb_answer_is_that_papers_failure_asked_once_and_never_inflated(samples, tmp_path, api):
    api.chat = {_title_key(FIRST): "bomb"}
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert _run(samples, tmp_path / "out", api) == 1
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    results = _results(tmp_path / "out")
    assert "larger than 4 MB" in results[FIRST.file]["error"]
    assert api.modes == ["bomb"]  # not retried: the same request would get the same answer
    assert sum(1 for r in results.values() if r["brief"] and r["brief"]["ok"]) == OTHERS
    assert grown_mb < 200  # 1 GiB inflated would show here


@pytest.mark.slow
def test_the_answer_limit_is_a_setting(samples, tmp_path, api, monkeypatch):
    config = tmp_path / "paperbrief.yaml"
    config.write_text("answer_limit_mb: 1\n")
    monkeypatch.setenv("PAPERBRIEF_CONFIG", str(config))
    api.chat = {_title_key(FIRST): "bomb"}
    api.bomb_mib = 3  # under the default 4 MB, over the 1 MB set
    assert _run(samples, tmp_path / "out", api) == 1
    assert "larger than 1 MB" in _results(tmp_path / "out")[FIRST.file]["error"]


def test_a_redirect_to_another_host_is_refused_naming_both(samples, tmp_path, api, capsys):
    api.chat = {_title_key(FIRST): "redirect"}
    assert _run(samples, tmp_path / "out", api, "--concurrency", "1") == 1
    err = capsys.readouterr().err
    assert "127.0.0.1" in err and "localhost" in err and "redirected to another host" in err
    assert api.modes == ["redirect"]


@pytest.mark.parametrize("mode", ["quota_429", "quota_200"])
def test_a_spent_quota_stops_the_run_without_retries(samples, tmp_path, api, capsys, mode):
    api.chat = {_title_key(s): mode for s in make_samples.SAMPLES}
    assert _run(samples, tmp_path / "out", api, "--concurrency", "1") == 1
    err = capsys.readouterr().err
    assert "quota is spent" in err and "Traceback" not in err
    assert len(api.modes) == 1  # asked once, not six times, and no other paper was sent after it


def test_a_refusal_is_that_papers_failure_without_retries(samples, tmp_path, api, virtual_waits):
    api.chat = {_title_key(FIRST): "refusal"}
    assert _run(samples, tmp_path / "out", api) == 1
    results = _results(tmp_path / "out")
    assert "refused" in results[FIRST.file]["error"]
    assert api.modes == ["refusal"]
    assert sum(1 for r in results.values() if r["brief"] and r["brief"]["ok"]) == OTHERS


def test_the_batch_file_splitter_bounds_each_line():
    splitter = llm._LineSplitter(100)
    good = json.dumps({"custom_id": "a", "response": {"status_code": 500}}).encode()
    long = b'{"custom_id": "b", "pad": "' + b"x" * 1000 + b'"}'
    lines = splitter.feed(good[:10]) + splitter.feed(good[10:] + b"\n" + long[:50]) + splitter.feed(long[50:] + b"\n")
    lines += splitter.feed(good + b"\n") + splitter.end()
    assert [(line.custom_id, line.final) for line in lines] == [("a", False), ("b", True), ("a", False)]
    assert "larger than" in lines[1].error


@pytest.mark.slow
def test_a_limited_stream_stops_a_bomb_after_the_limit():
    from hostile_api import gzip_bomb

    class Raw:
        def __init__(self, data: bytes) -> None:
            self.data = data

        async def __aiter__(self):
            for i in range(0, len(self.data), 65536):
                yield self.data[i:i + 65536]

        async def aclose(self) -> None:
            pass

    async def read(limit: int) -> int:
        seen = 0
        async for piece in llm._LimitedStream(Raw(gzip_bomb(b"{", 64, b"}")), limit, ["gzip"]):
            seen += len(piece)
        return seen

    with pytest.raises(llm.BodyTooLarge):
        asyncio.run(read(1 << 20))
    assert asyncio.run(read(65 << 20)) == (64 << 20) + 2
