"""The paths users take: settings in every command, rate limits, failed recordings, inputs, keys."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import make_samples
import pytest
from support.standin import Faults

from pipeline.cli import main


def briefed(out: Path) -> list[str]:
    report = json.loads((out / "report.json").read_text())
    return sorted(r["file"] for r in report["results"] if r["brief"] and r["brief"]["ok"])


def two_papers(sample_dir: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "two"
    folder.mkdir()
    for name in ("lattice-kv.pdf", "echo-channels.pdf"):
        shutil.copy(sample_dir / name, folder / name)
    return folder


def test_regress_uses_the_settings_record_used(samples, tmp_path, standin, monkeypatch, capsys):
    prompt = tmp_path / "mine.yaml"
    prompt.write_text(Path(make_samples.ROOT / "prompts" / "brief.yaml").read_text().replace("version: \"1.1\"", "version: \"9\"")
                      .replace("请读取下面这篇论文的首页信息，并写一句简报。", "请读取下面这篇论文的首页信息，并写一句简报（周报用）。"))
    config = tmp_path / "paperbrief.yaml"
    config.write_text(f"prompt: {prompt}\n")
    monkeypatch.setenv("PAPERBRIEF_CONFIG", str(config))
    monkeypatch.setenv("PAPERBRIEF_MODEL", "deepseek-chat")
    cassette = tmp_path / "rec.yaml"
    assert main(["record", str(samples), "--cassette", str(cassette), "--base-url", standin.base_url, "--api-key", "k"]) == 0
    sent = standin.requests[0]["body"]
    assert sent["model"] == "deepseek-chat" and "周报用" in sent["messages"][-1]["content"]
    capsys.readouterr()
    assert main(["regress", str(samples), "--cassette", str(cassette)]) == 0, capsys.readouterr().out
    monkeypatch.delenv("PAPERBRIEF_MODEL")  # a different model really is a different recording
    assert main(["regress", str(samples), "--cassette", str(cassette)]) == 1
    assert "model deepseek-chat -> gpt-4o-mini" in capsys.readouterr().out


def test_rate_limits_are_pacing_not_failure(sample_dir, tmp_path, standin, virtual_waits):
    folder = two_papers(sample_dir, tmp_path)
    standin.faults = Faults(rate_limit_first=8, retry_after=1)
    out = tmp_path / "out"
    assert main(["run", str(folder), "-o", str(out), "--base-url", standin.base_url, "--api-key", "k"]) == 0
    assert briefed(out) == ["echo-channels.pdf", "lattice-kv.pdf"]
    assert sum(r["status"] == 429 for r in standin.requests) == 16
    assert len(virtual_waits) == 16 and min(virtual_waits) >= 1  # each 429 waited what Retry-After asked


def test_a_call_stops_waiting_at_the_rate_limit_wait(sample_dir, tmp_path, standin, monkeypatch, capsys):
    folder = two_papers(sample_dir, tmp_path)
    config = tmp_path / "paperbrief.yaml"
    config.write_text("rate_limit_wait: 0.3\n")
    monkeypatch.setenv("PAPERBRIEF_CONFIG", str(config))
    standin.faults = Faults(rate_limit_first=1000, retry_after=0.1)
    out = tmp_path / "out"
    assert main(["run", str(folder), "-o", str(out), "--base-url", standin.base_url, "--api-key", "k"]) == 1
    err = capsys.readouterr().err
    assert re.search(r"still rate limited \(HTTP 429\) after \d+ answers and 0\.3 s of waiting; rate_limit_wait allows 0\.3 s", err)
    assert len(standin.requests) <= 2 * 5  # each paper's call gave up after about 0.3 s of waiting


def test_a_failed_recording_leaves_the_cassette_as_it_was(samples, tmp_path, standin):
    cassette = tmp_path / "samples.yaml"
    shutil.copy(make_samples.ROOT / "tests" / "cassettes" / "samples.yaml", cassette)
    before = cassette.read_bytes()
    standin.require_key = "the-right-key"
    code = main(["record", str(samples), "--cassette", str(cassette), "--base-url", standin.base_url, "--api-key", "wrong"])
    assert code == 1
    assert cassette.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no partial recording left behind


def test_files_and_folders_mix_as_inputs(samples, sample_dir, tmp_path, capsys):
    out = tmp_path / "out"
    cassette = str(make_samples.ROOT / "tests" / "cassettes" / "samples.yaml")
    a, b = sample_dir / "lattice-kv.pdf", sample_dir / "echo-channels.pdf"
    assert main(["run", str(a), str(b), "-o", str(out), "--cassette", cassette]) == 0
    assert briefed(out) == ["echo-channels.pdf", "lattice-kv.pdf"]
    assert main(["run", str(a), str(tmp_path / "nope.pdf"), "-o", str(out), "--cassette", cassette]) == 2
    assert "nope.pdf: no such file or folder" in capsys.readouterr().err


@pytest.mark.parametrize("content, says", [
    ("interactions: [1, 2\n", "not valid YAML at line"),
    ("just: a mapping\n", "not a vcrpy cassette"),
    ("interactions:\n- request: {}\n", "interaction 1 has no request and response"),
])
def test_a_malformed_cassette_is_one_line(samples, tmp_path, capsys, content, says):
    bad = tmp_path / "bad.yaml"
    bad.write_text(content)
    assert main(["run", str(samples), "-o", str(tmp_path / "out"), "--cassette", str(bad)]) == 2
    err = capsys.readouterr().err.strip()
    assert says in err and str(bad) in err and len(err.splitlines()) == 1 and "Traceback" not in err
    assert main(["regress", str(samples), "--cassette", str(bad)]) == 2
    assert says in capsys.readouterr().err


def test_missing_or_malformed_config_is_an_error(samples, tmp_path, monkeypatch, capsys):
    cassette = str(make_samples.ROOT / "tests" / "cassettes" / "samples.yaml")
    monkeypatch.setenv("PAPERBRIEF_CONFIG", str(tmp_path / "nowhere.yaml"))
    assert main(["run", str(samples), "-o", str(tmp_path / "out"), "--cassette", cassette]) == 2
    assert "nowhere.yaml: config file not found" in capsys.readouterr().err
    config = tmp_path / "paperbrief.yaml"
    config.write_text("modle: x\n")
    monkeypatch.setenv("PAPERBRIEF_CONFIG", str(config))
    assert main(["regress", str(samples), "--cassette", cassette]) == 2
    assert "modle" in capsys.readouterr().err


def test_api_key_from_a_file_or_standard_input(sample_dir, tmp_path, standin, monkeypatch):
    import io

    folder = two_papers(sample_dir, tmp_path)
    standin.require_key = "file-key-123"
    key_file = tmp_path / "key"
    key_file.write_text("file-key-123\n")
    base = ["run", str(folder), "--base-url", standin.base_url]
    assert main(base + ["-o", str(tmp_path / "a"), "--api-key-file", str(key_file)]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("file-key-123\n"))
    assert main(base + ["-o", str(tmp_path / "b"), "--api-key-file", "-"]) == 0


def test_readers_never_fork_the_threaded_run():
    from pipeline.extract.readers import PdfReaders

    readers = PdfReaders(1)
    try:
        assert readers.pool._mp_context.get_start_method() in ("forkserver", "spawn")
    finally:
        readers.close()


def test_an_answer_paid_for_is_stored_whatever_stops_the_run(sample_dir, tmp_path, standin):
    import sqlite3

    folder = tmp_path / "one"
    folder.mkdir()
    shutil.copy(sample_dir / "lattice-kv.pdf", folder / "lattice-kv.pdf")
    standin.script = ["off_template", "unauthorized"]  # the repair request meets a revoked key
    out = tmp_path / "out"
    assert main(["run", str(folder), "-o", str(out), "--base-url", standin.base_url, "--api-key", "k"]) == 1
    rows = sqlite3.connect(out / "runs.sqlite").execute("SELECT ok, brief_json, prompt_tokens FROM runs").fetchall()
    assert len(rows) == 1 and rows[0][0] == 0 and rows[0][2] > 0
    assert json.loads(rows[0][1])["text"] == "我无法按要求回答。"


@pytest.mark.slow
def test_a_script_piped_to_python_can_run_a_batch(sample_dir, tmp_path):
    """Reader processes import the parent's main module; a piped script has none on disk."""
    import subprocess
    import sys

    cassette = make_samples.ROOT / "tests" / "cassettes" / "samples.yaml"
    script = (f"from pipeline.cli import main\nraise SystemExit(main(['run', {str(sample_dir / 'lattice-kv.pdf')!r}, "
              f"'-o', {str(tmp_path / 'out')!r}, '--cassette', {str(cassette)!r}]))\n")
    done = subprocess.run([sys.executable, "-"], input=script, capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert briefed(tmp_path / "out") == ["lattice-kv.pdf"]
