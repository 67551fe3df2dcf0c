"""Benchmarks: `python -m pipeline.bench extract DIR --truth MANIFEST` and `... run`.

Speed and accuracy targets live here, never in timed unit tests.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import difflib
import json
import os
import re
import statistics
import sys
import time
import unicodedata
from pathlib import Path

from .extract.pdf import PdfError, extract
from .metadata import read_metadata
from .metadata.confidence import LOW as _LOW
from .models import FieldDoubt, Paper

# The scorer keeps its own folding, apart from the reader's (institutions.fold), so a change in
# the reader can never make the benchmark more lenient. It follows the corpus README's rules.
_BENCH_ABBREVIATIONS = [(r"\buniv\b\.?", "university"), (r"\binst\b\.", "institute"),
                        (r"\btech\b\.", "technology"), (r"\bnatl?\b\.", "national"), (r"\bdept\b\.", "department")]


def _fold_text(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"[\W_]+", "", text.casefold())


def _name_forms(name: str) -> set[str]:
    """A name folded, with and without its bracketed acronym, and the acronym alone."""
    low = re.sub(r"^\s*the\s+", "", name.casefold())
    for pattern, full in _BENCH_ABBREVIATIONS:
        low = re.sub(pattern, full, low)
    forms = {_fold_text(low)}
    bracket = re.search(r"\(([^()]*(?:\([^()]*\))?[^()]*)\)\s*$", low)
    if bracket:
        forms |= {_fold_text(low[: bracket.start()]), _fold_text(bracket.group(1))}
    return {f for f in forms if f}


def _inst_match(a: str, b: str) -> bool:
    for fa in _name_forms(a):
        for fb in _name_forms(b):
            if fa == fb:
                return True
            short, long_ = sorted((fa, fb), key=len)
            if len(short) >= 4 and short in long_ and len(short) >= 0.75 * len(long_):
                return True
            if min(len(fa), len(fb)) >= 8 and difflib.SequenceMatcher(None, fa, fb).ratio() >= 0.92:
                return True
    return False


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


def _printed_form(name: str, page) -> str | None:
    """The form of a truth name that page 1 prints: whole, or without its bracketed acronym (nested
    brackets too: 'X (Guangzhou) (HKUST(GZ))'), or the acronym alone."""
    forms, rest = [name], name
    while True:
        match = re.search(r"\s*\(((?:[^()]|\([^()]*\))*)\)\s*$", rest)
        if not match:
            break
        rest = rest[: match.start()]
        forms += [rest, match.group(1)]
    return next((f for f in forms if f.strip() and page.prints(f)), None)


def _truth_readings(papers: dict[str, Paper], truth: dict) -> tuple[dict[str, dict], int, int]:
    """What a capable model answers for each paper (its truth, as page 1 prints it), and how many of
    the truth's institutions the request carries in a printed form, of how many."""
    from .brief.grounding import Page

    readings, carried, total = {}, 0, 0
    for name, paper in papers.items():
        expected, page = truth[name], Page(paper.header_text)
        forms = [_printed_form(n, page) for n in expected["institutions"]]
        carried, total = carried + sum(f is not None for f in forms), total + len(forms)
        readings[expected["title"]] = {"title": expected["title"], "authors": expected.get("authors") or [],
                                       "institutions": [f or n for f, n in zip(forms, expected["institutions"], strict=False)]}
    return readings, carried, total


