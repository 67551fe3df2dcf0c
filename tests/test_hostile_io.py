"""Hostile files, folders and settings (issue 18): every reader bounded, a paper is its content,
the store and the output folder guarded, every bad setting one line, no control character in
terminal or HTML output. The hostile inputs are made here; nothing reaches the network."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import foreground
import hostile
import make_samples
import pytest
from support.standin import StandIn
from waiting import wait_for

from pipeline.cli import main

ROOT = Path(__file__).resolve().parent.parent
CASSETTE = ROOT / "tests" / "cassettes" / "samples.yaml"
N = len(make_samples.SAMPLES)


def results(out: Path) -> dict[str, dict]:
    return {r["file"]: r for r in json.loads((out / "report.json").read_text())["results"]}


def settings_file(tmp_path: Path, monkeypatch, text: str) -> Path:
    config = tmp_path / "paperbrief.yaml"
    config.write_text(text)
    monkeypatch.setenv("PAPERBRIEF_CONFIG", str(config))
    return config


def cli(*args: str, timeout: float = 90, env: dict | None = None) -> subprocess.CompletedProcess:
    """The CLI in a process of its own, so a regression that hangs fails the test instead of CI."""
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("OPENAI")}, **(env or {})}
    return subprocess.run([sys.executable, "-m", "pipeline.cli", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=timeout)


def one_line_error(err: str) -> str:
    lines = [line for line in err.splitlines() if line.startswith("paperbrief:")]
    assert "Traceback" not in err and len(lines) == 1, err
    return lines[0]


# -- every reader is bounded -------------------------------------------------------------------

@pytest.mark.slow
def test_a_fifo_named_pdf_is_a_named_bad_input_and_the_run_ends(samples, tmp_path):
    os.mkfifo(samples / "x.pdf")
    out = tmp_path / "out"
    done = cli("run", str(samples), "-o", str(out), "--cassette", str(CASSETTE), timeout=60)
    assert done.returncode == 1, done.stderr
    entries = results(out)
    assert entries["x.pdf"]["error"] == "not a regular file"
    assert all(entries[s.file]["brief"]["ok"] for s in make_samples.SAMPLES)


class _PeakMemory:
    """The largest resident size seen among a process's descendants, sampled from /proc."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak_mb, self.stop = pid, 0, False
        self.thread = threading.Thread(target=self._watch, daemon=True)
        self.thread.start()

    def _watch(self) -> None:
        while not self.stop:
            parents, rss = {}, {}
            for proc in Path("/proc").iterdir():
                try:
                    status = (proc / "status").read_text()
                except OSError:
                    continue
                fields = dict(line.split(":\t", 1) for line in status.splitlines() if ":\t" in line)
                if proc.name.isdigit():
                    parents[int(proc.name)] = int(fields.get("PPid", "0"))
                    rss[int(proc.name)] = int(fields.get("VmRSS", "0 kB").split()[0]) // 1024
            for pid, size in rss.items():
                ancestor, hops = parents.get(pid), 0
                while ancestor and ancestor != self.pid and hops < 8:
                    ancestor, hops = parents.get(ancestor), hops + 1
                if ancestor == self.pid:
                    self.peak_mb = max(self.peak_mb, size)
            time.sleep(0.02)


@pytest.fixture(scope="module")
def bomb(tmp_path_factory) -> Path:
    """1 MB on disk; page 1's content stream inflates to 1 GiB."""
    return hostile.bomb_pdf(tmp_path_factory.mktemp("bomb") / "bomb.pdf", megabytes=1024)


