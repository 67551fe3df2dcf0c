"""One run against everything at once: hostile files in the folder and a hostile endpoint for four
papers. It ends by itself, briefs every good paper, names every bad one, stays small, leaks no key."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import hostile
import make_samples
import pytest
from hostile_endpoint import Hostile
from pages import abstract_rows, draw

pytest.importorskip("reportlab")

KEY = "sk-combined-run-secret-5f1e2d3c4b5a"
TWIN_TITLE = "Harbor Lights: A Second Paper Under a Shared Name"


def _tree_rss_mb(root: int) -> float:
    """Resident memory of a process and all its descendants (Linux /proc)."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
        pid = int(status.parent.name)
        parents[pid] = int(fields.get("PPid", "0").strip())
        rss[pid] = int(fields.get("VmRSS", "0 kB").split()[0]) if "VmRSS" in fields else 0
    tree, grown = {root}, True
    while grown:
        more = {pid for pid, parent in parents.items() if parent in tree} - tree
        tree |= more
        grown = bool(more)
    return sum(rss.get(pid, 0) for pid in tree) / 1024


def _folders(tmp_path: Path, sample_dir: Path) -> tuple[Path, Path]:
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    for sample in make_samples.SAMPLES:
        shutil.copy(sample_dir / sample.file, first / sample.file)
    os.mkfifo(first / "pipe.pdf")
    hostile.bomb_pdf(first / "bomb.pdf", megabytes=1024)
    same_name = make_samples.SAMPLES[0].file  # another paper under a name the first folder uses
    draw(second / same_name, [(TWIN_TITLE, 16, "c", 80), ("Ada Quill^1", 11, "c", 105),
                              ("^1University of Westmarch", 9, "c", 122), *abstract_rows(160)])
    return first, second


@pytest.mark.slow
def test_a_run_against_everything_at_once_ends_by_itself_and_keeps_what_it_can(sample_dir, tmp_path):
    first, second = _folders(tmp_path, sample_dir)
    samples = make_samples.SAMPLES
    bad = {"html": samples[1], "429_zero": samples[2], "drip": samples[3], "key_error": samples[4]}
    good = [samples[0], samples[5]]
    config = tmp_path / "paperbrief.yaml"
    config.write_text("rate_limit_wait: 3\nattempts: 2\nreader_memory_mb: 400\n")
    out = tmp_path / "out"
    env = {**os.environ, "PAPERBRIEF_CONFIG": str(config), "OPENAI_API_KEY": KEY}
    with Hostile(key=KEY, status=422, targets={s.title.split(":")[0]: mode for mode, s in bad.items()},
                 replies={s.title: s.brief for s in make_samples.SAMPLES},
                 readings={TWIN_TITLE: {"authors": ["Ada Quill"], "institutions": ["University of Westmarch"]}}) as server:
        start = time.monotonic()
        run = subprocess.Popen([sys.executable, "-m", "pipeline.cli", "run", str(first), str(second), "-o", str(out),
                                "--base-url", server.base_url, "--timeout", "2"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                               cwd=make_samples.ROOT)
        peak, done = [0.0], threading.Event()

        def sample() -> None:
            while not done.is_set():
                peak[0] = max(peak[0], _tree_rss_mb(run.pid))
                done.wait(0.1)

        watcher = threading.Thread(target=sample, daemon=True)
        watcher.start()
        try:
            stdout, stderr = run.communicate(timeout=120)
        finally:
            done.set()
            run.kill()
        wall = time.monotonic() - start
    assert run.returncode == 1 and wall < 120 and "Traceback" not in stderr, stderr
    assert peak[0] < 2048
    results = {r["file"]: r for r in json.loads((out / "report.json").read_text(encoding="utf-8"))["results"]}
    for sample in good:
        assert results[f"a/{sample.file}" if sample is make_samples.SAMPLES[0] else sample.file]["brief"]["ok"]
    assert results[f"b/{make_samples.SAMPLES[0].file}"]["paper"]["title"] == TWIN_TITLE
    assert results[f"b/{make_samples.SAMPLES[0].file}"]["brief"]["ok"]
    assert "not a regular file" in results["pipe.pdf"]["error"]
    assert results["bomb.pdf"]["error"] == "reading needed more than 400 MB"
    reasons = {mode: results[s.file]["error"] for mode, s in bad.items()}
    assert "not a chat completion" in reasons["html"]
    assert "rate limited (HTTP 429)" in reasons["429_zero"]
    assert "timed out" in reasons["drip"]
    assert "HTTP 422" in reasons["key_error"]
    for name in ("pipe.pdf", "bomb.pdf", *(s.file for s in bad.values())):
        assert f"FAILED {name}" in stderr
    assert KEY not in stdout + stderr
    for path in out.iterdir():
        if path.is_file():
            assert KEY.encode() not in path.read_bytes(), path