def _read_by_model(papers: dict[str, Paper], truth: dict, sloppy: bool, by_position: bool = False,
                   usual: str = "") -> tuple[dict[str, Paper], dict]:
    """Every paper through the brief call against the project's stand-in answering the truth (and,
    when sloppy, one planted reading error in each first answer; with usual "en" or "zh", the
    institutions in their usual full or Chinese forms), or reading each header by position as a
    small model does: the published papers and counts."""
    import asyncio

    from .brief.prompts import load_prompt
    from .llm import client_for
    from .run.flow import PaperFlow, Prepared, contained
    from .settings import Settings
    from .standin import StandIn

    readings, carried, total = _truth_readings(papers, truth)
    flow = PaperFlow(load_prompt(), None, store=None)  # the per-paper pipeline every command drives, nothing stored

    async def go(base_url: str):
        client = client_for(Settings(base_url=base_url, api_key="bench", concurrency=8))  # the defaults, no user file
        gate = asyncio.Semaphore(8)

        async def one(paper: Paper):
            async with gate:
                return await contained(paper.file, flow.answer(Prepared(paper=paper, rendered=flow.render(paper)), client))
        try:
            return await asyncio.gather(*(one(p) for p in papers.values()))
        finally:
            await client.close()

    with StandIn(readings={} if by_position else readings, sloppy=sloppy, by_position=by_position,
                 usual_names=usual) as server:
        results = asyncio.run(go(server.base_url))
    out = {name: result.paper or paper for (name, paper), result in zip(papers.items(), results, strict=True)}
    briefs = [r.brief for r in results if r.brief is not None]
    planted = [r for r in results if r.ok and _planted(r.paper, r.brief.text)]
    return out, {"carried": carried, "truth_institutions": total, "briefed": sum(r.ok for r in results),
                 "planted_published": len(planted), "repaired": sum(b.attempts > 1 for b in briefs),
                 "calls": server.completed}


_PLANTED = ("Department of Computer Science", "Quillfeather Institute", "Morwenna Pelletier-Oduya",
            "A Different Paper Entirely")


def _planted(paper: Paper, brief: str) -> bool:
    """Whether a published paper shows one of the stand-in's planted reading errors."""
    shown = " ".join([paper.title, *paper.authors, *paper.institutions, brief])
    return any(p in shown for p in _PLANTED) or bool(set(paper.institutions) & set(paper.authors))


def _prompt_tokens(papers: dict[str, Paper]) -> list[int]:
    """Prompt tokens of each paper's brief request, counted as the stand-in bills them."""
    from .brief.prompts import load_prompt, render_prompt
    from .standin import estimate_tokens

    prompt = load_prompt()
    return sorted(sum(estimate_tokens(m["content"]) + 4 for m in render_prompt(prompt, p).messages) for p in papers.values())


REPEATS = 3  # reads per paper in bench extract; the fastest counts (as timeit does)


