"""Shared fixtures: generated sample PDFs, a stand-in endpoint, an in-process fake model, and an environment with no real keys."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import make_samples  # noqa: E402
from fake_model import FakeModel, install, sample_model  # noqa: E402
from support.standin import StandIn  # noqa: E402

from pipeline import llm  # noqa: E402


def pytest_xdist_auto_num_workers(config) -> int:
    """`-n auto`: one worker per core for the quick tier (`-m "not slow"`, CPU work); four for the whole
    suite, where the slow tests wait on servers, timeouts and child processes rather than on the cores."""
    if config.getoption("markexpr", "").replace(" ", "") == "notslow":
        return max(1, os.cpu_count() or 1)
    return 4


@pytest.fixture(autouse=True)
def isolated_env(monkeypatch, tmp_path):
    """No test sees the developer's endpoint, key, model or paperbrief.yaml."""
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "PAPERBRIEF_MODEL", "OPENAI_ORG_ID", "OPENAI_PROJECT_ID"):
        monkeypatch.delenv(name, raising=False)
    empty = tmp_path / "empty-paperbrief.yaml"
    empty.write_text("# no settings\n")
    monkeypatch.setenv("PAPERBRIEF_CONFIG", str(empty))


@pytest.fixture(scope="session")
def sample_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("samples")
    make_samples.write_pdfs(folder)
    return folder


@pytest.fixture
def samples(sample_dir, tmp_path) -> Path:
    """A private copy of the sample folder a test may add files to."""
    folder = tmp_path / "in"
    folder.mkdir()
    for pdf in sample_dir.iterdir():
        (folder / pdf.name).write_bytes(pdf.read_bytes())
    return folder


@pytest.fixture
def standin():
    server = StandIn(replies={s.title: s.brief for s in make_samples.SAMPLES}, readings=make_samples.readings())
    server.start()
    yield server
    server.stop()


@pytest.fixture
def fake_model(monkeypatch) -> FakeModel:
    """The stand-in's answers in-process, at the client interface: for tests that need only answers."""
    return install(monkeypatch, sample_model())


@pytest.fixture
def virtual_waits(monkeypatch) -> list[float]:
    """Retry waits recorded instead of slept: a test checks the policy by its numbers and stays quick.

    Only for tests about outcomes; the tests of time actually slept (tests/test_hostile_endpoint.py) sleep."""
    waited: list[float] = []

    async def record(seconds: float) -> None:
        waited.append(seconds)
        await asyncio.sleep(0)

    monkeypatch.setattr(llm.LLMClient, "sleep", staticmethod(record))
    return waited


def sample_by_file(name: str) -> make_samples.Sample:
    return next(s for s in make_samples.SAMPLES if s.file == name)
