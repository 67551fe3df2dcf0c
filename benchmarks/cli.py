"""Benchmarks: `python -m benchmarks extract DIR --truth MANIFEST`, `... run` and `... registry`
(`python -m pipeline.bench ...` in a source checkout). Speed and accuracy targets live here, never in timed unit tests.
"""

from __future__ import annotations

import argparse
from pathlib import Path

# Each command imports its own module when it runs: `run` reports the peak memory of the pipeline,
# which the other benches' imports (PDFium, the stand-in, the scoring) would otherwise swell.

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
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
    small = sub.add_parser("inspect", help="how long `paperbrief inspect PDF` takes from a fresh process")
    small.add_argument("pdf", type=Path, help="one PDF")
    small.add_argument("--runs", type=int, default=5, help="fresh processes to time (default: %(default)s)")
    args = parser.parse_args(argv)
    if args.command == "inspect":
        from .commands import bench_inspect

        f = bench_inspect(args.pdf, args.runs)
        print(f"inspect one PDF        median {f['inspect_median_s']:.2f} s, best {f['inspect_best_s']:.2f} s "
              f"({f['runs']} fresh processes; target < 0.5 s on a quiet machine)")
        print(f"--help                 median {f['help_median_s']:.2f} s")
        return 0
    if args.command == "registry":
        from .registry import bench_registry

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
        from .throughput import bench_batch

        f = bench_batch(args.papers, args.batch_delay)
        print(f"papers {f['papers']} (briefed {f['briefed']}) through the Batch API, completion delay {args.batch_delay}s")
        print(f"wall {f['wall_s']:.2f}s, outside the completion delay {f['outside_delay_s']:.2f}s")
        print(f"CPU {f['cpu_ms_per_paper']:.1f} ms/paper   peak RSS {f['peak_rss_mb']:.0f} MB")
        return 0
    if args.command == "run":
        from .throughput import bench_run

        f = bench_run(args.papers, args.latency, args.concurrency, args.folder, args.truth, args.single_slot, args.timeout)
        print(f"papers {f['papers']} (briefed {f['briefed']}), latency {args.latency}s, concurrency {args.concurrency}"
              + (f", single slot, timeout {args.timeout:g}s" if args.single_slot else ""))
        print(f"requests sent {f['requests']}, calls in flight at the end {f['settled_concurrency']}")
        print(f"wall {f['wall_s']:.2f}s  ideal {f['ideal_s']:.2f}s  ratio {f['ratio']:.3f}")
        print(f"CPU outside the LLM wait {f['cpu_ms_per_paper']:.1f} ms/paper   peak RSS {f['peak_rss_mb']:.0f} MB")
        print(f"tokens per paper: prompt {f['prompt_tokens_per_paper']:.0f}, completion {f['completion_tokens_per_paper']:.0f}")
        return 0
    if args.command == "extract":
        from .extract import bench_extract

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
        print(f"identifiers            arXiv id read on {f['arxiv_read']} of the {f['arxiv_printed']} papers whose page 1 "
              f"prints one ({f['arxiv_read_unprinted']} read where none is printed); DOI read on {f['doi_read']} of "
              f"{f['doi_printed']}")
        print(f"prompt tokens          median {f['prompt_tokens_median']:.0f}  p95 {f['prompt_tokens_p95']:.0f}  (the brief request; "
              f"median {f['digest_prompt_tokens_median']:.0f} with the issue's 8 topics and a theme)")
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

