"""How long the small commands take from a fresh process: what a user waits for at the prompt."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path


def _wall(args: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "pipeline.cli", *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   check=True)
    return time.perf_counter() - started


def bench_inspect(pdf: Path, runs: int = 5) -> dict:
    """Wall seconds of `paperbrief inspect PDF` and of `paperbrief --help`, each in a fresh process."""
    inspect = [_wall(["inspect", str(pdf)]) for _ in range(runs)]
    helps = [_wall(["--help"]) for _ in range(runs)]
    return {"inspect_median_s": statistics.median(inspect), "inspect_best_s": min(inspect),
            "help_median_s": statistics.median(helps), "runs": runs}
