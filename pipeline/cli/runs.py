"""run, record, and the provider batches of `run --batch` with their status and cancel."""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

from ..render.escape import terminal_line
from .common import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, folder_error, input_files, store_path, usage
from .options import (
    build_settings,
    call_options,
    cassette_option,
    concurrency_option,
    endpoint_options,
    inputs_argument,
    match_option,
    model_option,
    output_option,
    prompt_option,
    wait_option,
)


def _run(args: argparse.Namespace) -> int:
    """Summarize the PDFs named (files, or folders of PDFs) into OUTPUT_DIR/report.md and report.json."""
    return _run_papers(args, record=False)


def _record(args: argparse.Namespace) -> int:
    """Run the prompt on the PDFs named (files or folders) against the live endpoint and write a vcrpy cassette."""
    return _run_papers(args, record=True)


def _run_papers(args: argparse.Namespace, record: bool) -> int:
    from ..run.runner import RunAborted, run_live

    files, no_files = input_files(args.inputs)
    if no_files:
        return usage(no_files)
    if folder_error(args.output):
        return usage(folder_error(args.output))
    if getattr(args, "repair", None) and not args.batch:
        return usage("--repair only applies to run --batch (a live run repairs with a live call)")
    settings = build_settings(args, record=record,
                              repair_live=(args.repair == "live") if getattr(args, "repair", None) else None,
                              keep_all=getattr(args, "keep_all", False) or None, new_only=getattr(args, "new", False) or None)
    settings.require_endpoint()
    output = Path(args.output) if args.output else Path(tempfile.mkdtemp(prefix="paperbrief-record-"))
    if getattr(args, "batch", False):
        return _provider_batch(settings, files, output)
    try:
        report = asyncio.run(run_live(settings, files, output, keep_reruns=not getattr(args, "replace_reruns", False)))
    except RunAborted as exc:
        _summary_of_stop(settings, record, output)
        print(terminal_line(f"paperbrief: {exc}; every paper's line is in {output / 'report.md'}"), file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        _summary_of_stop(settings, record, output)
        print(f"paperbrief: interrupted; finished papers are kept in {output}", file=sys.stderr)
        return EXIT_INTERRUPTED
    _summary(report, settings, record, output)
    return _list_failures(report)


def _summary(report, settings, record: bool, output: Path) -> None:
    """At most two short lines: what the papers came to, and what was sent (or replayed); then a line
    for briefs an earlier rerun keeps, and one for a configured digest, only when there are any."""
    usage_of = [r.brief.usage for r in report.results if r.brief and not r.brief.cached]
    tokens = sum(u.prompt_tokens + u.completion_tokens for u in usage_of)
    stored = sum(1 for r in report.results if r.brief and r.brief.cached)
    replayed = bool(settings.cassette) and not record
    print(f"{len(report.briefed)} briefed, {failed_line(report)}; {len(usage_of)} {'replayed' if replayed else 'paid'} "
          f"briefs ({tokens} tokens), {stored} from the run store -> {output / 'report.md'}")
    print(f"{requests_line(report, settings.concurrency, replayed)}{readings_line(report)}")
    if report.reruns_kept:
        print(f"kept {len(report.reruns_kept)} brief(s) an earlier rerun published with another prompt "
              f"({', '.join(report.reruns_kept[:3])}{', ...' if len(report.reruns_kept) > 3 else ''}); "
              "--replace-reruns briefs them with this run's prompt")
    if digest_line(report):
        print(digest_line(report))


def digest_line(report) -> str:
    """What a configured digest left out, and (with --new) how many papers are new: '' for a plain run."""
    parts = [f"本期新增 {len(report.digest)} 篇 ({len(report.published_before)} published in earlier digests)"
             if report.new_only else "",
             f"{len(report.off_theme)} judged off the theme, listed at the digest's end (--keep-all keeps them)"
             if report.off_theme else ""]
    return "; ".join(p for p in parts if p)


def _summary_of_stop(settings, record: bool, output: Path) -> None:
    """A stopped run's summary, from the report it wrote on the way out (none when it could not be written)."""
    from ..render.report import load_report

    try:
        report = load_report(output)
    except (OSError, ValueError):
        report = None
    if report is not None:
        _summary(report, settings, record, output)


def readings_line(report) -> str:
    """Where the model's reading differed from the rules', lost to them (a weak model's mark), or
    left fields unsettled (marked （待核实） in the report); empty when none did."""
    differ = sum(1 for r in report.results if r.paper and r.paper.disagreements)
    parts = [f"{report.overruled} field(s) overruled" if report.overruled else "",
             f"{report.unsettled} unsettled （待核实）" if report.unsettled else ""]
    inside = f" ({', '.join(p for p in parts if p)})" if any(parts) else ""
    return f"; {differ} reading(s) differ from the rules'{inside}" if differ or inside else ""


def failed_line(report) -> str:
    """'N failed', with the count of each kind of failure (failures.KINDS) when there are any."""
    from ..run.failures import counts

    by_kind = counts(report.results)
    return f"{len(report.failed)} failed" + (f" ({', '.join(f'{n} {k}' for k, n in by_kind.items())})" if by_kind else "")


def _list_failures(report) -> int:
    """One line per failed paper (kind and reason) on stderr; the exit code their kinds give."""
    from ..run.failures import exit_code

    for result in report.failed:
        kind = f" [{result.failure.kind}]" if result.failure else ""
        print(terminal_line(f"  FAILED {result.file}{kind}: {result.error}"), file=sys.stderr)
    return exit_code(report.results)


def requests_line(report, concurrency: int, replayed: bool = False) -> str:
    """What was sent, as the endpoint counts it (a replay sends nothing: what it replayed): every
    request, first answers, repairs and retries apart, and the calls in flight the run was paced
    down to when that is fewer than asked."""
    answers = sum(1 for r in report.results if r.requests)
    repairs = sum(r.brief.attempts - 1 for r in report.results if r.requests and r.brief and not r.brief.cached)
    retried = max(0, report.requests - answers - repairs)
    if replayed:
        return f"nothing sent: {report.requests} replayed ({answers} first answer(s), {repairs} repair(s))"
    line = (f"{report.requests} request(s) sent ({answers} first answer(s), {repairs} repair(s), "
            f"{retried} retried)")
    if report.concurrency is not None and report.concurrency < concurrency:
        line += f", settled at {report.concurrency} call(s) in flight of --concurrency {concurrency}"
    return line


async def _locked_provider_batches(settings, files: list[Path], output: Path):
    """`run --batch` holds the output folder like a live run: two never submit the same papers."""
    from ..run.batches import run_provider_batches
    from ..run.folder_lock import folder_lock

    async with folder_lock(output, "paperbrief run --batch", settings.wait):
        return await run_provider_batches(settings, files, output)


def _provider_batch(settings, files: list[Path], output: Path) -> int:
    """`run --batch`: the provider's Batch API; resumable, so Ctrl-C only stops the waiting."""
    from ..llm import EndpointUnusable, LLMError

    if settings.cassette:
        return usage("--batch needs a live endpoint; it cannot replay a cassette")
    try:
        report = asyncio.run(_locked_provider_batches(settings, files, output))
    except KeyboardInterrupt:
        print(f"paperbrief: stopped waiting; the batches go on at the provider. Run the same command again to "
              f"collect them (paperbrief status {output})", file=sys.stderr)
        return EXIT_INTERRUPTED
    except (EndpointUnusable, LLMError) as exc:
        print(f"paperbrief: {exc}; what was submitted is kept in {store_path(output)}", file=sys.stderr)
        return EXIT_FAILED
    usage_of = [r.brief.usage for r in report.results if r.brief]
    prompt_tokens = sum(u.prompt_tokens for u in usage_of)
    completion_tokens = sum(u.completion_tokens for u in usage_of)
    cost = "unknown price" if report.batch_cost_usd is None else f"about ${report.batch_cost_usd:.4f} at batch prices"
    print(f"{len(report.briefed)} briefed, {failed_line(report)} through provider batches "
          f"({prompt_tokens} prompt + {completion_tokens} completion tokens, {cost}){readings_line(report)}; "
          f"{report.requests} request(s) sent by this run -> {output / 'report.md'}")
    if digest_line(report):
        print(digest_line(report))
    return _list_failures(report)


def _status(args: argparse.Namespace) -> int:
    """Print the state of every provider batch of an output folder."""
    return _provider_batches(args, cancel=False)


def _cancel(args: argparse.Namespace) -> int:
    """Cancel every provider batch of an output folder that is still running."""
    return _provider_batches(args, cancel=True)


def _provider_batches(args: argparse.Namespace, cancel: bool) -> int:
    from ..llm import LLMError
    from ..run.batches import batch_states

    output = Path(args.output_dir)
    if not store_path(output).exists():
        return usage(f"{output}: no run store here ({store_path(output).name})")
    try:
        settings = build_settings(args)
        states = asyncio.run(batch_states(settings, output, cancel=cancel))
    except LLMError as exc:
        print(f"paperbrief: {exc}", file=sys.stderr)
        return EXIT_FAILED
    if not states:
        print(f"no provider batches in {output}")
    for state in states:
        print(f"{state.id:40} {state.status:12} {state.completed} completed, {state.failed} failed of {state.total}")
    return EXIT_OK


def add_run(sub, first_line) -> None:
    run = sub.add_parser("run", help=first_line(_run), description=_run.__doc__)
    _run_options(run, cassette_help="replay recorded responses from this vcrpy cassette (no network, no key)")
    run.add_argument("--replace-reruns", action="store_true",
                     help="brief again, with this run's prompt, the papers whose brief an earlier rerun published (kept by default)")
    run.add_argument("--batch", action="store_true",
                     help="send the requests through the provider's Batch API (about half the price, within 24 h)")
    run.add_argument("--repair", choices=("batch", "live"), default=None,
                     help="with --batch: ask for a failed answer's repair in a follow-up batch (default) or live")
    run.add_argument("--keep-all", action="store_true",
                     help="with theme: in paperbrief.yaml, keep the papers judged off the theme in the digest")
    run.add_argument("--new", action="store_true",
                     help="publish only the papers no earlier digest in OUTPUT_DIR published (the same file, or the same "
                          "arXiv id in another version); each digest is kept in OUTPUT_DIR/archive/<date>/")
    match_option(run)
    run.set_defaults(handler=_run)


def add_record(sub, first_line) -> None:
    record = sub.add_parser("record", help=first_line(_record), description=_record.__doc__)
    _run_options(record, cassette_help="cassette file to write (Authorization and keys filtered)", cassette_required=True)
    record.set_defaults(handler=_record)


def add_status_and_cancel(sub, first_line) -> None:
    for name, handler in (("status", _status), ("cancel", _cancel)):
        command = sub.add_parser(name, help=first_line(handler), description=handler.__doc__)
        command.add_argument("output_dir", metavar="OUTPUT_DIR")
        endpoint_options(command)
        command.set_defaults(handler=handler)


def _run_options(run: argparse.ArgumentParser, cassette_help: str, cassette_required: bool = False) -> None:
    inputs_argument(run)
    if cassette_required:  # record: the cassette is the product; its report must not replace outputs/
        output_option(run, "folder for the recording run's report (default: a new temporary folder)", default=None)
    else:
        output_option(run, "output folder (default: outputs)")
    prompt_option(run)
    model_option(run, "model name (default: $PAPERBRIEF_MODEL or the prompt's model)")
    concurrency_option(run)
    run.add_argument("--title", help="report title")
    cassette_option(run, cassette_help, required=cassette_required)
    endpoint_options(run)
    call_options(run)
    wait_option(run)
