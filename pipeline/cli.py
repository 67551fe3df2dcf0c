"""paperbrief: turn a folder of research-paper PDFs into a Chinese technical digest."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from pathlib import Path

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


def _run(args: argparse.Namespace) -> int:
    """Summarize every PDF in INPUT_DIR into OUTPUT_DIR/report.md and report.json."""
    return _batch(args, record=False)


def _record(args: argparse.Namespace) -> int:
    """Run the prompt on INPUT_DIR against the live endpoint and write a vcrpy cassette."""
    return _batch(args, record=True)


def _batch(args: argparse.Namespace, record: bool) -> int:
    from .prompts import PromptError
    from .runner import RunAborted, discover, run_batch
    from .settings import Settings, SettingsError

    folder = Path(args.input_dir)
    if not folder.is_dir():
        return _usage(f"{folder}: not a directory")
    try:
        settings = Settings.build(model=args.model, prompt=args.prompt, concurrency=args.concurrency, title=args.title,
                                  cassette=args.cassette, base_url=args.base_url, api_key=args.api_key, record=record)
        settings.require_endpoint()
    except SettingsError as exc:
        return _usage(str(exc))
    files = discover(folder)
    if not files:
        return _usage(f"{folder}: no PDF files found")
    output = Path(args.output)
    try:
        report = asyncio.run(run_batch(settings, files, output))
    except (PromptError, FileNotFoundError) as exc:
        return _usage(str(exc))
    except RunAborted as exc:
        print(f"paperbrief: {exc}; partial report in {output}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print(f"paperbrief: interrupted; finished papers are kept in {output}", file=sys.stderr)
        return EXIT_INTERRUPTED
    failed = report.failed
    usage = [r.brief.usage for r in report.results if r.brief and not r.brief.cached]
    tokens = sum(u.prompt_tokens + u.completion_tokens for u in usage)
    print(f"{len(report.briefed)} briefed, {len(failed)} failed, {len(usage)} paid calls "
          f"({tokens} tokens) -> {output / 'report.md'}")
    for result in failed:
        print(f"  FAILED {result.file}: {result.error}", file=sys.stderr)
    return EXIT_FAILED if failed else EXIT_OK


def _inspect(args: argparse.Namespace) -> int:
    """Print what was read from one PDF (no LLM call)."""
    from .metadata import read_metadata
    from .pdf import PdfError, extract

    try:
        paper = read_metadata(extract(args.pdf))
    except PdfError as exc:
        print(f"paperbrief: {args.pdf}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    fields = {"title": paper.title, "authors": paper.authors, "author_count": paper.author_count,
              "institutions": paper.institutions, "abstract": paper.abstract}
    if args.json:
        fields["affiliation_lines"] = paper.affiliation_lines
        print(json.dumps(fields, ensure_ascii=False, indent=2))
    else:
        for key, value in fields.items():
            print(f"{key}: {', '.join(value) if isinstance(value, list) else value}")
    return EXIT_OK


def _usage(message: str) -> int:
    print(f"paperbrief: {message}", file=sys.stderr)
    return EXIT_USAGE


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="paperbrief", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help=_first_line(_run), description=_run.__doc__)
    _batch_options(run, cassette_help="replay recorded responses from this vcrpy cassette (no network, no key)")
    run.set_defaults(handler=_run)

    record = sub.add_parser("record", help=_first_line(_record), description=_record.__doc__)
    _batch_options(record, cassette_help="cassette file to write (Authorization and keys filtered)", cassette_required=True)
    record.set_defaults(handler=_record)

    inspect = sub.add_parser("inspect", help=_first_line(_inspect), description=_inspect.__doc__)
    inspect.add_argument("pdf")
    inspect.add_argument("--json", action="store_true", help="print JSON")
    inspect.set_defaults(handler=_inspect)
    return parser


def _batch_options(run: argparse.ArgumentParser, cassette_help: str, cassette_required: bool = False) -> None:
    run.add_argument("input_dir")
    run.add_argument("-o", "--output", default="outputs", help="output folder (default: outputs)")
    run.add_argument("--prompt", type=Path, help="prompt YAML (default: prompts/brief.yaml)")
    run.add_argument("--model", help="model name (default: $PAPERBRIEF_MODEL or the prompt's model)")
    run.add_argument("--concurrency", type=int, help="LLM calls in flight at once (default: 8)")
    run.add_argument("--title", help="report title")
    run.add_argument("--cassette", type=Path, required=cassette_required, help=cassette_help)
    run.add_argument("--base-url", help="endpoint (default: $OPENAI_BASE_URL)")
    run.add_argument("--api-key", help="API key (default: $OPENAI_API_KEY)")


def _first_line(func) -> str:
    return (func.__doc__ or "").strip().splitlines()[0]


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO, format="%(message)s", stream=sys.stderr)
    for noisy in ("httpx", "httpx2", "httpcore", "openai", "vcr"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
