"""paperbrief: turn a folder of research-paper PDFs into a Chinese technical digest."""

from __future__ import annotations

import argparse
import contextlib
import logging
import signal
import sys
import threading

from ..render.escape import terminal_line
from .common import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_TERMINATED, EXIT_USAGE, usage
from .inspect_paper import add_inspect
from .iterate import add_compare, add_regress, add_rerun
from .log import add_log
from .parser import Parser
from .prompt_file import add_prompt
from .runs import add_record, add_run, add_status_and_cancel
from .setup import add_init_and_config

__all__ = ["EXIT_FAILED", "EXIT_INTERRUPTED", "EXIT_OK", "EXIT_TERMINATED", "EXIT_USAGE", "build_parser", "main"]
EPILOG = ("The prompt in force: --prompt FILE, else `prompt:` in paperbrief.yaml, else ./prompts/brief.yaml in the "
          "working folder, else the packaged default (paperbrief prompt path shows which).")
_terminated: list[bool] = []  # SIGTERM arrived (the exit code says so: 143, not Ctrl-C's 130)


# what a user must fix (exit 2, one line): settings, prompts, cassettes, a folder in use, a store or
# folder that cannot be written (damaged, full, read-only)
def _user_errors() -> tuple[type[BaseException], ...]:
    from ..brief.prompts import PromptError
    from ..run.cassette import CassetteError
    from ..run.folder_lock import FolderInUse
    from ..run.store import StoreError
    from ..settings import SettingsError

    return SettingsError, PromptError, CassetteError, FolderInUse, StoreError, OSError


def _os_message(exc: BaseException) -> str:
    """An OSError as `file: cause`; other errors as their own one-line message."""
    if isinstance(exc, OSError):
        return f"{exc.filename or 'output'}: {exc.strerror or exc}"
    return str(exc)


def build_parser() -> argparse.ArgumentParser:
    """Every command, in the order --help lists them; each module adds its own."""
    parser = Parser(prog="paperbrief", description=__doc__, epilog=EPILOG)
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True)
    for add in (add_run, add_record, add_rerun, add_status_and_cancel, add_compare, add_regress, add_inspect, add_prompt,
                add_init_and_config, add_log):
        add(sub, _first_line)
    return parser


def _first_line(func) -> str:
    return (func.__doc__ or "").strip().splitlines()[0]


def _setup_logging(args: argparse.Namespace) -> None:
    """Log lines on stderr (debug with -v), every one redacted: -v shows HTTP headers, the key must not follow."""
    import os

    from ..llm import RedactingFilter, add_secret

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
        from ..run.cassette import matching

        with matching(getattr(args, "match", None) or "paper"):  # every replay of this command (--match)
            return args.handler(args)
    except KeyboardInterrupt:
        print("paperbrief: interrupted" + (" (SIGTERM)" if _terminated else ""), file=sys.stderr)
        return EXIT_INTERRUPTED
    except _user_errors() as exc:  # the one exit path for what the user must fix: one line, exit 2
        return usage(_os_message(exc))
    except Exception as exc:  # a bug: one line (the traceback under -v), never a traceback on the terminal
        from ..run.failures import internal

        print(terminal_line(f"paperbrief: {internal(exc).detail} (paperbrief -v shows where)"), file=sys.stderr)
        return EXIT_FAILED
