"""Reader-process side of the read path (readers.py): read one PDF. Kept light (no LLM client,
no run store, no prompt) because every reader process imports it, and the forkserver preloads it.
What a reader makes of the PDF's text (the metadata stage's rules) is handed down by the caller,
so this stage imports nothing of the stages above it."""

from __future__ import annotations

import contextlib
import os
import resource
import threading
import time
from typing import Callable

from ..models import Document, Paper
from ..rules import Rules, use
from .inputs import PdfError

_memory_mb = 0  # this reader's address-space limit, set by start_reader (0: none)


def memory_message(megabytes: int) -> str:
    return f"reading needed more than {megabytes} MB"


def extract(path: str, text_pages: int) -> Document:
    """The PDF stage's reader, imported here on first use: the run's own process names
    `read_paper` but never reads a PDF, so PDFium (some 8 MB resident) loads only in the forkserver,
    which preloads it, and in its readers."""
    from .pdf import extract as read_pdf

    return read_pdf(path, text_pages=text_pages)


def read_paper(path: str, text_pages: int, interpret: Callable[[Document], Paper]) -> Paper | str:
    """Worker-side: the Paper `interpret` reads in the PDF's text (title or not), or a one-line cause
    when the PDF cannot be read."""
    try:
        return interpret(extract(path, text_pages=text_pages))
    except PdfError as exc:
        return str(exc)
    except MemoryError:  # the limit below, met in Python code: this paper fails, the reader lives on
        return memory_message(_memory_mb) if _memory_mb else "reading ran out of memory"
    except Exception as exc:  # a PDF that trips the parser must not stop the batch
        return f"cannot read PDF ({type(exc).__name__}: {exc})"


def start_reader(owner: int, memory_mb: int, rules: Rules | None = None) -> None:
    """Worker initializer: a bounded address space (a decompression bomb fails its paper instead of
    taking the machine), the run's reading rules (the forkserver's copy holds the defaults), and an
    exit when the run that owns the pool is gone."""
    global _memory_mb
    use(rules or Rules())
    with contextlib.suppress(ValueError, OSError):  # a reader that dies leaves no core file (and dies at once,
        resource.setrlimit(resource.RLIMIT_CORE, (0, resource.getrlimit(resource.RLIMIT_CORE)[1]))  # not after dumping)
    if memory_mb:
        limit = memory_mb << 20
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
        _memory_mb = memory_mb
    exit_with_parent(owner)


def exit_with_parent(owner: int) -> None:
    """Worker initializer: a reader whose run was killed (SIGKILL) exits instead of idling forever.

    The run that owns the pool is watched, not the direct parent: readers are children of the
    forkserver, which itself waits for its children before it can exit."""
    server = os.getppid()

    def watch() -> None:
        while os.getppid() == server and _alive(owner):
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, daemon=True, name="exit-with-parent").start()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return not _zombie(pid)


def _zombie(pid: int) -> bool:
    """A killed run that its parent has not reaped yet still has a pid: read its state (Linux)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return False
