"""What a run shows as it goes (a bar, or a line per paper) and what a stopped run leaves: every
paper of the run with its line, briefed, failed with its reason, or not tried."""

from __future__ import annotations

import asyncio
import logging
import sys
from dataclasses import dataclass
from pathlib import Path

from ..extract.readers import AlreadyRead, PdfReaders
from ..models import PaperResult
from ..render.escape import terminal_line
from .failures import failed, stopped

log = logging.getLogger("paperbrief")


@dataclass
class Progress:
    """A bar on a terminal, plain log lines elsewhere."""

    total: int
    done: int = 0
    reads: int = 0  # PDFs read so far: a large folder's first briefs wait for their readers
    bar: object = None
    redirect: object = None  # while the bar shows, log lines (a retry's note) print above it, not over it

    def __post_init__(self) -> None:
        if sys.stderr.isatty():
            from tqdm import tqdm
            from tqdm.contrib.logging import logging_redirect_tqdm

            self.bar = tqdm(total=self.total, unit="paper", desc="briefing", file=sys.stderr)
            self.redirect = logging_redirect_tqdm(loggers=[log])
            self.redirect.__enter__()

    def read(self) -> None:
        """One more PDF read: the bar says 'read N/M' beside the briefs done; plain logs say it every
        tenth paper and at the last, so a folder being read is not a silent wait."""
        self.reads += 1
        if self.bar is not None:
            self.bar.set_postfix_str(f"read {self.reads}/{self.total}", refresh=True)
        elif self.reads % 10 == 0 or self.reads == self.total:
            log.info("read %d/%d PDF(s)", self.reads, self.total)

    def step(self, result: PaperResult) -> None:
        self.done += 1
        if result.ok:
            state = "cached" if result.brief.cached else "ok"
        elif result.duplicate_of:
            state = f"duplicate of {result.duplicate_of}"
        else:
            state = f"FAILED: {result.error or result.brief.error}"
        if self.bar is not None:
            self.bar.update(1)
            if not result.ok and not result.duplicate_of:
                self.bar.write(terminal_line(f"{result.file}: {state}"), file=sys.stderr)
        else:  # one line each: a newline in a file name cannot forge a progress line
            log.info("[%d/%d] %s: %s", self.done, self.total, terminal_line(result.file), terminal_line(state))

    def close(self) -> None:
        if self.redirect is not None:
            self.redirect.__exit__(None, None, None)
            self.redirect = None
        if self.bar is not None:
            self.bar.close()


def why_stopped(exc: BaseException) -> str:
    if isinstance(exc, (KeyboardInterrupt, asyncio.CancelledError)):
        return "interrupted"
    return str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__


def not_tried(results: dict[str, PaperResult], previous: dict[str, PaperResult], sent: dict[Path, list[int]],
              files: list[Path], pool: PdfReaders | AlreadyRead, why: str, short: str) -> None:
    """After a stop, every paper of the run has its line: one whose request was cut by the stop failed
    with the stop's reason (`why`), one never sent is "not tried" (`short` says why); a passing brief
    the report already held for that file stays: the report never loses one."""
    for path in files:
        name = pool.name(path)
        if name in results:
            continue
        before, requests = previous.get(name), sent.get(path, [0])[0]
        if requests:
            results[name] = failed(name, stopped(why, tried=True)).model_copy(update={"requests": requests})
        else:
            results[name] = before if before is not None and before.ok else failed(name, stopped(short, tried=False))