@pytest.mark.slow
def test_a_decompression_bomb_fails_its_paper_and_the_reader_stays_under_the_limit(samples, tmp_path, bomb):
    shutil.copy(bomb, samples / "bomb.pdf")
    config = tmp_path / "paperbrief.yaml"
    config.write_text("reader_memory_mb: 400\n")
    out = tmp_path / "out"
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("OPENAI")}, "PAPERBRIEF_CONFIG": str(config)}
    child = subprocess.Popen([sys.executable, "-m", "pipeline.cli", "run", str(samples), "-o", str(out),
                              "--cassette", str(CASSETTE)], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    watch = _PeakMemory(child.pid)
    try:
        _, err = child.communicate(timeout=60)
    finally:
        watch.stop = True
        child.kill()
    assert child.returncode == 1, err
    entries = results(out)
    assert entries["bomb.pdf"]["error"] == "reading needed more than 400 MB"
    assert all(entries[s.file]["brief"]["ok"] for s in make_samples.SAMPLES)
    assert watch.peak_mb < 400, watch.peak_mb


@pytest.mark.slow
def test_inspect_reads_a_bomb_under_the_same_limit_as_a_run(tmp_path, bomb):
    """inspect reads its one PDF in a bounded reader: the memory limit holds there as in a run."""
    config = tmp_path / "paperbrief.yaml"
    config.write_text("reader_memory_mb: 400\n")
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("OPENAI")}, "PAPERBRIEF_CONFIG": str(config)}
    child = subprocess.run([sys.executable, "-m", "pipeline.cli", "inspect", str(bomb)], cwd=ROOT, env=env,
                           capture_output=True, text=True, timeout=60)
    assert child.returncode == 1
    assert child.stderr.strip().endswith("reading needed more than 400 MB"), child.stderr


@pytest.mark.slow
def test_a_stuck_reader_is_killed_at_the_time_limit_and_replaced(samples, tmp_path, monkeypatch):
    import hostile_reader

    import pipeline.extract.reading as reading

    monkeypatch.setattr(reading, "read_paper", hostile_reader.read)  # the readers look it up at each read
    (samples / "stuck.pdf").write_bytes((samples / "lattice-kv.pdf").read_bytes() + b"\n%stuck")
    settings_file(tmp_path, monkeypatch, "reader_timeout_s: 2\n")
    out = tmp_path / "out"
    start = time.monotonic()
    assert main(["run", str(samples), "-o", str(out), "--cassette", str(CASSETTE)]) == 1
    assert time.monotonic() - start < 30  # a bound, not a speed target: without the limit this never ends
    entries = results(out)
    assert entries["stuck.pdf"]["error"] == "reading took longer than 2 s"
    assert all(entries[s.file]["brief"]["ok"] for s in make_samples.SAMPLES)


def test_a_memory_error_in_the_reader_is_that_papers_failure(samples, tmp_path, monkeypatch):
    import hostile_reader

    import pipeline.extract.reading as reading

    monkeypatch.setattr(reading, "read_paper", hostile_reader.read)
    (samples / "hungry.pdf").write_bytes((samples / "lattice-kv.pdf").read_bytes() + b"\n%hungry")
    settings_file(tmp_path, monkeypatch, "reader_memory_mb: 1000\n")
    out = tmp_path / "out"
    assert main(["run", str(samples), "-o", str(out), "--cassette", str(CASSETTE)]) == 1
    entries = results(out)
    assert entries["hungry.pdf"]["error"] == "reading needed more than 1000 MB"
    assert all(entries[s.file]["brief"]["ok"] for s in make_samples.SAMPLES)


def test_inspect_on_a_page_tree_20000_levels_deep_is_one_line(tmp_path, capsys):
    deep = hostile.deep_tree_pdf(tmp_path / "deep.pdf", depth=20_000)
    assert main(["inspect", str(deep)]) == 1
    line = one_line_error(capsys.readouterr().err)
    assert line == f"paperbrief: {deep}: damaged PDF (page 1 cannot be loaded)"


# -- a paper is its content, not its name ------------------------------------------------------

def same_names(sample_dir: Path, tmp_path: Path) -> tuple[Path, Path]:
    """a/paper.pdf and b/paper.pdf (two different papers), and a/z-copy.pdf (a's bytes again)."""
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    shutil.copy(sample_dir / "lattice-kv.pdf", a / "paper.pdf")
    shutil.copy(sample_dir / "lattice-kv.pdf", a / "z-copy.pdf")
    shutil.copy(sample_dir / "echo-channels.pdf", b / "paper.pdf")
    return a, b


