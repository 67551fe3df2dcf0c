"""Reader-process side of a run: read one PDF and render its prompt. Kept light (no LLM client,
no run store) because every reader process imports it, and the forkserver preloads it."""

from __future__ import annotations

import os
import threading
import time

from .metadata import read_metadata
from .models import Paper
from .pdf import PdfError, extract
from .prompts import PromptFile, render


def read_paper(path: str, text_pages: int = 2) -> Paper | str:
    """Worker-side: the Paper, or a one-line cause when the PDF cannot be read."""
    try:
        paper = read_metadata(extract(path, text_pages=text_pages))
        return paper if paper.title else "no title found on page 1"
    except PdfError as exc:
        return str(exc)
    except Exception as exc:  # a PDF that trips the parser must not stop the batch
        return f"cannot read PDF ({type(exc).__name__}: {exc})"


def prepare_paper(path: str, text_pages: int, prompt: PromptFile, model: str | None):
    """Worker-side: read the PDF and render its prompt, so the event loop only sends and checks."""
    read = read_paper(path, text_pages)
    if isinstance(read, str):
        return read
    return read, render(prompt, read, model)


def exit_with_parent() -> None:
    """Worker initializer: a reader whose run was killed (SIGKILL) exits instead of idling forever."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, daemon=True, name="exit-with-parent").start()


