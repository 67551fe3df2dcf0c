"""inspect: what was read from one PDF, and with --llm the model's reading beside the rules'."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

from ..render.escape import terminal, terminal_line
from .common import EXIT_FAILED, EXIT_OK, usage
from .options import (
    PROMPT_HELP,
    build_settings,
    call_options,
    cassette_option,
    endpoint_options,
    json_option,
    match_option,
    model_option,
    prompt_option,
)


def _inspect(args: argparse.Namespace) -> int:
    """Print what was read from one PDF (no LLM call; with --llm, the model's reading beside the rules')."""
    from ..models import ReadFailure
    from ..run.reads import read_one

    if not Path(args.pdf).exists():
        return usage(f"{args.pdf}: no such file")
    settings = build_settings(args if args.llm else None)  # without --llm, the model's options are unused
    paper = asyncio.run(read_one(Path(args.pdf), settings))  # bounded, as in a run
    if isinstance(paper, ReadFailure) and paper.paper is not None and not args.llm:
        paper = paper.paper  # no title on page 1: inspect shows what was read all the same
    if isinstance(paper, ReadFailure):
        print(terminal_line(f"paperbrief: {args.pdf}: {paper.reason}"), file=sys.stderr)
        return EXIT_FAILED
    fields = {"title": paper.title, "authors": paper.authors, "author_count": paper.author_count,
              "institutions": paper.institutions, "abstract": paper.abstract}
    fields["confidence"] = {name: doubt.model_dump() for name, doubt in paper.confidence.items()}
    if args.llm:
        return _inspect_with_model(args, settings, paper, fields)
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
    from ..rules import explained, in_force

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


def _inspect_with_model(args: argparse.Namespace, settings, read, rules: dict) -> int:
    """Both readings of one paper: the rules', the model's after grounding, what was dropped, what is published."""
    from ..run.failures import exit_code
    from ..run.rerun import read_with_model

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


def add_inspect(sub, first_line) -> None:
    inspect = sub.add_parser("inspect", help=first_line(_inspect), description=_inspect.__doc__)
    inspect.add_argument("pdf")
    json_option(inspect, "print JSON")
    inspect.add_argument("--explain", action="store_true",
                         help="also print each decision of the rules and the rule that made it, and the thresholds in force "
                              "(with --json: decisions and rules lists)")
    inspect.add_argument("--llm", action="store_true",
                         help="also make the brief call and show the model's reading beside the rules' (or replay --cassette)")
    cassette_option(inspect, "with --llm: replay the answer from this cassette")
    prompt_option(inspect, f"with --llm: {PROMPT_HELP}")
    model_option(inspect, "with --llm: model name")
    endpoint_options(inspect, when="with --llm: ")
    call_options(inspect)
    match_option(inspect)
    inspect.set_defaults(handler=_inspect)