def test_two_files_of_one_name_in_two_folders_are_two_papers(sample_dir, tmp_path, capsys):
    a, b = same_names(sample_dir, tmp_path)
    out = tmp_path / "out"
    assert main(["run", str(a), str(b), "-o", str(out), "--cassette", str(CASSETTE)]) == 0
    entries = results(out)
    assert set(entries) == {"a/paper.pdf", "b/paper.pdf", "z-copy.pdf"}
    assert entries["a/paper.pdf"]["paper"]["title"] != entries["b/paper.pdf"]["paper"]["title"]
    assert entries["z-copy.pdf"]["duplicate_of"] == "a/paper.pdf"
    assert capsys.readouterr().out.startswith("2 briefed, 0 failed")
    md = (out / "report.md").read_text()
    assert "`z-copy.pdf` = `a/paper.pdf`" in md


def test_two_files_of_one_name_are_two_papers_in_a_batch_run(sample_dir, tmp_path, standin, monkeypatch):
    a, b = same_names(sample_dir, tmp_path)
    settings_file(tmp_path, monkeypatch, "batch_poll: 0.05\n")
    out = tmp_path / "out"
    assert main(["run", str(a), str(b), "-o", str(out), "--batch", "--base-url", standin.base_url,
                 "--api-key", "k"]) == 0
    entries = results(out)
    assert set(entries) == {"a/paper.pdf", "b/paper.pdf", "z-copy.pdf"}
    assert entries["a/paper.pdf"]["brief"]["ok"] and entries["b/paper.pdf"]["brief"]["ok"]


def test_rerun_updates_the_entry_of_that_file_only(sample_dir, tmp_path, fake_model):
    a, b = same_names(sample_dir, tmp_path)
    out = tmp_path / "out"
    live = ["--base-url", fake_model.base_url, "--api-key", "k"]
    assert main(["run", str(a), str(b), "-o", str(out), *live]) == 0
    before = results(out)
    assert main(["rerun", str(b / "paper.pdf"), "-o", str(out), *live]) == 0
    after = results(out)
    assert set(after) == set(before)
    assert after["b/paper.pdf"]["paper"]["title"] == before["b/paper.pdf"]["paper"]["title"]
    assert after["a/paper.pdf"] == before["a/paper.pdf"]


# -- the store and the folder are guarded ------------------------------------------------------

def report_files(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in ("report.md", "report.json", "report.html")}