def bench_extract(folder: Path, truth_path: Path, misses_path: Path | None, llm: str = "") -> dict:
    truth = {entry["file"]: entry for entry in json.loads(truth_path.read_text())}
    rows, times, papers = [], [], {}
    paths = {name: folder / name if (folder / name).exists() else folder / "pdfs" / name for name in truth}
    for path in list(paths.values())[:3]:  # warm up: first-call costs are not per-paper costs
        with contextlib.suppress(PdfError):
            read_metadata(extract(path))
    for name in sorted(truth):
        path = paths[name]
        best = float("inf")
        try:
            for _ in range(REPEATS):  # the fastest of a few reads: what the code costs, not the machine's noise
                start = time.perf_counter()
                papers[name] = read_metadata(extract(path))
                best = min(best, time.perf_counter() - start)
        except PdfError as exc:
            rows.append({"file": name, "error": str(exc)})
            continue
        times.append(best * 1000)
    tokens = _prompt_tokens(papers)
    model: dict = {}
    if llm:
        rules = papers
        papers, model = _read_by_model(papers, truth, sloppy=llm == "sloppy", by_position=llm == "position",
                                       usual={"usual": "en", "usual-zh": "zh"}.get(llm, ""))
        model["against_rules"] = _against_rules(rules, papers, truth)
        model["overruled"] = sum(len(p.overruled) for p in papers.values())
        model["unsettled"] = sum(len(p.unsettled) for p in papers.values())
    tp = nf = nt = 0
    title_ok = title_case_ok = count_ok = count_n = abstract_ok = inst_exact = 0
    flags = {"wrong": 0, "wrong_flagged": 0, "right": 0, "right_flagged": 0}
    by_field: dict[str, dict[str, int]] = {}

    def judge(field: str, right: bool, paper: Paper) -> None:
        flagged = paper.confidence.get(field, _SURE).confidence < _LOW
        key = "right" if right else "wrong"
        for counts in (flags, by_field.setdefault(field, {"wrong": 0, "wrong_flagged": 0, "right": 0, "right_flagged": 0})):
            counts[key] += 1
            counts[key + "_flagged"] += flagged

    for name, paper in papers.items():
        expected = truth[name]
        misses = {}
        if _fold_text(paper.title) == _fold_text(expected["title"]):
            title_ok += 1
            title_case_ok += " ".join(paper.title.split()) == " ".join(expected["title"].split())
        else:
            misses["title"] = [paper.title, expected["title"]]
        judge("title", "title" not in misses, paper)
        if expected.get("author_count") is not None:
            count_n += 1
            if paper.author_count == expected["author_count"]:
                count_ok += 1
            else:
                misses["author_count"] = [paper.author_count, expected["author_count"], paper.authors]
            judge("authors", "author_count" not in misses, paper)
        hits, found, want = score_institutions(paper.institutions, expected["institutions"])
        tp, nf, nt = tp + hits, nf + found, nt + want
        if hits == found == want:
            inst_exact += 1
        else:
            misses["institutions"] = [paper.institutions, expected["institutions"]]
        judge("institutions", "institutions" not in misses, paper)
        head = _fold_text(expected["abstract_start"] or "")[:60]
        if (head and head in _fold_text(paper.abstract)[:200]) or (expected["abstract_start"] is None and not paper.abstract):
            # a null abstract_start: page 1 prints no abstract, so none should be read
            abstract_ok += 1
        else:
            misses["abstract"] = [paper.abstract[:160], expected["abstract_start"]]
        judge("abstract", "abstract" not in misses, paper)
        if misses:
            rows.append({"file": name, **misses})
    n = len(truth)
    precision = tp / nf if nf else 1.0
    recall = tp / nt if nt else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    figures = {
        "papers": n,
        "title_exact_pct": 100 * title_ok / n,
        "title_as_printed_pct": 100 * title_case_ok / n,
        "author_count_exact_pct": 100 * count_ok / count_n if count_n else 100.0,
        "institutions_precision": precision,
        "institutions_recall": recall,
        "institutions_f1": f1,
        "institutions_exact_pct": 100 * inst_exact / n,
        "abstract_pct": 100 * abstract_ok / n,
        "wrong_fields": flags["wrong"],
        "wrong_flagged_pct": 100 * flags["wrong_flagged"] / flags["wrong"] if flags["wrong"] else 100.0,
        "right_flagged_pct": 100 * flags["right_flagged"] / flags["right"] if flags["right"] else 0.0,
        "flags_by_field": by_field,
        "median_ms": statistics.median(times) if times else 0.0,
        "p95_ms": sorted(times)[max(0, int(round(0.95 * len(times))) - 1)] if times else 0.0,
        "prompt_tokens_median": statistics.median(tokens) if tokens else 0,
        "prompt_tokens_p95": tokens[max(0, int(round(0.95 * len(tokens))) - 1)] if tokens else 0,
        **model,
    }
    if misses_path:
        misses_path.write_text(json.dumps(rows, ensure_ascii=False, indent=2))
    return {"figures": figures, "misses": rows}


_SURE = FieldDoubt()


def _right_fields(paper: Paper, expected: dict) -> dict[str, bool]:
    """Whether a paper's title, author count and institutions (every one, exactly) are right."""
    hits, found, want = score_institutions(paper.institutions, expected["institutions"])
    out = {"title": _fold_text(paper.title) == _fold_text(expected["title"]), "institutions": hits == found == want}
    if expected.get("author_count") is not None:
        out["author_count"] = paper.author_count == expected["author_count"]
    return out


