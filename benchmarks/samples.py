"""`python -m benchmarks.samples FOLDER COUNT`: N distinct fixture papers (the project's own sample
texts, each title made unique). The throughput benches run it as a child process: reportlab and
the embedded CJK font take some 25 MB the pipeline never needs, and the peak RSS they report is
the pipeline's."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

from . import ROOT


def write_samples(folder: Path, count: int) -> None:
    """Write the papers in this process (needs reportlab, the test extra)."""
    try:
        from make_samples import SAMPLES, write_pdf
    except ImportError as exc:
        raise SystemExit(f"bench run needs the test extra to write sample PDFs: pip install -e '.[test]' ({exc})") from None
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        base = SAMPLES[i % len(SAMPLES)]
        head, _, tail = base.title.partition(":")
        variant = dataclasses.replace(base, title=f"{head} {i}:{tail}" if tail else f"{head} {i}", file=f"paper-{i:04d}.pdf")
        write_pdf(variant, folder / variant.file)


def sample_pdfs(folder: Path, count: int) -> None:
    """Write the papers in a child process, so their libraries never count in this one's memory."""
    done = subprocess.run([sys.executable, "-m", "benchmarks.samples", str(folder), str(count)], cwd=ROOT,
                          capture_output=True, text=True)
    if done.returncode:
        lines = done.stderr.strip().splitlines()
        raise SystemExit(lines[-1] if lines else f"writing sample PDFs failed (exit {done.returncode})")


if __name__ == "__main__":
    write_samples(Path(sys.argv[1]), int(sys.argv[2]))
