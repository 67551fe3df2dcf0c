"""The output folder is ours (issue 27, item 5): the lock file is never followed through a symbolic
link nor blocks on a FIFO, a full disk names the file, report files keep the folder's usual
permissions, and a read-only folder still allows status and the --dry-runs.

Tests run as root, where permission bits stop nothing: a read-only folder and a full disk are made
for real in a mount namespace of the test's own (unshare), and those tests are skipped without it."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import make_samples
import pytest

from pipeline.cli import main

ROOT = make_samples.ROOT
CASSETTE = ROOT / "tests" / "cassettes" / "samples.yaml"


def _namespaces_work() -> bool:
    if not shutil.which("unshare"):
        return False
    return subprocess.run(["unshare", "-rm", "true"], capture_output=True).returncode == 0


needs_namespace = pytest.mark.skipif(not _namespaces_work(), reason="needs unshare -rm (a mount namespace)")


def _in_namespace(mount: str, argv: list[str]) -> subprocess.CompletedProcess:
    """`python -m pipeline.cli ARGV` in a mount namespace where `mount` (shell code) ran first."""
    cli = " ".join(f"'{a}'" for a in [sys.executable, "-m", "pipeline.cli", *argv])
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI")}
    return subprocess.run(["unshare", "-rm", "sh", "-c", f"{mount} && exec {cli}"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def _run_with_cassette(samples: Path, out: Path) -> int:
    return main(["run", str(samples), "-o", str(out), "--cassette", str(CASSETTE)])


def test_a_lock_file_that_is_a_symbolic_link_is_not_followed(samples, tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    (out / ".paperbrief.lock").symlink_to(victim)
    assert _run_with_cassette(samples, out) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and ".paperbrief.lock" in err and "symbolic link" in err
    assert victim.read_text() == "precious\n"
    assert not (out / "report.md").exists()


def test_a_lock_file_that_is_a_fifo_is_refused_by_name(samples, tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    os.mkfifo(out / ".paperbrief.lock")
    assert _run_with_cassette(samples, out) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and str(out / ".paperbrief.lock") in err and "not a regular file" in err


def test_report_files_have_the_folders_usual_permissions(samples, tmp_path):
    out = tmp_path / "out"
    old = os.umask(0o022)
    try:
        assert _run_with_cassette(samples, out) == 0
    finally:
        os.umask(old)
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in out.iterdir() if not p.name.startswith(".")}
    assert modes["report.md"] == modes["report.html"] == modes["report.json"] == 0o644
    assert modes["runs.sqlite"] == 0o644


@pytest.mark.slow
@needs_namespace
def test_a_full_disk_names_the_file(samples, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    fill = f"mount -t tmpfs -o size=64k tmpfs '{out}' && (cat /dev/zero > '{out}/filler' 2>/dev/null; true)"
    done = _in_namespace(fill, ["run", str(samples), "-o", str(out), "--cassette", str(CASSETTE)])
    assert done.returncode == 2, done.stderr
    line = done.stderr.strip()
    assert len(line.splitlines()) == 1 and "Traceback" not in line
    assert f"{out}/" in line and ("No space left" in line or "disk full" in line), line


@pytest.mark.slow
@needs_namespace
def test_a_read_only_folder_allows_status_and_the_dry_runs(samples, tmp_path):
    out = tmp_path / "out"
    assert _run_with_cassette(samples, out) == 0
    before = sorted(p.name for p in out.iterdir())
    read_only = f"mount --bind '{out}' '{out}' && mount -o remount,bind,ro '{out}'"
    pdf = str(samples / make_samples.SAMPLES[0].file)
    for argv in (["status", str(out)],
                 ["rerun", pdf, "-o", str(out), "--dry-run"],
                 ["compare", str(samples), "--model", "a", "--model", "b", "-o", str(out), "--dry-run"]):
        done = _in_namespace(read_only, argv)
        assert done.returncode == 0, (argv[0], done.stderr)
    assert sorted(p.name for p in out.iterdir()) == before


@pytest.mark.slow
@needs_namespace
def test_a_read_only_folder_refuses_a_run_by_name(samples, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    read_only = f"mount --bind '{out}' '{out}' && mount -o remount,bind,ro '{out}'"
    done = _in_namespace(read_only, ["run", str(samples), "-o", str(out), "--cassette", str(CASSETTE)])
    assert done.returncode == 2 and str(out) in done.stderr and "Traceback" not in done.stderr
