"""What `bench registry` measures in a fresh process: `python -m benchmarks.probes first-lookup`
(milliseconds of the first registry lookup after importing the reader) and `... reader-rss PDF...`
(a reader's resident memory before the table, with it opened, and after reading the PDFs)."""

from __future__ import annotations

import sys
import time


def first_lookup() -> None:
    import pipeline.names.institutions  # noqa: F401  (the reader's import cost is not the lookup's)
    from pipeline.names import registry

    start = time.perf_counter()
    registry.identify("Tsinghua University")
    print((time.perf_counter() - start) * 1000)


def _rss() -> float:
    with open("/proc/self/status", encoding="ascii") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith("VmRSS:")) / 1024


def reader_rss(paths: list[str]) -> None:
    from pipeline.extract.pdf import extract
    from pipeline.metadata import read_metadata
    from pipeline.names import registry

    before = _rss()
    registry.identify("Tsinghua University")
    opened = _rss()
    for path in paths:
        read_metadata(extract(path))
    print(before, opened, _rss())


if __name__ == "__main__":
    {"first-lookup": lambda: first_lookup(), "reader-rss": lambda: reader_rss(sys.argv[2:])}[sys.argv[1]]()