def _against_rules(rules: dict[str, Paper], published: dict[str, Paper], truth: dict) -> dict[str, dict[str, int]]:
    """Per field: papers the rules alone read right, papers published right, and papers where a
    right rules reading was replaced by a wrong one (what a weak model must never do)."""
    out: dict[str, dict[str, int]] = {}
    for name, paper in published.items():
        before, after = _right_fields(rules[name], truth[name]), _right_fields(paper, truth[name])
        for field, right in after.items():
            counts = out.setdefault(field, {"rules": 0, "published": 0, "replaced": 0})
            counts["rules"] += before[field]
            counts["published"] += right
            counts["replaced"] += before[field] and not right
    return out


def _sample_pdfs(folder: Path, count: int) -> None:
    """N distinct fixture papers (the project's own sample texts, each title made unique)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    try:
        from make_samples import SAMPLES, write_pdf  # benchmark-only: needs reportlab (the test extra)
    except ImportError as exc:
        raise SystemExit(f"bench run needs the test extra to write sample PDFs: pip install -e '.[test]' ({exc})") from None

    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        base = SAMPLES[i % len(SAMPLES)]
        head, _, tail = base.title.partition(":")
        variant = dataclasses.replace(base, title=f"{head} {i}:{tail}" if tail else f"{head} {i}", file=f"paper-{i:04d}.pdf")
        write_pdf(variant, folder / variant.file)


def bench_run(papers: int, latency: float, concurrency: int, folder: Path | None = None,
              truth: Path | None = None, single_slot: bool = False, timeout: float = 60.0) -> dict:
    """Whole pipeline against a stand-in endpoint in another process; wall time vs the ideal. With a
    folder of real papers and their truth, the stand-in answers each paper's truth as printed.
    With `single_slot` the stand-in serves one request at a time, like a llama.cpp server: the
    ideal is then N·latency, and the figures say where the pacer settled and what it sent."""
    import math
    import tempfile

    from .run.runner import run_live
    from .settings import Settings

    with tempfile.TemporaryDirectory() as tmp:
        extra = []
        if folder is None:
            folder = Path(tmp) / "in"
            _sample_pdfs(folder, papers)
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
    truth = {e["file"]: e for e in json.loads(truth_path.read_text())}
    papers = {}
    for name in truth:
        with contextlib.suppress(PdfError):
            if (folder / name).exists():
                papers[name] = read_metadata(extract(folder / name))
    path = tmp / "readings.json"
    path.write_text(json.dumps(_truth_readings(papers, truth)[0], ensure_ascii=False))
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

    from .extract.readers import discover

    server = subprocess.Popen([sys.executable, "-m", "pipeline.standin", *standin_args], stdout=subprocess.PIPE, text=True)
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


_FIRST_LOOKUP = """
import time, pipeline.names.institutions
from pipeline.names import registry
start = time.perf_counter()
registry.identify("Tsinghua University")
print((time.perf_counter() - start) * 1000)
"""
_READER_RSS = """
import sys, pipeline.metadata
from pipeline.names import registry
from pipeline.extract.pdf import extract
def rss():
    return next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmRSS:")) / 1024
before = rss()
registry.identify("Tsinghua University")
opened = rss()
for path in sys.argv[1:]:
    pipeline.metadata.read_metadata(extract(path))
