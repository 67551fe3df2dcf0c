"""What every command shares: exit codes, the one-line user error, and the checks of its paths."""

from __future__ import annotations

import sys
from pathlib import Path

from ..render.escape import terminal_line

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED, EXIT_TERMINATED = 0, 1, 2, 130, 143


def usage(message: str) -> int:
    """A mistake the user must fix: one line on stderr, exit 2."""
    print(terminal_line(f"paperbrief: {message}"), file=sys.stderr)
    return EXIT_USAGE


def folder_error(output: str | None) -> str:
    """Why OUTPUT cannot be an output folder (an existing file), or ''."""
    if output and Path(output).exists() and not Path(output).is_dir():
        return f"{output}: not a folder (-o names the output folder)"
    return ""


def missing_input(inputs: list[str]) -> str:
    """The first INPUT that does not exist, as the user error that names it, or ''."""
    missing = [p for p in inputs if not Path(p).exists()]
    return f"{missing[0]}: no such file or folder" if missing else ""


def input_files(inputs: list[str]) -> tuple[list[Path], str]:
    """The PDFs that INPUT... name (files, and the PDFs in folders), or the user error that says why
    there are none: the one input step of every command that takes INPUT..."""
    from ..extract.readers import discover

    if missing_input(inputs):
        return [], missing_input(inputs)
    files = discover([Path(p) for p in inputs])
    return files, "" if files else f"{' '.join(inputs)}: no PDF files found"


def store_path(output: Path) -> Path:
    """The run store of an output folder (store.STORE_NAME), for the messages that point at it."""
    from ..run.store import STORE_NAME

    return output / STORE_NAME
