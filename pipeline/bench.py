"""Benchmarks: `python -m pipeline.bench extract DIR --truth MANIFEST` and `... run`.

Speed and accuracy targets live here, never in timed unit tests.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
import unicodedata
from pathlib import Path

from .institutions import fold
from .metadata import read_metadata
from .pdf import PdfError, extract


def _fold_text(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"[\W_]+", "", text.casefold())


def _inst_match(a: str, b: str) -> bool:
    fa, fb = fold(a), fold(b)
    if not fa or not fb:
        return False
    if fa == fb:
        return True
    short, long_ = sorted((fa, fb), key=len)
    return short in long_ and len(short) >= 0.75 * len(long_)


def score_institutions(found: list[str], truth: list[str]) -> tuple[int, int, int]:
    """(true positives, found, truth) with one-to-one matching."""
    remaining = list(truth)
    hits = 0
    for name in found:
        for other in remaining:
            if _inst_match(name, other):
                remaining.remove(other)
                hits += 1
                break
    return hits, len(found), len(truth)


def bench_extract(folder: Path, truth_path: Path, misses_path: Path | None) -> dict:
    truth = {entry["file"]: entry for entry in json.loads(truth_path.read_text())}
    rows, times = [], []
    tp = nf = nt = 0
    title_ok = count_ok = count_n = abstract_ok = 0
    for name, expected in sorted(truth.items()):
        path = folder / name
        if not path.exists():
            path = folder / "pdfs" / name
        start = time.perf_counter()
        try:
            paper = read_metadata(extract(path))
        except PdfError as exc:
            rows.append({"file": name, "error": str(exc)})
            continue
        times.append((time.perf_counter() - start) * 1000)
        misses = {}
        if _fold_text(paper.title) == _fold_text(expected["title"]):
            title_ok += 1
        else:
            misses["title"] = [paper.title, expected["title"]]
        if expected.get("author_count") is not None:
            count_n += 1
            if paper.author_count == expected["author_count"]:
                count_ok += 1
            else:
                misses["author_count"] = [paper.author_count, expected["author_count"], paper.authors]
        hits, found, want = score_institutions(paper.institutions, expected["institutions"])
        tp, nf, nt = tp + hits, nf + found, nt + want
        if hits != found or hits != want:
            misses["institutions"] = [paper.institutions, expected["institutions"]]
        head = _fold_text(expected["abstract_start"])[:60]
        if head and head in _fold_text(paper.abstract)[:200]:
            abstract_ok += 1
        else:
            misses["abstract"] = [paper.abstract[:160], expected["abstract_start"]]
        if misses:
            rows.append({"file": name, **misses})
    n = len(truth)
    precision = tp / nf if nf else 1.0
    recall = tp / nt if nt else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    figures = {
        "papers": n,
        "title_exact_pct": 100 * title_ok / n,
        "author_count_exact_pct": 100 * count_ok / count_n if count_n else 100.0,
        "institutions_precision": precision,
        "institutions_recall": recall,
        "institutions_f1": f1,
        "abstract_pct": 100 * abstract_ok / n,
        "median_ms": statistics.median(times) if times else 0.0,
        "p95_ms": sorted(times)[max(0, int(round(0.95 * len(times))) - 1)] if times else 0.0,
    }
    if misses_path:
        misses_path.write_text(json.dumps(rows, ensure_ascii=False, indent=2))
    return {"figures": figures, "misses": rows}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline.bench", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    ext = sub.add_parser("extract", help="score metadata extraction against a ground-truth manifest")
    ext.add_argument("folder", type=Path)
    ext.add_argument("--truth", type=Path, required=True)
    ext.add_argument("--misses", type=Path, default=Path("outputs/bench-misses.json"))
    args = parser.parse_args(argv)
    if args.command == "extract":
        args.misses.parent.mkdir(parents=True, exist_ok=True)
        result = bench_extract(args.folder, args.truth, args.misses)
        f = result["figures"]
        print(f"papers                 {f['papers']}")
        print(f"title exact            {f['title_exact_pct']:.1f}%")
        print(f"author count exact     {f['author_count_exact_pct']:.1f}%")
        print(f"institutions P/R/F1    {f['institutions_precision']:.3f} / {f['institutions_recall']:.3f} / {f['institutions_f1']:.3f}")
        print(f"abstract found         {f['abstract_pct']:.1f}%")
        print(f"ms per paper           median {f['median_ms']:.1f}  p95 {f['p95_ms']:.1f}")
        print(f"misses                 {len(result['misses'])} papers, table in {args.misses}")
        for row in result["misses"]:
            print(f"  {row['file']}: " + "; ".join(k for k in row if k != "file"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
