"""Benchmarks: `python -m benchmarks extract DIR --truth MANIFEST`, `... run`, `... registry`
(`python -m pipeline.bench ...` from a source checkout runs the same).

Speed and accuracy targets live here, never in timed unit tests. Not shipped in the wheel: the
benchmarks drive the stand-in server and the sample writer, which live in tests/.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent  # the source checkout
TESTS = ROOT / "tests"
if str(TESTS) not in sys.path:  # the stand-in (tests/support) and the sample writer (tests/make_samples.py)
    sys.path.insert(0, str(TESTS))
