"""`bench run`: the whole pipeline against a stand-in in another process, live or through the Batch API."""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from pathlib import Path

from . import TESTS
from .samples import sample_pdfs


def bench_run(papers: int, latency: float, concurrency: int, folder: Path | None = None,
              truth: Path | None = None, single_slot: bool = False, timeout: float = 60.0) -> dict:
    """Whole pipeline against a stand-in endpoint in another process; wall time vs the ideal. With a
    folder of real papers and their truth, the stand-in answers each paper's truth as printed.
    With `single_slot` the stand-in serves one request at a time, like a llama.cpp server: the
    ideal is then N·latency, and the figures say where the pacer settled and what it sent."""
    import math
    import tempfile

    from pipeline.run.runner import run_live
    from pipeline.settings import Settings

    with tempfile.TemporaryDirectory() as tmp:
        extra = []
        if folder is None:
            folder = Path(tmp) / "in"
            sample_pdfs(folder, papers)
        else:
            papers = len(list(folder.glob("*.pdf")))
            if truth is not None:
                extra = ["--readings", str(_readings_file(folder, truth, Path(tmp)))]
        if single_slot:
            extra.append("--single-slot")
        report, wall, cpu = _against_standin(["--latency", str(latency), *extra], lambda url: Settings(
            base_url=url, api_key="bench", concurrency=concurrency, timeout=timeout), run_live, folder, Path(tmp) / "out")
    ideal = (papers if single_slot else math.ceil(papers / concurrency)) * latency
    briefs = [r.brief for r in report.results if r.brief]
    return {
        "papers": papers, "briefed": len(report.briefed), "wall_s": wall, "ideal_s": ideal,
        "ratio": wall / ideal if ideal else float("nan"), "cpu_ms_per_paper": 1000 * cpu / papers,
        "peak_rss_mb": _peak_rss_mb(),
        "prompt_tokens_per_paper": sum(b.usage.prompt_tokens for b in briefs) / max(1, len(briefs)),
        "completion_tokens_per_paper": sum(b.usage.completion_tokens for b in briefs) / max(1, len(briefs)),
        "requests": report.requests, "settled_concurrency": report.concurrency,
    }


def _readings_file(folder: Path, truth_path: Path, tmp: Path) -> Path:
    """The truth of each paper in the folder as page 1 prints it, for the stand-in (`--readings`)."""
    from pipeline.extract.pdf import PdfError, extract  # here: the run under measurement never loads PDFium itself
    from pipeline.metadata import read_metadata

    from .model import truth_readings

    truth = {e["file"]: e for e in json.loads(truth_path.read_text())}
    papers = {}
    for name in truth:
        with contextlib.suppress(PdfError):
            if (folder / name).exists():
                papers[name] = read_metadata(extract(folder / name))
    path = tmp / "readings.json"
    path.write_text(json.dumps(truth_readings(papers, truth)[0], ensure_ascii=False))
    return path


def _reader_cpu_s() -> float:
    """CPU seconds of the reader processes: the forkserver and the workers it has reaped. They are
    not this process's children, so its own rusage does not count them (Linux /proc)."""
    from multiprocessing import forkserver

    pid = getattr(forkserver._forkserver, "_forkserver_pid", None)
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError, TypeError):
        return 0.0
    utime, stime, cutime, cstime = (int(v) for v in fields[11:15])
    return (utime + stime + cutime + cstime) / os.sysconf("SC_CLK_TCK")


def _cpu_s() -> float:
    """CPU seconds of this process, its reaped children and the reader processes."""
    import resource

    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime + _reader_cpu_s()


def _against_standin(standin_args: list[str], settings_for, run, folder: Path, output: Path):
    """Run `run(settings, files, output)` against a stand-in in another process: (report, wall s, CPU s)."""
    import asyncio
    import subprocess

    from pipeline.extract.readers import discover

    server = subprocess.Popen([sys.executable, "-m", "support.standin", *standin_args], stdout=subprocess.PIPE, text=True,
                              cwd=TESTS)
    try:
        settings = settings_for(server.stdout.readline().strip())
        files = discover(folder)
        before = _cpu_s()
        start = time.perf_counter()
        report = asyncio.run(run(settings, files, output))
        return report, time.perf_counter() - start, _cpu_s() - before
    finally:
        server.terminate()
        server.wait()


def bench_batch(papers: int, delay: float) -> dict:
    """A --batch run against a stand-in whose batches complete after `delay` seconds: the time
    outside that delay, CPU per paper and peak memory are what this machine adds."""
    import tempfile

    from pipeline.run.batches import run_provider_batches
    from pipeline.settings import Settings

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "in"
        written = time.perf_counter()
        sample_pdfs(folder, papers)
        written = time.perf_counter() - written
        report, wall, cpu = _against_standin(["--batch-delay", str(delay)], lambda url: Settings(
            base_url=url, api_key="bench", batch_poll=0.25), run_provider_batches, folder, Path(tmp) / "out")
    return {"papers": papers, "briefed": len(report.briefed), "wall_s": wall, "outside_delay_s": wall - delay,
            "cpu_ms_per_paper": 1000 * cpu / papers, "peak_rss_mb": _peak_rss_mb(),
            "writing_pdfs_s": written, "cost_usd": report.batch_cost_usd}


def _peak_rss_mb() -> float:
    """The largest resident set of this process or of a reader process (the forkserver and its
    workers; the stand-in, the provider's side, is not counted)."""
    import resource
    from multiprocessing import forkserver

    server = getattr(forkserver._forkserver, "_forkserver_pid", None)
    peaks = [resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024]
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        if server and (status.parent.name == str(server) or f"PPid:\t{server}\n" in text):
            peaks += [int(line.split()[1]) / 1024 for line in text.splitlines() if line.startswith("VmHWM:")]
    return max(peaks)