print(before, opened, rss())
"""


def _lookup_ms(paper: Paper) -> float:
    """Milliseconds of the registry lookups the reader makes for one paper's institutions, with the
    lookup caches emptied first."""
    from .names import registry

    registry.by_id.cache_clear()
    registry._matches.cache_clear()
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
    import subprocess

    from .brief.validate import check

    truth = {entry["file"]: entry for entry in json.loads(truth_path.read_text())}
    paths = {name: folder / name for name in sorted(truth) if (folder / name).exists()}
    first = min(float(subprocess.run([sys.executable, "-c", _FIRST_LOOKUP], capture_output=True, text=True,
                                     check=True).stdout) for _ in range(3))
    rss = [float(v) for v in subprocess.run([sys.executable, "-c", _READER_RSS, *map(str, list(paths.values())[:20])],
                                            capture_output=True, text=True, check=True).stdout.split()]
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


def _labels_of(paper: Paper) -> list[str]:
    """The registry's Chinese label of each of the paper's institutions that it labels."""
    from .names import registry

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


def bench_batch(papers: int, delay: float) -> dict:
    """A --batch run against a stand-in whose batches complete after `delay` seconds: the time
    outside that delay, CPU per paper and peak memory are what this machine adds."""
    import tempfile

    from .run.batches import run_provider_batches
    from .settings import Settings

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "in"
        written = time.perf_counter()
        _sample_pdfs(folder, papers)
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline.bench", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    ext = sub.add_parser("extract", help="score metadata extraction against a ground-truth manifest")
    ext.add_argument("folder", type=Path, help="folder of the PDFs (or of a pdfs/ folder holding them)")
    ext.add_argument("--truth", type=Path, required=True, help="ground-truth manifest (JSON)")
    ext.add_argument("--misses", type=Path, default=Path("outputs/bench-misses.json"),
                     help="where to write the table of misses (default: %(default)s)")
    ext.add_argument("--llm", nargs="?", const="truth", choices=("truth", "sloppy", "position", "usual", "usual-zh"),
                     default="",
                     help="read every header through the brief call against the project's stand-in, answering each "
                          "paper's truth as page 1 prints it (truth), with one planted reading error per first answer "
                          "(sloppy), reading each header line by line as a small model does (position), or with the "
                          "institutions in their usual full forms (usual) or Chinese names (usual-zh); no network "
                          "(default: off; --llm alone: truth)")
    run = sub.add_parser("run", help="throughput of the whole pipeline against a stand-in endpoint")
    run.add_argument("--papers", type=int, default=200, help="generated papers to brief (default: %(default)s)")
    run.add_argument("--latency", type=float, default=0.5,
                     help="seconds the stand-in takes to answer one request (default: %(default)s)")
    run.add_argument("--concurrency", type=int, default=16, help="LLM calls in flight at once (default: %(default)s)")
    run.add_argument("--folder", type=Path, help="real PDFs instead of the generated samples (e.g. the corpus)")
    run.add_argument("--truth", type=Path, help="with --folder: a manifest whose truth the stand-in answers")
    run.add_argument("--single-slot", action="store_true", help="the stand-in serves one request at a time (llama.cpp)")
    run.add_argument("--timeout", type=float, default=60.0, help="seconds per call before it is retried (default: %(default)s)")
    run.add_argument("--batch", action="store_true", help="through the Batch API (the stand-in's files and batches)")
    run.add_argument("--batch-delay", type=float, default=2.0,
                     help="with --batch: seconds the stand-in takes to complete a batch (default: %(default)s)")
    reg = sub.add_parser("registry", help="the registry's lookup costs and the Chinese-label institution check")
    reg.add_argument("folder", type=Path, help="folder of the PDFs")
    reg.add_argument("--truth", type=Path, required=True, help="ground-truth manifest (JSON)")
    args = parser.parse_args(argv)
    if args.command == "registry":
        f = bench_registry(args.folder, args.truth)
        print(f"first lookup           {f['first_lookup_ms']:.1f} ms in a fresh process (after importing the reader)")
        print(f"lookups per paper      median {f['lookup_ms_per_paper_median']:.2f} ms, max {f['lookup_ms_per_paper_max']:.2f} ms "
              f"(the table's pages read for the first time, {f['institutions']} institutions); once cached: median "
              f"{f['warm_lookup_ms_per_paper_median']:.2f} ms, max {f['warm_lookup_ms_per_paper_max']:.2f} ms")
        before, opened, after = f["reader_rss_mb"]
        print(f"reader RSS             {before:.0f} MB before the table, {opened:.0f} MB opened, {after:.0f} MB after 20 papers")
        print(f"Chinese labels         {f['labelled_accepted']} of {f['labelled']} of the papers' own accepted; "
              f"{f['other_rejected']} of {f['other_labels']} of another paper's rejected")
        return 0
    if args.command == "run" and args.batch:
        f = bench_batch(args.papers, args.batch_delay)
        print(f"papers {f['papers']} (briefed {f['briefed']}) through the Batch API, completion delay {args.batch_delay}s")
        print(f"wall {f['wall_s']:.2f}s, outside the completion delay {f['outside_delay_s']:.2f}s")
        print(f"CPU {f['cpu_ms_per_paper']:.1f} ms/paper   peak RSS {f['peak_rss_mb']:.0f} MB")
        return 0
    if args.command == "run":
        f = bench_run(args.papers, args.latency, args.concurrency, args.folder, args.truth, args.single_slot, args.timeout)
        print(f"papers {f['papers']} (briefed {f['briefed']}), latency {args.latency}s, concurrency {args.concurrency}"
              + (f", single slot, timeout {args.timeout:g}s" if args.single_slot else ""))
        print(f"requests sent {f['requests']}, calls in flight at the end {f['settled_concurrency']}")
        print(f"wall {f['wall_s']:.2f}s  ideal {f['ideal_s']:.2f}s  ratio {f['ratio']:.3f}")
        print(f"CPU outside the LLM wait {f['cpu_ms_per_paper']:.1f} ms/paper   peak RSS {f['peak_rss_mb']:.0f} MB")
        print(f"tokens per paper: prompt {f['prompt_tokens_per_paper']:.0f}, completion {f['completion_tokens_per_paper']:.0f}")
        return 0
    if args.command == "extract":
        args.misses.parent.mkdir(parents=True, exist_ok=True)
        result = bench_extract(args.folder, args.truth, args.misses, llm=args.llm)
        print("mode                   " + (f"model reading ({args.llm} stand-in), grounded, decided with the rules"
                                             if args.llm else "rules only"))
        f = result["figures"]
        print(f"papers                 {f['papers']}")
        print(f"title exact            {f['title_exact_pct']:.1f}%  (case and punctuation kept: {f['title_as_printed_pct']:.1f}%)")
        print(f"author count exact     {f['author_count_exact_pct']:.1f}%")
        print(f"institutions P/R/F1    {f['institutions_precision']:.3f} / {f['institutions_recall']:.3f} / {f['institutions_f1']:.3f}")
        print(f"institutions exact     {f['institutions_exact_pct']:.1f}% of papers (every truth name matched, nothing else listed)")
        print(f"abstract found         {f['abstract_pct']:.1f}%")
        print(f"confidence             flags {f['wrong_flagged_pct']:.0f}% of the {f['wrong_fields']} wrong fields, "
              f"{f['right_flagged_pct']:.1f}% of the right ones")
        for field, c in f["flags_by_field"].items():
            print(f"  {field:<20} flags {c['wrong_flagged']} of {c['wrong']} wrong, {c['right_flagged']} of {c['right']} right")
        print(f"ms per paper           median {f['median_ms']:.1f}  p95 {f['p95_ms']:.1f}  (rules reading)")
        print(f"prompt tokens          median {f['prompt_tokens_median']:.0f}  p95 {f['prompt_tokens_p95']:.0f}  (the brief request)")
        if args.llm:
            print(f"header carries         {100 * f['carried'] / max(1, f['truth_institutions']):.1f}% of the truth's "
                  f"{f['truth_institutions']} institutions in a printed form")
            print(f"model calls            {f['calls']} for {f['papers']} papers ({f['repaired']} repaired), "
                  f"{f['briefed']} briefed")
            print(f"planted errors         {f['planted_published']} published")
            print(f"decision               the model's reading overruled in {f['overruled']} fields, "
                  f"{f['unsettled']} fields unsettled (marked)")
            for field, c in f["against_rules"].items():
                print(f"  {field:<20} right as published {c['published']}, in the rules' own reading {c['rules']}; "
                      f"a right rules reading replaced by a wrong one {c['replaced']}")
        print(f"misses                 {len(result['misses'])} papers, table in {args.misses}")
        for row in result["misses"]:
            print(f"  {row['file']}: " + "; ".join(k for k in row if k != "file"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
