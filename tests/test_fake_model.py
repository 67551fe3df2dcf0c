"""The in-process fake model answers as the stand-in server does, and a run on it never leaves the process."""

from __future__ import annotations

import asyncio
import json

import make_samples
import pytest
from fake_model import FakeClient, install, sample_model
from support.standin import Faults

from pipeline.cli import main
from pipeline.llm import EndpointUnusable


def briefs_of(out) -> dict[str, str]:
    data = json.loads((out / "report.json").read_text())
    return {r["file"]: r["brief"]["text"] for r in data["results"]}


def test_a_run_on_the_fake_sends_and_briefs_what_a_run_on_the_stand_in_does(samples, tmp_path, standin, monkeypatch):
    over_socket = tmp_path / "socket"
    assert main(["run", str(samples), "-o", str(over_socket), "--base-url", standin.base_url, "--api-key", "k"]) == 0
    fake = install(monkeypatch, sample_model())
    in_process = tmp_path / "fake"
    assert main(["run", str(samples), "-o", str(in_process), "--base-url", fake.base_url, "--api-key", "k"]) == 0
    assert briefs_of(in_process) == briefs_of(over_socket)
    sent = sorted(json.dumps(r["body"], sort_keys=True) for r in standin.chat_requests())
    assert sorted(json.dumps(r["body"], sort_keys=True) for r in fake.chat_requests()) == sent
    assert {r["authorization"] for r in fake.requests} == {"Bearer k"}
    assert fake.clients and all(c.closed for c in fake.clients)


def test_a_stopping_fake_client_sends_nothing():
    model = sample_model()
    client = FakeClient(model)
    client.stopping = True
    with pytest.raises(EndpointUnusable):
        asyncio.run(client.complete([{"role": "user", "content": "x"}], "m", {}))
    assert model.requests == [] and client.calls == 0


def test_a_fault_set_on_the_fake_is_refused_not_ignored(samples, tmp_path, fake_model):
    fake_model.faults = Faults(server_error=0.5)
    with pytest.raises(AssertionError, match="use the `standin` fixture"):
        fake_model.reply({"messages": []})
    with pytest.raises(TypeError):
        fake_model.start()


def test_the_fake_counts_each_papers_requests_as_a_live_endpoint_does(samples, tmp_path, fake_model, capsys):
    """Each answer the fake gives counts as one request of its paper, so the summary's first
    answers and retries read as they would against the stand-in server."""
    from pipeline.cli import main

    assert main(["run", str(samples), "-o", str(tmp_path / "o"), "--base-url", fake_model.base_url, "--api-key", "k"]) == 0
    n = len(make_samples.SAMPLES)
    assert f"{n} request(s) sent ({n} first answer(s), 0 repair(s), 0 retried)" in capsys.readouterr().out
