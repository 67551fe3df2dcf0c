"""Typed failures: what each kind of paper failure means to a summary, to `regress` and to the exit code.

A failure is data (`models.Failure`: a kind from a closed set and one line), never a string a
caller sorts by its words. This module builds failures from what went wrong (a read failure, a
brief that failed its checks, an LLM error, an unexpected exception) and holds the one table
(models.KINDS) the summaries, regress's verdicts and the exit codes are read from.
"""

from __future__ import annotations

import logging

from ..llm import scrub
from ..models import EXIT_OK, KINDS, Brief, Failure, FailureKind, PaperResult
from ..render.escape import terminal_line

log = logging.getLogger("paperbrief")

LLM_FAILED = "LLM call failed"
CUT_OFF_CHECK, ANSWER_CHECK = "cut_off", "answer"  # the check names brief.py gives those failures


def unreadable(reason: str) -> Failure:
    return Failure(kind=FailureKind.UNREADABLE, detail=reason)


def of_brief(brief: Brief) -> Failure | None:
    """The failure of a brief that did not pass (None when it passed), kind from its failed checks."""
    if brief.ok:
        return None
    failed = {c.name for c in brief.checks if not c.ok}
    kind = (FailureKind.CUT_OFF if CUT_OFF_CHECK in failed else
            FailureKind.ANSWER if failed == {ANSWER_CHECK} else FailureKind.CHECKS)
    return Failure(kind=kind, detail=brief.error or "brief failed checks")


def no_answer(exc: Exception, not_recorded: bool) -> Failure:
    """The endpoint (or the cassette standing in for it) gave no answer to the first request."""
    return Failure(kind=FailureKind.NOT_RECORDED if not_recorded else FailureKind.ENDPOINT, detail=f"{LLM_FAILED}: {exc}")


def batch(why: str) -> Failure:
    return Failure(kind=FailureKind.BATCH, detail=f"batch request failed: {why}")


def stopped(why: str, tried: bool) -> Failure:
    """A paper the run's stop left without a brief: its own call failed with the stop (`tried`), or
    it was never sent."""
    if tried:
        return Failure(kind=FailureKind.ENDPOINT, detail=f"{LLM_FAILED}: {why}")
    return Failure(kind=FailureKind.NOT_TRIED, detail=f"not tried: the run stopped ({why})")


def internal(exc: BaseException) -> Failure:
    """A bug met while handling one paper, as one line; the traceback goes to the debug log (-v)."""
    log.debug("internal error", exc_info=exc)
    first = str(exc).splitlines()[0][:200] if str(exc) else ""
    return Failure(kind=FailureKind.INTERNAL,
                   detail=terminal_line(scrub(f"internal error: {type(exc).__name__}: {first}".rstrip(": "))))


def failed(file: str, failure: Failure, sha256: str = "") -> PaperResult:
    """A paper's result when its pipeline stopped before a brief."""
    return PaperResult(file=file, sha256=sha256, failure=failure)


def exit_code(results: list[PaperResult]) -> int:
    """The exit code a command's results earn: the highest their failures' kinds give."""
    return max((KINDS[r.failure.kind].exit_code for r in results if r.failure and not r.duplicate_of), default=EXIT_OK)


def counts(results: list[PaperResult]) -> dict[FailureKind, int]:
    """Failed papers by kind, in the table's order (for summaries)."""
    found = [r.failure.kind for r in results if r.failure and not r.duplicate_of]
    return {kind: found.count(kind) for kind in KINDS if kind in found}