def test_a_damaged_store_is_one_line_and_leaves_the_report_as_it_was(samples, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["run", str(samples), "-o", str(out), "--cassette", str(CASSETTE)]) == 0
    before = report_files(out)
    store = out / "runs.sqlite"
    size = store.stat().st_size
    with store.open("r+b") as fh:
        fh.seek(size // 2)
        fh.write(b"\xa5garbage" * ((size - size // 2) // 8 + 1))
    capsys.readouterr()
    assert main(["run", str(samples), "-o", str(out), "--cassette", str(CASSETTE)]) == 2
    line = one_line_error(capsys.readouterr().err)
    assert str(store) in line and "damaged run store" in line
    assert report_files(out) == before


def test_a_full_disk_is_one_line_and_the_report_never_shrinks(samples, tmp_path, monkeypatch, capsys):
    import errno

    import pipeline.render.report as report

    out = tmp_path / "out"
    assert main(["run", str(samples), "-o", str(out), "--cassette", str(CASSETTE)]) == 0
    before = report_files(out)

    def full(path: Path, text: str) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(report, "write_atomic", full)
    capsys.readouterr()
    assert main(["run", str(samples), "-o", str(out), "--cassette", str(CASSETTE)]) == 2
    line = one_line_error(capsys.readouterr().err)
    assert "No space left on device" in line and str(out) in line
    assert report_files(out) == before


def test_a_store_that_cannot_be_written_stops_the_run_and_keeps_the_report(samples, tmp_path, fake_model, monkeypatch,
                                                                           capsys):
    import sqlite3

    import pipeline.run.store as store

    out = tmp_path / "out"
    live = ["--concurrency", "1", "--base-url", fake_model.base_url, "--api-key", "k"]
    assert main(["run", str(samples), "-o", str(out), *live]) == 0
    paid = fake_model.completed
    real_save = store.RunStore.save
    saved = []

    def save(self, *args):
        if saved:
            raise sqlite3.OperationalError("database or disk is full")
        saved.append(args)
        return real_save(self, *args)

    monkeypatch.setattr(store.RunStore, "save", store._guarded(save))
    capsys.readouterr()
    assert main(["run", str(samples), "-o", str(out), "--model", "another-model", *live]) == 2  # every call new
    line = one_line_error(capsys.readouterr().err)
    assert line == f"paperbrief: {out / 'runs.sqlite'}: disk full (the run store cannot be written)"
    assert fake_model.completed - paid <= 3  # the run stopped paying: one stored, one refused, at most one in flight
    assert len(results(out)) == N  # the report still lists every paper: the stopped run did not shrink it


def _mount_tmpfs(target: Path, options: str) -> bool:
    target.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(target)], capture_output=True)
    return done.returncode == 0


@pytest.mark.slow
@pytest.mark.parametrize("options, cause", [("ro,size=1m", "Read-only"), ("size=16k", "disk full|No space")])
def test_a_read_only_or_tiny_output_folder_is_one_line(samples, tmp_path, options, cause):
    import re

    target = tmp_path / "mnt"
    if not _mount_tmpfs(target, options):
        pytest.skip("cannot mount a tmpfs here")
    try:
        done = cli("run", str(samples), "-o", str(target / "out" if "ro" not in options else target),
                   "--cassette", str(CASSETTE), timeout=60)
    finally:
        subprocess.run(["umount", "-l", str(target)], capture_output=True)
    assert done.returncode == 2, done.stderr
    assert re.search(cause, one_line_error(done.stderr), re.I)


def test_output_naming_a_file_is_one_line(samples, tmp_path, capsys):
    target = tmp_path / "report.txt"
    target.write_text("not a folder")
    assert main(["run", str(samples), "-o", str(target), "--cassette", str(CASSETTE)]) == 2
    assert one_line_error(capsys.readouterr().err) == f"paperbrief: {target}: not a folder (-o names the output folder)"
    assert target.read_text() == "not a folder"


def _start(samples: Path, out: Path, server: StandIn, *extra: str) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI")}
    return subprocess.Popen([sys.executable, "-m", "pipeline.cli", "run", str(samples), "-o", str(out),
                             "--concurrency", "1", "--base-url", server.base_url, "--api-key", "k", *extra],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.slow
def test_a_second_run_on_one_folder_stops_or_waits_and_pays_nothing_twice(samples, tmp_path, capsys):
    out = tmp_path / "out"
    with StandIn(latency=0.3, replies={s.title: s.brief for s in make_samples.SAMPLES}) as server:
        alone = tmp_path / "alone"
        assert main(["run", str(samples), "-o", str(alone), "--base-url", server.base_url, "--api-key", "k"]) == 0
        one_run = server.completed
        first = _start(samples, out, server)
        try:
            assert wait_for(lambda: server.completed > one_run)  # the first run holds the folder and is paying
            assert main(["run", str(samples), "-o", str(out), "--base-url", server.base_url, "--api-key", "k"]) == 2
            line = one_line_error(capsys.readouterr().err)
            assert line == (f"paperbrief: {out}/ is in use by paperbrief run (pid {first.pid}); "
                            f"use --wait to wait for it")
            second = _start(samples, out, server, "--wait")
            assert second.wait(timeout=90) == 0, second.stderr.read()
            assert first.wait(timeout=90) == 0
        finally:
            first.kill()
        assert server.completed == 2 * one_run  # the waiting run found every brief in the store
    assert "0 paid briefs" in second.stdout.read()


# -- every bad setting is an error -------------------------------------------------------------

@pytest.mark.parametrize("text, named", [
    (b"model: caf\xe9\n", "not UTF-8"),
    (b"timeout: -1\n", "timeout"),
    (b"attempts: -3\n", "attempts"),
    (b"concurrency: 0\n", "concurrency"),
    (b"retry_budget: -1\n", "retry_budget"),
    (b"reader_memory_mb: 0\n", "reader_memory_mb"),
    (b"reader_timeout_s: -5\n", "reader_timeout_s"),
    (b"batch_poll: 0\n", "batch_poll"),
])
def test_a_bad_config_file_is_one_line_naming_it(samples, tmp_path, monkeypatch, capsys, text, named):
    config = tmp_path / "paperbrief.yaml"
    config.write_bytes(text)
    monkeypatch.setenv("PAPERBRIEF_CONFIG", str(config))
    assert main(["run", str(samples), "-o", str(tmp_path / "out"), "--cassette", str(CASSETTE)]) == 2
    line = one_line_error(capsys.readouterr().err)
    assert str(config) in line and named in line
    assert "UTF-8" in named or "should be greater than" in line  # the cause, not only the name


@pytest.mark.parametrize("flags, named", [
    (["--timeout", "-1"], "timeout"),
    (["--timeout", "0"], "timeout"),
    (["--concurrency", "0"], "concurrency"),
    (["--cassette", "{folder}"], "is a folder, not a cassette file"),
    (["--prompt", "{folder}"], "is a folder, not a prompt file"),
    (["--prompt", "{latin1}"], "not UTF-8"),
])
def test_a_bad_flag_or_file_named_by_one_is_one_line(samples, tmp_path, capsys, flags, named):
    folder = tmp_path / "folder.yaml"
    folder.mkdir()
    latin1 = tmp_path / "latin1.yaml"
    latin1.write_bytes(b"id: caf\xe9\n")
    flags = [f.format(folder=folder, latin1=latin1) for f in flags]
    args = ["run", str(samples), "-o", str(tmp_path / "out")]
    if "--cassette" not in flags:
        args += ["--cassette", str(CASSETTE)]
    assert main(args + flags) == 2
    line = one_line_error(capsys.readouterr().err)
    assert named in line
    if flags[0] in ("--timeout", "--concurrency"):
        assert "should be greater than" in line


def test_a_config_path_naming_a_folder_is_one_line(samples, tmp_path, monkeypatch, capsys):
    folder = tmp_path / "conf"
    folder.mkdir()
    monkeypatch.setenv("PAPERBRIEF_CONFIG", str(folder))
    assert main(["run", str(samples), "-o", str(tmp_path / "out"), "--cassette", str(CASSETTE)]) == 2
    assert one_line_error(capsys.readouterr().err) == f"paperbrief: {folder}: is a folder, not a config file"


# -- no control character in terminal or HTML output -------------------------------------------

FORGED = "evil\nforged line: ok\x1b[2J\u202efdp"


def test_control_characters_in_names_reach_no_progress_line_nor_page(samples, tmp_path, caplog, capsys):
    caplog.set_level("INFO", logger="paperbrief")
    (samples / f"{FORGED}.pdf").write_bytes(b"not a pdf at all")
    out = tmp_path / "out"
    assert main(["run", str(samples), "-o", str(out), "--cassette", str(CASSETTE)]) == 1
    progress = [r.getMessage() for r in caplog.records if r.getMessage().startswith("[")]
    assert len(progress) == N + 1
    assert all("\n" not in line and "\x1b" not in line and "\u202e" not in line for line in progress)
    err = capsys.readouterr().err
    assert not any(line.startswith("forged line") for line in err.splitlines())
    assert "\x1b" not in err and "\u202e" not in err
    page = (out / "report.html").read_text()
    assert "forged line" in page
    assert "\x1b" not in page and "\u202e" not in page


def test_html_pages_drop_escapes_and_bidi_overrides_from_model_text():
    from pipeline.render.html import render_template

    page = render_template("base.html.j2") + render_template("report.html.j2", report={"title": "t\x1b[31m\u2066x", "generated_at": "n"},
                                           entries=[{"title": "a\u202eb", "brief": "one\ntwo\x07",
                                                     "institutions": "i", "authors": "1", "abstract": "x\u200fy"}],
                                           duplicates=[], failed=[])
    assert "\x1b" not in page and "\u202e" not in page and "\u2066" not in page and "\x07" not in page
    assert "one\ntwo" in page  # an ordinary line break stays


def test_a_read_that_finishes_as_the_run_is_cancelled_goes_no_further():
    """Ctrl-C cancels every paper's task; one whose read comes back at that moment must stop there
    too, not go on to a paid call that the run then waits for (asyncio.wait_for on 3.11 let it)."""
    import asyncio
    import concurrent.futures

    from pipeline.extract.readers import PdfReaders

    class Reader(concurrent.futures.Executor):  # a reader that answers when the test says
        _processes: dict = {}

        def submit(self, fn, *args, **kwargs):
            self.future = concurrent.futures.Future()
            return self.future

    async def stops(turns: int) -> bool:
        """The read's task, cancelled `turns` loop turns after its reader answered, ends cancelled."""
        readers, pool = PdfReaders(1), Reader()
        try:
            task = asyncio.ensure_future(readers._call(pool, str, Path("x.pdf")))
            await asyncio.sleep(0)
            pool.future.set_result("read")
            for _ in range(turns):
                await asyncio.sleep(0)
            if not task.cancel():
                return True  # finished before the cancel: nothing was dropped
            await asyncio.gather(task, return_exceptions=True)
            return task.cancelled()
        finally:
            readers.close()

    assert all(asyncio.run(stops(turns)) for turns in range(6))


@pytest.mark.slow
def test_ctrl_c_ends_a_run_whose_reader_is_stuck(samples, tmp_path):
    import signal
    import sqlite3

    (samples / "zz-stuck.pdf").write_bytes((samples / "lattice-kv.pdf").read_bytes() + b"\n%stuck")
    out = tmp_path / "out"
    script = ("import sys, hostile_reader, pipeline.extract.reading as reading\n"
              "reading.read_paper = hostile_reader.read\n"
              "from pipeline.cli import main\n"
              f"sys.exit(main(['run', {str(samples)!r}, '-o', {str(out)!r}, '--cassette', {str(CASSETTE)!r}]))\n")
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("OPENAI")},
           "PYTHONPATH": str(ROOT / "tests")}
    child = subprocess.Popen(foreground.command("-c", script), cwd=ROOT, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)

    def stored() -> int:
        try:
            with sqlite3.connect(out / "runs.sqlite") as db:
                return db.execute("SELECT count(*) FROM runs").fetchone()[0]
        except sqlite3.Error:
            return 0

    try:
        ahead = sum(1 for s in make_samples.SAMPLES if s.file < "zz-stuck.pdf")
        assert wait_for(lambda: stored() >= ahead, limit=40)  # the papers before it are done; it is being read
        child.send_signal(signal.SIGINT)
        _, err = child.communicate(timeout=30)  # without the kill on the way out: waits for the reader
    finally:
        child.kill()
    assert child.returncode == 130, err
    assert "Traceback" not in err


def test_a_forced_close_leaves_no_reader_thread_for_the_exit_to_race(tmp_path):
    """Ctrl-C kills the readers and the process exits at once; CPython 3.11's exit hook then writes to
    the killed pool's wake-up pipe, which its manager thread may be closing that moment (an OSError
    traceback after 'interrupted'). The close must leave that thread ended."""
    import asyncio

    import hostile_reader

    from pipeline.extract.readers import PdfReaders

    stuck = tmp_path / "stuck.pdf"
    stuck.write_bytes(b"%PDF-1.4\n")

    async def close_while_reading():
        readers = PdfReaders(1)
        task = asyncio.ensure_future(readers.read(hostile_reader.read, stuck))
        for _ in range(200):  # the reader process starts and takes the paper
            await asyncio.sleep(0.1)
            if any(p.is_alive() for p in (readers.pool._processes or {}).values()):
                break
        await asyncio.sleep(0.5)
        manager = readers.pool._executor_manager_thread
        readers.close(force=True)
        alive = manager.is_alive()
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        return manager, alive

    manager, alive = asyncio.run(close_while_reading())
    assert manager is not None and not alive
