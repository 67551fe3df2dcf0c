"""paperbrief: turn a folder of research-paper PDFs into a Chinese technical digest."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import signal
import sys
import tempfile
import threading
from pathlib import Path

from .escape import terminal, terminal_line

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED, EXIT_TERMINATED = 0, 1, 2, 130, 143
_terminated: list[bool] = []  # SIGTERM arrived (the exit code says so: 143, not Ctrl-C's 130)


def _run(args: argparse.Namespace) -> int:
    """Summarize the PDFs named (files, or folders of PDFs) into OUTPUT_DIR/report.md and report.json."""
    return _run_papers(args, record=False)


def _record(args: argparse.Namespace) -> int:
    """Run the prompt on the PDFs named (files or folders) against the live endpoint and write a vcrpy cassette."""
    return _run_papers(args, record=True)


# what a user must fix (exit 2, one line): settings, prompts, cassettes, a folder in use, a store or
# folder that cannot be written (damaged, full, read-only)
def _user_errors() -> tuple[type[BaseException], ...]:
    from .cassette import CassetteError
    from .prompts import PromptError
    from .settings import SettingsError
    from .store import FolderInUse, StoreError

    return SettingsError, PromptError, CassetteError, FolderInUse, StoreError, OSError


def _folder_error(output: str | None) -> str:
    """Why OUTPUT cannot be an output folder (an existing file), or ''."""
    if output and Path(output).exists() and not Path(output).is_dir():
        return f"{output}: not a folder (-o names the output folder)"
    return ""


def _os_message(exc: BaseException) -> str:
    """An OSError as `file: cause`; other errors as their own one-line message."""
    if isinstance(exc, OSError):
        return f"{exc.filename or 'output'}: {exc.strerror or exc}"
    return str(exc)


def _run_papers(args: argparse.Namespace, record: bool) -> int:
    from .readers import discover
    from .runner import RunAborted, run_live
    from .settings import Settings

    missing = [p for p in args.inputs if not Path(p).exists()]
    if missing:
        return _usage(f"{missing[0]}: no such file or folder")
    if _folder_error(args.output):
        return _usage(_folder_error(args.output))
    if getattr(args, "repair", None) and not args.batch:
        return _usage("--repair only applies to run --batch (a live run repairs with a live call)")
    settings = Settings.build(model=args.model, prompt=args.prompt, concurrency=args.concurrency, title=args.title,
                              cassette=args.cassette, base_url=args.base_url, api_key=args.api_key,
                              api_key_file=args.api_key_file, record=record, timeout=args.timeout,
                              json_mode=args.json_mode, wait=args.wait or None,
                              system_in_user=args.system_in_user,
                              repair_live=(args.repair == "live") if getattr(args, "repair", None) else None)
    settings.require_endpoint()
    files = discover([Path(p) for p in args.inputs])
    if not files:
        return _usage(f"{' '.join(args.inputs)}: no PDF files found")
    output = Path(args.output) if args.output else Path(tempfile.mkdtemp(prefix="paperbrief-record-"))
    if getattr(args, "batch", False):
        return _provider_batch(settings, files, output)
    try:
        report = asyncio.run(run_live(settings, files, output))
    except RunAborted as exc:
        print(f"paperbrief: {exc}; partial report in {output}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print(f"paperbrief: interrupted; finished papers are kept in {output}", file=sys.stderr)
        return EXIT_INTERRUPTED
    usage = [r.brief.usage for r in report.results if r.brief and not r.brief.cached]
    tokens = sum(u.prompt_tokens + u.completion_tokens for u in usage)
    stored = sum(1 for r in report.results if r.brief and r.brief.cached)
    differ = sum(1 for r in report.results if r.paper and r.paper.disagreements)
    kind = "replayed" if settings.cassette and not record else "paid"
    print(f"{len(report.briefed)} briefed, {failed_line(report)}, {len(usage)} {kind} briefs ({tokens} tokens), "
          f"{stored} from the run store, {differ} where the model's reading and the rules' differ"
          f"{readings_line(report)}; "
          f"{requests_line(report, settings.concurrency)} -> {output / 'report.md'}")
    return _list_failures(report)


def readings_line(report) -> str:
    """How often the model's reading lost to the rules' (a weak model's mark) and how many fields
    were left unsettled (marked （待核实） in the report); empty when neither happened."""
    parts = [f"{report.overruled} field(s) where the rules overruled the model's reading" if report.overruled else "",
             f"{report.unsettled} unsettled field(s) marked （待核实）" if report.unsettled else ""]
    return "".join(f", {p}" for p in parts if p)


def failed_line(report) -> str:
    """'N failed', with the count of each kind of failure (failures.KINDS) when there are any."""
    from .failures import counts

    by_kind = counts(report.results)
    return f"{len(report.failed)} failed" + (f" ({', '.join(f'{n} {k}' for k, n in by_kind.items())})" if by_kind else "")


def _list_failures(report) -> int:
    """One line per failed paper (kind and reason) on stderr; the exit code their kinds give."""
    from .failures import exit_code

    for result in report.failed:
        kind = f" [{result.failure.kind}]" if result.failure else ""
        print(terminal_line(f"  FAILED {result.file}{kind}: {result.error}"), file=sys.stderr)
    return exit_code(report.results)


def requests_line(report, concurrency: int) -> str:
    """What was sent, as the endpoint counts it: every request, first answers, repairs and retries
    apart, and the calls in flight the run was paced down to when that is fewer than asked."""
    answers = sum(1 for r in report.results if r.requests)
    repairs = sum(r.brief.attempts - 1 for r in report.results if r.requests and r.brief and not r.brief.cached)
    retried = max(0, report.requests - answers - repairs)
    line = (f"{report.requests} request(s) sent ({answers} first answer(s), {repairs} repair(s), "
            f"{retried} retried)")
    if report.concurrency is not None and report.concurrency < concurrency:
        line += f", settled at {report.concurrency} call(s) in flight of --concurrency {concurrency}"
    return line


async def _locked_provider_batches(settings, files: list[Path], output: Path):
    """`run --batch` holds the output folder like a live run: two never submit the same papers."""
    from .provider_batch import run_provider_batches
    from .store import folder_lock

    async with folder_lock(output, "paperbrief run --batch", settings.wait):
        return await run_provider_batches(settings, files, output)


def _provider_batch(settings, files: list[Path], output: Path) -> int:
    """`run --batch`: the provider's Batch API; resumable, so Ctrl-C only stops the waiting."""
    from .llm import EndpointUnusable, LLMError

    if settings.cassette:
        return _usage("--batch needs a live endpoint; it cannot replay a cassette")
    try:
        report = asyncio.run(_locked_provider_batches(settings, files, output))
    except KeyboardInterrupt:
        print(f"paperbrief: stopped waiting; the batches go on at the provider. Run the same command again to "
              f"collect them (paperbrief status {output})", file=sys.stderr)
        return EXIT_INTERRUPTED
    except (EndpointUnusable, LLMError) as exc:
        print(f"paperbrief: {exc}; what was submitted is kept in {output / 'runs.sqlite'}", file=sys.stderr)
        return EXIT_FAILED
    usage = [r.brief.usage for r in report.results if r.brief]
    prompt_tokens = sum(u.prompt_tokens for u in usage)
    completion_tokens = sum(u.completion_tokens for u in usage)
    cost = "unknown price" if report.batch_cost_usd is None else f"about ${report.batch_cost_usd:.4f} at batch prices"
    print(f"{len(report.briefed)} briefed, {failed_line(report)} through provider batches "
          f"({prompt_tokens} prompt + {completion_tokens} completion tokens, {cost}){readings_line(report)}; "
          f"{report.requests} request(s) sent by this run -> {output / 'report.md'}")
    return _list_failures(report)


def _status(args: argparse.Namespace) -> int:
    """Print the state of every provider batch of an output folder."""
    return _provider_batches(args, cancel=False)


def _cancel(args: argparse.Namespace) -> int:
    """Cancel every provider batch of an output folder that is still running."""
    return _provider_batches(args, cancel=True)


def _provider_batches(args: argparse.Namespace, cancel: bool) -> int:
    from .llm import LLMError
    from .provider_batch import batch_states
    from .settings import Settings

    output = Path(args.output_dir)
    if not (output / "runs.sqlite").exists():
        return _usage(f"{output}: no run store here (runs.sqlite)")
    try:
        settings = Settings.build(base_url=args.base_url, api_key=args.api_key, api_key_file=args.api_key_file)
        states = asyncio.run(batch_states(settings, output, cancel=cancel))
    except LLMError as exc:
        print(f"paperbrief: {exc}", file=sys.stderr)
        return EXIT_FAILED
    if not states:
        print(f"no provider batches in {output}")
    for state in states:
        print(f"{state.id:40} {state.status:12} {state.completed} completed, {state.failed} failed of {state.total}")
    return EXIT_OK


def _rerun(args: argparse.Namespace) -> int:
    """Brief one PDF again with a (tweaked) prompt, show old and new side by side, update the report."""
    from .diff import side_by_side
    from .models import ReadFailure
    from .pdf import PdfError
    from .prompts import render_prompt
    from .readers import read_one
    from .runner import rerun_paper
    from .settings import Settings

    if _folder_error(args.output):
        return _usage(_folder_error(args.output))
    if not Path(args.pdf).exists():
        return _usage(f"{args.pdf}: no such file")
    try:
        settings = Settings.build(model=args.model, prompt=args.prompt, cassette=args.cassette,
                                  base_url=args.base_url, api_key=args.api_key, api_key_file=args.api_key_file,
                                  wait=args.wait or None, **_call_settings(args))
        if args.dry_run:
            paper = asyncio.run(read_one(Path(args.pdf), settings))
            if isinstance(paper, ReadFailure):
                raise PdfError(paper.reason)
            prompt = settings.prompt_file()
            rendered = render_prompt(prompt, paper, settings.model)
            for message in rendered.messages:
                print(terminal(f"--- {message['role']} ---\n{message['content']}"))
            print(f"--- model {rendered.model} {rendered.parameters}\nfingerprint {rendered.fingerprint}")
            print(_stored_plan(Path(args.output), paper, prompt, settings.model))
            return EXIT_OK
        outcome = asyncio.run(rerun_paper(settings, Path(args.pdf), Path(args.output)))
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


def _stored_plan(output: Path, paper, prompt, model: str | None) -> str:
    """What `rerun` would do with this prompt: reuse a passing stored brief, or send the paper
    (again, when its stored brief failed)."""
    from .flow import PaperFlow
    from .store import STORE_NAME, RunStore

    plan = "new"
    if (output / STORE_NAME).is_file():
        store = RunStore(output / STORE_NAME, readonly=True)
        try:
            plan = PaperFlow(prompt, model, store).plan(paper)
        finally:
            store.close()
    if plan == "reuse":
        return f"a passing brief of this prompt is in {output / STORE_NAME}: rerun reuses it, no call"
    again = "its stored brief of this prompt failed, so " if plan == "again" else ""
    return f"{again}rerun sends 1 request (2 when the answer needs the repair request)"


def _compare(args: argparse.Namespace) -> int:
    """Brief every paper with every (prompt, model) variant and write compare.html and compare.md."""
    from .compare import HTML_NAME, MD_NAME, ComparisonStopped, planned_calls, run_comparison, variants, write_comparison
    from .readers import discover
    from .settings import Settings

    missing = [p for p in args.inputs if not Path(p).exists()]
    if missing:
        return _usage(f"{missing[0]}: no such file or folder")
    files = discover([Path(p) for p in args.inputs])
    if not files:
        return _usage(f"{' '.join(args.inputs)}: no PDF files found")
    output = Path(args.output)
    if _folder_error(args.output):
        return _usage(_folder_error(args.output))
    try:
        settings = Settings.build(concurrency=args.concurrency, cassette=args.cassette, base_url=args.base_url,
                                  api_key=args.api_key, api_key_file=args.api_key_file, **_call_settings(args))
        chosen = variants(settings, args.prompt or [settings.prompt], args.model or [])
        if len(chosen) < 2:
            return _usage("compare needs two variants at least: two --prompt files, or two --model names")
        if args.dry_run:
            plans = planned_calls(settings, chosen, files, output)
            for variant in chosen:
                plan = plans[variant.name]
                again = f", {plan.failed_before} of them failed before and are sent again" if plan.failed_before else ""
                print(terminal(f"{variant.name}: {variant.label}: {plan.to_send} call(s) for {len(files)} file(s)"
                               f"{again}; {plan.reused} passing brief(s) reused"))
            sent = sum(p.to_send for p in plans.values())
            print(f"{sent} call(s) in all, {sent}–{2 * sent} request(s): one per paper, two when its answer needs "
                  f"the repair request (retries come on top); passing briefs come from {output / 'runs.sqlite'}")
            return EXIT_OK
        settings.require_endpoint()
        comparison = asyncio.run(run_comparison(settings, chosen, files, output))
        write_comparison(comparison, output)
    except ComparisonStopped as exc:
        shown = ""
        if exc.partial is not None:
            write_comparison(exc.partial, output)
            shown = f"; {output / HTML_NAME} compares the {len(exc.partial.summaries)} variant(s) that finished"
        print(f"paperbrief: {exc}; briefs paid for so far are kept in {output / 'runs.sqlite'}{shown}", file=sys.stderr)
        return EXIT_FAILED
    for s in comparison.summaries:
        print(terminal(f"{s.variant.name}: {s.variant.label}: {s.first_answer} at the first answer, "
                       f"{s.after_repair} after repair, {s.failed} failed, {s.new_calls} new brief(s), {s.requests} request(s) sent; "
                       f"{s.names_dropped} name(s) lost to grounding, {s.readings_differ} paper(s) read unlike the rules"))
    print(f"-> {output / HTML_NAME}, {output / MD_NAME}")
    return EXIT_FAILED if comparison.any_failed else EXIT_OK


def _regress(args: argparse.Namespace) -> int:
    """Replay a cassette offline and check every paper: prompt unchanged, validators pass, golden equal."""
    from .regress import prompt_verdict, regress
    from .settings import Settings

    folder = Path(args.input_dir)
    if not folder.is_dir():
        return _usage(f"{folder}: not a directory")
    if not args.cassette.exists():
        return _usage(f"{args.cassette}: cassette file not found")
    # the same settings as record: a cassette recorded under PAPERBRIEF_MODEL replays under it
    settings = Settings.build(model=args.model, prompt=args.prompt, cassette=args.cassette)
    prompt = settings.prompt_file()
    golden = None
    if args.golden:
        from .models import Report

        golden = _golden(Path(args.golden), Report)
    rows = regress(folder, args.cassette, prompt, golden, settings)
    if args.json:
        print(json.dumps([{**r.model_dump(), "ok": r.ok} for r in rows], ensure_ascii=False, indent=2))
    else:
        print(f"{'paper':40} {'prompt':10} {'validators':10} {'golden':8}")
        for r in rows:
            prompt_state = prompt_verdict(r)
            golden_state = "-" if r.golden_matches is None else ("same" if r.golden_matches else "DIFFERS")
            valid_state = "pass" if r.validators_pass else ("-" if not r.prompt_matches else "FAIL")
            print(terminal(f"{r.file[:40]:40} {prompt_state:10} {valid_state:10} {golden_state:8}"))
            if r.error:
                print(terminal(f"    error: {r.error}"))
            if r.prompt_diff:
                print(f"    prompt changed, re-record: {r.prompt_diff}")
            if r.reading_changed:
                print(f"    reading changed since recorded ({r.reading_changed}): the recorded answer was checked "
                      f"against today's reading; re-record to refresh it")
            for failed in r.failed_checks:
                print(terminal(f"    validator failed: {failed}"))
    bad = [r.file for r in rows if not r.ok]
    if bad:
        print(terminal(f"{len(bad)} of {len(rows)} papers do not hold: {', '.join(bad)}"), file=sys.stderr)
        return EXIT_FAILED
    print(f"all {len(rows)} papers hold", file=sys.stderr)
    return EXIT_OK


def _golden(path: Path, report_type):
    """The golden report.json, or a SettingsError line naming it."""
    from pydantic import ValidationError

    from .settings import SettingsError

    try:
        return report_type.model_validate_json(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsError(f"{path}: cannot read the golden report ({getattr(exc, 'strerror', None) or exc})") from None
    except ValidationError as exc:
        raise SettingsError(f"{path}: not a report.json ({exc.errors()[0]['msg']})") from None


def _inspect(args: argparse.Namespace) -> int:
    """Print what was read from one PDF (no LLM call; with --llm, the model's reading beside the rules')."""
    from .models import ReadFailure
    from .readers import read_one
    from .settings import Settings

    if not Path(args.pdf).exists():
        return _usage(f"{args.pdf}: no such file")
    paper = asyncio.run(read_one(Path(args.pdf), Settings.build()))  # bounded, as in a run
    if isinstance(paper, ReadFailure) and paper.paper is not None and not args.llm:
        paper = paper.paper  # no title on page 1: inspect shows what was read all the same
    if isinstance(paper, ReadFailure):
        print(terminal_line(f"paperbrief: {args.pdf}: {paper.reason}"), file=sys.stderr)
        return EXIT_FAILED
    fields = {"title": paper.title, "authors": paper.authors, "author_count": paper.author_count,
              "institutions": paper.institutions, "abstract": paper.abstract}
    fields["confidence"] = {name: doubt.model_dump() for name, doubt in paper.confidence.items()}
    if args.llm:
        return _inspect_with_model(args, paper, fields)
    if args.json:
        fields["affiliation_lines"] = paper.affiliation_lines
        fields["header_text"] = paper.header_text
        if args.explain:
            fields["decisions"] = [d.model_dump() for d in paper.decisions]
            fields["rules"] = _thresholds()
        print(json.dumps(fields, ensure_ascii=False, indent=2))
    else:
        _print_fields(fields)
        if args.explain:
            _print_decisions(paper.decisions)
            _print_thresholds()
    return EXIT_OK


def _thresholds() -> list[dict]:
    """The reading rules' thresholds in force (defaults, or paperbrief.yaml's `rules:`), with their reasons."""
    from .rules import explained, in_force

    return explained(in_force())


def _print_thresholds() -> None:
    """One line per threshold: name = value (its reason), marked where paperbrief.yaml changed it."""
    print("thresholds in force:")
    for rule in _thresholds():
        changed = "" if rule["value"] == rule["default"] else f" [default {rule['default']}]"
        print(terminal_line(f"  {rule['name']} = {rule['value']}{changed}  ({rule['reason']})"))


def _print_decisions(decisions) -> None:
    """One line per decision of the rules: what, kept or dropped, by which rule."""
    for d in decisions:
        print(terminal_line(f'{d.field}: {"kept" if d.kept else "dropped"} "{d.value}" (rule: {d.rule})'))


def _print_fields(fields: dict) -> None:
    for key, value in fields.items():
        if key == "confidence":
            value = ", ".join(f"{k} {d['confidence']:.1f}" + (f" ({d['reason']})" if d["reason"] else "") for k, d in value.items())
        print(terminal_line(f"{key}: {', '.join(map(str, value)) if isinstance(value, list) else value}"))


def _inspect_with_model(args: argparse.Namespace, read, rules: dict) -> int:
    """Both readings of one paper: the rules', the model's after grounding, what was dropped, what is published."""
    from .failures import exit_code
    from .runner import read_with_model
    from .settings import Settings

    settings = Settings.build(model=args.model, prompt=args.prompt, cassette=args.cassette, base_url=args.base_url,
                              api_key=args.api_key, api_key_file=args.api_key_file, **_call_settings(args))
    settings.require_endpoint()
    result = asyncio.run(read_with_model(settings, read))
    paper, brief = result.paper or read, result.brief  # an internal failure publishes nothing: the rules' reading
    model = paper.model_reading.model_dump() if paper.model_reading else None
    shown = {"rules": {k: rules[k] for k in ("title", "authors", "institutions")}, "model": model,
             "decisions": [d.model_dump() for d in read.decisions] if args.explain else [],
             "dropped": [d.model_dump() for d in brief.dropped] if brief else [],
             "disagreements": paper.disagreements,
             "published": {"title": paper.title, "authors": paper.authors, "author_count": paper.author_count,
                           "institutions": paper.institutions},
             "brief": brief.text if brief else "", "error": result.error,
             "failure": result.failure.kind if result.failure else None}
    code = exit_code([result])
    if args.json:
        print(json.dumps(shown, ensure_ascii=False, indent=2))
        return code
    for name in ("rules", "model", "published"):
        print(f"--- {name} reading ---" if name != "published" else "--- published ---")
        if shown[name] is None:
            print("(no usable answer)")
            continue
        _print_fields(shown[name])
        if name == "rules" and args.explain:
            _print_decisions(read.decisions)
    for drop in shown["dropped"]:
        print(terminal(f"dropped {drop['field']}: {drop['name']} ({drop['reason']})"))
    for note in paper.disagreements:
        print(terminal(f"differs: {note}"))
    print(terminal(f"brief: {shown['brief'] or result.error}"))
    return code


def _usage(message: str) -> int:
    print(terminal_line(f"paperbrief: {message}"), file=sys.stderr)
    return EXIT_USAGE


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="paperbrief", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help=_first_line(_run), description=_run.__doc__)
    _run_options(run, cassette_help="replay recorded responses from this vcrpy cassette (no network, no key)")
    run.add_argument("--batch", action="store_true",
                     help="send the requests through the provider's Batch API (about half the price, within 24 h)")
    run.add_argument("--repair", choices=("batch", "live"), default=None,
                     help="with --batch: ask for a failed answer's repair in a follow-up batch (default) or live")
    _match_option(run)
    run.set_defaults(handler=_run)

    record = sub.add_parser("record", help=_first_line(_record), description=_record.__doc__)
    _run_options(record, cassette_help="cassette file to write (Authorization and keys filtered)", cassette_required=True)
    record.set_defaults(handler=_record)

    rerun = sub.add_parser("rerun", help=_first_line(_rerun), description=_rerun.__doc__)
    rerun.add_argument("pdf")
    rerun.add_argument("-o", "--output", default="outputs", help="output folder holding the report (default: outputs)")
    rerun.add_argument("--prompt", type=Path, help="prompt YAML (default: prompts/brief.yaml)")
    rerun.add_argument("--model", help="model name")
    rerun.add_argument("--dry-run", action="store_true", help="print the rendered prompt and its fingerprint; no call")
    rerun.add_argument("--cassette", type=Path, help="replay from this cassette instead of calling")
    rerun.add_argument("--base-url", help="endpoint (default: $OPENAI_BASE_URL)")
    _key_options(rerun)
    _call_options(rerun)
    _wait_option(rerun)
    _match_option(rerun)
    rerun.set_defaults(handler=_rerun)

    for name, handler in (("status", _status), ("cancel", _cancel)):
        command = sub.add_parser(name, help=_first_line(handler), description=handler.__doc__)
        command.add_argument("output_dir", metavar="OUTPUT_DIR")
        command.add_argument("--base-url", help="endpoint (default: $OPENAI_BASE_URL)")
        _key_options(command)
        command.set_defaults(handler=handler)

    compare = sub.add_parser("compare", help=_first_line(_compare), description=_compare.__doc__)
    compare.add_argument("inputs", nargs="+", metavar="INPUT", help="PDF files and folders of PDFs")
    compare.add_argument("--prompt", type=Path, action="append", help="a prompt YAML; give it once per prompt to compare")
    compare.add_argument("--model", action="append", help="a model name; every prompt runs with every model given")
    compare.add_argument("-o", "--output", default="outputs",
                         help="folder for compare.html, compare.md and the run store it reuses (default: outputs)")
    compare.add_argument("--cassette", type=Path, help="replay recorded responses from this cassette")
    compare.add_argument("--concurrency", type=int, help="LLM calls in flight at once (default: 8)")
    compare.add_argument("--base-url", help="endpoint (default: $OPENAI_BASE_URL)")
    _key_options(compare)
    _call_options(compare)
    compare.add_argument("--dry-run", action="store_true", help="say how many calls each variant would make; no call")
    _match_option(compare)
    compare.set_defaults(handler=_compare)

    regress = sub.add_parser("regress", help=_first_line(_regress), description=_regress.__doc__)
    regress.add_argument("input_dir")
    regress.add_argument("--cassette", type=Path, required=True)
    regress.add_argument("--prompt", type=Path, help="prompt YAML (default: prompts/brief.yaml)")
    regress.add_argument("--model", help="model name (default: the prompt's)")
    regress.add_argument("--golden", help="a report.json whose briefs the recordings must equal")
    regress.add_argument("--json", action="store_true", help="machine-readable output")
    _match_option(regress)
    regress.set_defaults(handler=_regress)

    inspect = sub.add_parser("inspect", help=_first_line(_inspect), description=_inspect.__doc__)
    inspect.add_argument("pdf")
    inspect.add_argument("--json", action="store_true", help="print JSON")
    inspect.add_argument("--explain", action="store_true",
                         help="also print each decision of the rules and the rule that made it, and the thresholds in force "
                              "(with --json: decisions and rules lists)")
    inspect.add_argument("--llm", action="store_true",
                         help="also make the brief call and show the model's reading beside the rules' (or replay --cassette)")
    inspect.add_argument("--cassette", type=Path, help="with --llm: replay the answer from this cassette")
    inspect.add_argument("--prompt", type=Path, help="with --llm: prompt YAML (default: prompts/brief.yaml)")
    inspect.add_argument("--model", help="with --llm: model name")
    inspect.add_argument("--base-url", help="with --llm: endpoint (default: $OPENAI_BASE_URL)")
    _key_options(inspect)
    _call_options(inspect)
    _match_option(inspect)
    inspect.set_defaults(handler=_inspect)
    return parser


def _run_options(run: argparse.ArgumentParser, cassette_help: str, cassette_required: bool = False) -> None:
    run.add_argument("inputs", nargs="+", metavar="INPUT", help="PDF files and folders of PDFs")
    if cassette_required:  # record: the cassette is the product; its report must not replace outputs/
        run.add_argument("-o", "--output", help="folder for the recording run's report (default: a new temporary folder)")
    else:
        run.add_argument("-o", "--output", default="outputs", help="output folder (default: outputs)")
    run.add_argument("--prompt", type=Path, help="prompt YAML (default: prompts/brief.yaml)")
    run.add_argument("--model", help="model name (default: $PAPERBRIEF_MODEL or the prompt's model)")
    run.add_argument("--concurrency", type=int, help="LLM calls in flight at once (default: 8)")
    run.add_argument("--title", help="report title")
    run.add_argument("--cassette", type=Path, required=cassette_required, help=cassette_help)
    run.add_argument("--base-url", help="endpoint (default: $OPENAI_BASE_URL)")
    _key_options(run)
    _call_options(run)
    _wait_option(run)


def _call_options(parser: argparse.ArgumentParser) -> None:
    """How each call is sent: the same for every command that calls the endpoint."""
    parser.add_argument("--timeout", type=float, help="seconds to wait for one answer before retrying (default: 60)")
    parser.add_argument("--json-mode", action=argparse.BooleanOptionalAction, default=None,
                        help="ask for the provider's JSON mode (on by default; an endpoint that rejects it is "
                             "asked without it, once per run)")
    parser.add_argument("--system-in-user", action=argparse.BooleanOptionalAction, default=None,
                        help="send the system text at the top of the first user message, for a chat template "
                             "without a system role (paperbrief.yaml: system_in_user)")


def _call_settings(args: argparse.Namespace) -> dict:
    """The settings _call_options gives, for Settings.build (None: not given on the command line)."""
    return {"timeout": args.timeout, "json_mode": args.json_mode, "system_in_user": args.system_in_user}


def _wait_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--wait", action="store_true",
                        help="when another paperbrief run is using the output folder, wait for it instead of stopping")


