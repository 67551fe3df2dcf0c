"""Iterating on the prompt: rerun one paper, compare variants, regress against a cassette."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

from ..render.escape import terminal, terminal_line
from .common import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, folder_error, input_files, store_path, usage
from .options import (
    build_settings,
    call_options,
    cassette_option,
    concurrency_option,
    dry_run_option,
    endpoint_options,
    inputs_argument,
    json_option,
    match_option,
    model_option,
    output_option,
    prompt_option,
    wait_option,
)


def _rerun(args: argparse.Namespace) -> int:
    """Brief one PDF again with a (tweaked) prompt, show old and new side by side, update the report."""
    from ..extract.inputs import PdfError
    from ..run.diff import side_by_side
    from ..run.rerun import NotInReport, rerun_paper

    if folder_error(args.output):
        return usage(folder_error(args.output))
    if not Path(args.pdf).exists():
        return usage(f"{args.pdf}: no such file")
    try:
        settings = build_settings(args)
        if args.dry_run:
            return _dry_rerun(args, settings)
        if settings.cassette:  # a cassette that cannot be used is named before the PDF is read
            from ..run.cassette import check_cassette

            check_cassette(settings.cassette)
        outcome = asyncio.run(rerun_paper(settings, Path(args.pdf), Path(args.output), add=args.add))
    except NotInReport as exc:
        return usage(str(exc))
    except PdfError as exc:
        print(terminal_line(f"paperbrief: {args.pdf}: {exc}"), file=sys.stderr)
        return EXIT_FAILED
    print(terminal(side_by_side(outcome.old, outcome.new)))
    reused = outcome.new.brief is not None and outcome.new.brief.cached
    where = (f"the new brief failed: the report in {args.output} keeps the earlier one" if outcome.kept_old
             else f"report updated in {args.output}")
    print(f"{outcome.calls} LLM call(s)" + (" (a passing brief of this prompt was in the run store)" if reused else "")
          + f"; {where}")
    return EXIT_OK if outcome.new.ok else EXIT_FAILED


def _dry_rerun(args: argparse.Namespace, settings) -> int:
    """`rerun --dry-run`: the rendered prompt, its fingerprint, and whether a rerun would call."""
    from ..brief.prompts import prompt_for, render_prompt
    from ..extract.inputs import PdfError
    from ..models import ReadFailure
    from ..run.reads import read_one

    paper = asyncio.run(read_one(Path(args.pdf), settings))
    if isinstance(paper, ReadFailure):
        raise PdfError(paper.reason)
    prompt = prompt_for(settings)
    rendered = render_prompt(prompt, paper, settings.model)
    for message in rendered.messages:
        print(terminal(f"--- {message['role']} ---\n{message['content']}"))
    print(f"--- model {rendered.model} {rendered.parameters}\nfingerprint {rendered.fingerprint}")
    print(_stored_plan(Path(args.output), paper, prompt, settings.model))
    return EXIT_OK


def _stored_plan(output: Path, paper, prompt, model: str | None) -> str:
    """What `rerun` would do with this prompt: reuse a passing stored brief, or send the paper
    (again, when its stored brief failed)."""
    from ..run.flow import PaperFlow
    from ..run.store import RunStore

    plan = "new"
    if store_path(output).is_file():
        store = RunStore(store_path(output), readonly=True)
        try:
            plan = PaperFlow(prompt, model, store).plan(paper)
        finally:
            store.close()
    if plan == "reuse":
        return f"a passing brief of this prompt is in {store_path(output)}: rerun reuses it, no call"
    again = "its stored brief of this prompt failed, so " if plan == "again" else ""
    return f"{again}rerun sends 1 request (2 when the answer needs the repair request)"


def _compare(args: argparse.Namespace) -> int:
    """Brief every paper with every (prompt, model) variant and write compare.html and compare.md."""
    from ..run.compare import HTML_NAME, ComparisonInterrupted, ComparisonStopped, run_comparison, variants, write_comparison

    files, no_files = input_files(args.inputs)
    if no_files:
        return usage(no_files)
    output = Path(args.output)
    if folder_error(args.output):
        return usage(folder_error(args.output))
    try:
        settings = build_settings(args, prompt=None, model=None)  # compare's --prompt and --model are the variants
        chosen = variants(settings, args.prompt or [settings.prompt], args.model or [])
        if len(chosen) < 2:
            return usage("compare needs two variants at least: two --prompt files, or two --model names")
        if args.dry_run:
            return _dry_compare(settings, chosen, files, output)
        settings.require_endpoint()
        comparison = asyncio.run(run_comparison(settings, chosen, files, output))
        write_comparison(comparison, output)
    except ComparisonStopped as exc:
        shown = ""
        if exc.partial is not None:
            write_comparison(exc.partial, output)
            shown = f"; {output / HTML_NAME} compares what was done"
        unfinished = f"; could not finish variant(s) {', '.join(exc.unfinished)}" if exc.unfinished else ""
        print(terminal_line(f"paperbrief: {exc}{unfinished}; briefs paid for so far are kept in "
                            f"{store_path(output)}{shown}"), file=sys.stderr)
        return EXIT_INTERRUPTED if isinstance(exc, ComparisonInterrupted) else EXIT_FAILED
    _print_comparison(comparison, output)
    return EXIT_FAILED if comparison.any_failed else EXIT_OK


def _dry_compare(settings, chosen, files: list[Path], output: Path) -> int:
    """`compare --dry-run`: the calls each variant would make; none is made."""
    from ..run.compare import planned_calls

    plans = planned_calls(settings, chosen, files, output)
    for variant in chosen:
        plan = plans[variant.name]
        again = f", {plan.failed_before} of them failed before and are sent again" if plan.failed_before else ""
        print(terminal(f"{variant.name}: {variant.label}: {plan.to_send} call(s) for {len(files)} file(s)"
                       f"{again}; {plan.reused} passing brief(s) reused"))
    sent = sum(p.to_send for p in plans.values())
    print(f"{sent} call(s) in all, {sent}–{2 * sent} request(s): one per paper, two when its answer needs "
          f"the repair request (retries come on top); passing briefs come from {store_path(output)}")
    return EXIT_OK


def _print_comparison(comparison, output: Path) -> None:
    from ..run.compare import HTML_NAME, MD_NAME

    for s in comparison.summaries:
        print(terminal(f"{s.variant.name}: {s.variant.label}: {s.first_answer} at the first answer, "
                       f"{s.after_repair} after repair, {s.failed} failed, {s.new_calls} new brief(s), {s.requests} request(s) sent; "
                       f"{s.names_dropped} name(s) lost to grounding, {s.readings_differ} paper(s) read unlike the rules"))
    print(f"-> {output / HTML_NAME}, {output / MD_NAME}")


def _regress(args: argparse.Namespace) -> int:
    """Replay a cassette offline and check every paper: prompt unchanged, validators pass, golden equal."""
    from ..brief.prompts import prompt_for
    from ..run.regress import regress

    folder = Path(args.input_dir)
    if not folder.exists():
        return usage(f"{folder}: no such file or folder")
    if not args.cassette.exists():
        return usage(f"{args.cassette}: cassette file not found")
    # the same settings as record: a cassette recorded under PAPERBRIEF_MODEL replays under it
    settings = build_settings(args)
    prompt = prompt_for(settings)
    golden = None
    if args.golden:
        from ..models import Report

        golden = _golden(Path(args.golden), Report)
    rows = regress([folder], args.cassette, prompt, golden, settings)  # a folder of PDFs, or one PDF
    if args.json:
        print(json.dumps([{**r.model_dump(), "ok": r.ok} for r in rows], ensure_ascii=False, indent=2))
    else:
        _print_regress_rows(rows)
    bad = [r.file for r in rows if not r.ok]
    if bad:
        print(terminal(f"{len(bad)} of {len(rows)} papers do not hold: {', '.join(bad)}"), file=sys.stderr)
        return EXIT_FAILED
    print(f"all {len(rows)} papers hold", file=sys.stderr)
    return EXIT_OK


def _print_regress_rows(rows) -> None:
    from ..run.diff import two_texts
    from ..run.regress import prompt_verdict, shared_changes

    shared = shared_changes(rows)
    for change, n in shared.items():  # said once, with the papers it touches
        print(terminal(f"prompt changed for {n} of {len(rows)} papers, re-record: {change}"))
    print(f"{'paper':40} {'prompt':10} {'validators':10} {'golden':8}")
    for r in rows:
        prompt_state = prompt_verdict(r)
        golden_state = "-" if r.golden_matches is None else ("same" if r.golden_matches else "DIFFERS")
        valid_state = "pass" if r.validators_pass else ("-" if not r.prompt_matches else "FAIL")
        print(terminal(f"{r.file[:40]:40} {prompt_state:10} {valid_state:10} {golden_state:8}"))
        if r.error:
            print(terminal(f"    error: {r.error}"))
        own = [part for part in dict.fromkeys(r.prompt_diff.split("; ")) if part and part not in shared]
        if own:
            print(terminal(f"    prompt changed, re-record: {'; '.join(own)}"))
        if r.reading_changed:
            print(f"    reading changed since recorded ({r.reading_changed}): the recorded answer was checked "
                  f"against today's reading; re-record to refresh it")
        for failed in r.failed_checks:
            print(terminal(f"    validator failed: {failed}"))
        if r.golden_matches is False and (r.golden_brief is not None or not r.digest_moves):
            golden = r.golden_brief if r.golden_brief is not None else "(the golden report holds no brief of it)"
            print(terminal("    " + two_texts(("golden", golden), ("replayed", r.brief)).replace("\n", "\n    ")))
        if r.digest_moves:
            print(terminal(f"    the digest moved it: {'; '.join(r.digest_moves)}"))


def _golden(path: Path, report_type):
    """The golden report.json, or a SettingsError line naming it."""
    from pydantic import ValidationError

    from ..settings import SettingsError

    try:
        return report_type.model_validate_json(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsError(f"{path}: cannot read the golden report ({getattr(exc, 'strerror', None) or exc})") from None
    except ValidationError as exc:
        raise SettingsError(f"{path}: not a report.json ({exc.errors()[0]['msg']})") from None


def add_rerun(sub, first_line) -> None:
    rerun = sub.add_parser("rerun", help=first_line(_rerun), description=_rerun.__doc__)
    rerun.add_argument("pdf")
    output_option(rerun, "output folder holding the report (default: outputs)")
    prompt_option(rerun)
    model_option(rerun, "model name")
    dry_run_option(rerun, "print the rendered prompt and its fingerprint; no call")
    rerun.add_argument("--add", action="store_true",
                       help="add the paper to the report when the report does not hold it (default: refuse)")
    cassette_option(rerun, "replay from this cassette instead of calling")
    endpoint_options(rerun)
    call_options(rerun)
    wait_option(rerun)
    match_option(rerun)
    rerun.set_defaults(handler=_rerun)


def add_compare(sub, first_line) -> None:
    compare = sub.add_parser("compare", help=first_line(_compare), description=_compare.__doc__)
    inputs_argument(compare)
    prompt_option(compare, "a prompt YAML; give it once per prompt to compare", many=True)
    model_option(compare, "a model name; every prompt runs with every model given", many=True)
    output_option(compare, "folder for compare.html, compare.md and the run store it reuses (default: outputs)")
    cassette_option(compare, "replay recorded responses from this cassette")
    concurrency_option(compare)
    endpoint_options(compare)
    call_options(compare)
    dry_run_option(compare, "say how many calls each variant would make; no call")
    match_option(compare)
    compare.set_defaults(handler=_compare)


def add_regress(sub, first_line) -> None:
    regress = sub.add_parser("regress", help=first_line(_regress), description=_regress.__doc__)
    regress.add_argument("input_dir", metavar="INPUT", help="a folder of PDFs, or one PDF")
    cassette_option(regress, None, required=True)
    prompt_option(regress)
    model_option(regress, "model name (default: the prompt's)")
    regress.add_argument("--golden", help="a report.json whose briefs the recordings must equal")
    json_option(regress, "machine-readable output")
    match_option(regress)
    regress.set_defaults(handler=_regress)
