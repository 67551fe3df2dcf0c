"""`bench registry`: the registry's lookup costs and the Chinese-label institution check."""

from __future__ import annotations

import contextlib
import json
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

from pipeline.brief.validate import check
from pipeline.extract.pdf import PdfError, extract
from pipeline.metadata import read_metadata
from pipeline.models import Paper
from pipeline.names import registry

from . import ROOT


def _lookup_ms(paper: Paper) -> float:
    """Milliseconds of the registry lookups the reader makes for one paper's institutions, with the
    lookup caches emptied first."""
    registry.clear_caches()
    start = time.perf_counter()
    context = registry.Context(paper.header_text)
    for name in paper.institutions:
        registry.knows(name)
        registry.identify(name, context)
        registry.lifted(name, paper.institutions, context)
    return (time.perf_counter() - start) * 1000


def bench_registry(folder: Path, truth_path: Path) -> dict:
    """The registry's costs (first lookup in a fresh process, lookups per paper with cold caches,
    a reader's memory) and the institution check with each paper's Chinese labels from it."""
    truth = {entry["file"]: entry for entry in json.loads(truth_path.read_text())}
    paths = {name: folder / name for name in sorted(truth) if (folder / name).exists()}
    first = min(float(_probe("first-lookup")) for _ in range(3))
    rss = [float(v) for v in _probe("reader-rss", *map(str, list(paths.values())[:20])).split()]
    papers = {}
    for name, path in paths.items():
        with contextlib.suppress(PdfError):
            paper = read_metadata(extract(path))
            papers[name] = paper.model_copy(update={"institutions": truth[name]["institutions"]})
    per_paper = [_lookup_ms(paper) for paper in papers.values()]  # the table's pages read for the first time
    warm = [_lookup_ms(paper) for paper in papers.values()]  # pages cached, as in a reader after its first papers
    labels = {name: _labels_of(paper) for name, paper in papers.items()}
    own_ok = own_n = other_rejected = other_n = 0
    names = list(papers)
    for i, name in enumerate(names):
        paper = papers[name]
        for label in labels[name]:
            own_n += 1
            own_ok += _institution_ok(check, label, paper)
        theirs = [lab for other in names[i + 1:] + names[:i] for lab in labels[other] if lab not in labels[name]]
        if theirs and paper.institutions:  # a paper that names no institution may be briefed without one
            other_n += 1
            other_rejected += not _institution_ok(check, theirs[0], paper)
    return {"first_lookup_ms": first, "lookup_ms_per_paper_median": statistics.median(per_paper),
            "lookup_ms_per_paper_max": max(per_paper), "warm_lookup_ms_per_paper_median": statistics.median(warm),
            "warm_lookup_ms_per_paper_max": max(warm), "reader_rss_mb": rss,
            "labelled": own_n, "labelled_accepted": own_ok, "other_labels": other_n, "other_rejected": other_rejected,
            "institutions": sum(len(p.institutions) for p in papers.values())}


def _probe(*args: str) -> str:
    """What benchmarks/probes.py prints in a fresh process."""
    return subprocess.run([sys.executable, "-m", "benchmarks.probes", *args], cwd=ROOT, capture_output=True, text=True,
                          check=True).stdout


def _labels_of(paper: Paper) -> list[str]:
    """The registry's Chinese label of each of the paper's institutions that it labels."""
    context = registry.Context(paper.header_text)
    out = []
    for name in paper.institutions:
        bracket = re.fullmatch(r"\s*(.+?)\s*\(([^()]+)\)\s*", name)
        org = next((o for o in (registry.identify(f, context) for f in [name, *(bracket.groups() if bracket else ())]) if o), None)
        if org is not None and org.zh and org.zh not in out:
            out.append(org.zh)
    return out


def _institution_ok(check, label: str, paper: Paper) -> bool:
    text = f"{label}发布了{paper.title}论文，使用一种新方法，解决了一个老问题，达成了更好的效果。"
    return next(r.ok for r in check(text, paper) if r.name == "institution")