def _match_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--match", choices=("paper", "exact"), default="paper",
                        help="with --cassette: find a recording by paper, prompt and model, replaying it when only the "
                             "paper's reading changed and saying so (paper, the default), or by the exact request (exact)")


def _key_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--api-key", help="API key (default: $OPENAI_API_KEY). Other local users can read it "
                                          "in the process list: prefer the environment or --api-key-file")
    parser.add_argument("--api-key-file", metavar="FILE", help="read the API key from FILE ('-': standard input)")


def _first_line(func) -> str:
    return (func.__doc__ or "").strip().splitlines()[0]


def _setup_logging(args: argparse.Namespace) -> None:
    """Log lines on stderr (debug with -v), every one redacted: -v shows HTTP headers, the key must not follow."""
    import os

    from .llm import RedactingFilter, add_secret

    add_secret(getattr(args, "api_key", None))  # known before any client exists; the file's key registers with the client
    add_secret(os.environ.get("OPENAI_API_KEY"))
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO, format="%(message)s", stream=sys.stderr)
    for noisy in ("httpx", "httpx2", "httpcore", "openai", "vcr"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())


def _on_sigterm(_signum, frame) -> None:
    """SIGTERM is Ctrl-C: handed to the SIGINT handler asyncio installed (it cancels the run's main
    task, and the run stops in order), or raised as KeyboardInterrupt where there is none."""
    _terminated.append(True)
    handler = signal.getsignal(signal.SIGINT)
    if callable(handler) and handler is not signal.default_int_handler:
        handler(signal.SIGINT, frame)
        return
    raise KeyboardInterrupt


@contextlib.contextmanager
def _sigterm_as_ctrl_c():
    """Within the command (main thread only), SIGTERM stops the run as Ctrl-C does; the handler
    before is put back after."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    _terminated.clear()
    before = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, before)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    with _sigterm_as_ctrl_c():
        code = _main(args)
    return EXIT_TERMINATED if code == EXIT_INTERRUPTED and _terminated else code


def _main(args: argparse.Namespace) -> int:
    try:
        _setup_logging(args)  # imports the client module: a second or more on a busy machine, Ctrl-C included
        from .cassette import matching

        with matching(getattr(args, "match", None) or "paper"):  # every replay of this command (--match)
            return args.handler(args)
    except KeyboardInterrupt:
        print("paperbrief: interrupted" + (" (SIGTERM)" if _terminated else ""), file=sys.stderr)
        return EXIT_INTERRUPTED
    except _user_errors() as exc:  # the one exit path for what the user must fix: one line, exit 2
        return _usage(_os_message(exc))
    except Exception as exc:  # a bug: one line (the traceback under -v), never a traceback on the terminal
        from .failures import internal

        print(terminal_line(f"paperbrief: {internal(exc).detail} (paperbrief -v shows where)"), file=sys.stderr)
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
