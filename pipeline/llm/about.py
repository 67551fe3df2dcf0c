"""What a brief request is about (sent as headers, so a replay finds its recording: cassette.py),
and the count of requests a paper's task sent."""

from __future__ import annotations

import contextlib
import contextvars
from dataclasses import dataclass
from typing import Iterator

PAPER_HEADER, PROMPT_HEADER, ATTEMPT_HEADER = "X-Paperbrief-Paper", "X-Paperbrief-Prompt", "X-Paperbrief-Attempt"


@dataclass(frozen=True)
class RequestAbout:
    """The paper (content hash), prompt (template fingerprint) and attempt ("first" or "repair")
    of one brief request. They go out as headers, so a recording is found by them and not only by
    the exact text of the paper as read today; `file` only names the paper in replay messages."""

    paper: str
    prompt: str
    attempt: str = "first"
    file: str = ""

    def headers(self) -> dict[str, str]:
        return {PAPER_HEADER: self.paper, PROMPT_HEADER: self.prompt, ATTEMPT_HEADER: self.attempt}

    def repair(self) -> "RequestAbout":
        return RequestAbout(paper=self.paper, prompt=self.prompt, attempt="repair", file=self.file)


_ABOUT: contextvars.ContextVar[RequestAbout | None] = contextvars.ContextVar("paperbrief_about", default=None)


def request_about() -> RequestAbout | None:
    """What the request being sent by this task is about (a replay names the paper's file)."""
    return _ABOUT.get()


# requests sent while a paper is being briefed, counted by the paper's task (see counting())
_SENT: contextvars.ContextVar[list[int] | None] = contextvars.ContextVar("paperbrief_sent", default=None)


def counting() -> list[int]:
    """Start counting the requests this task (and the tasks it starts) sends; returns the counter [n]."""
    counter = [0]
    _SENT.set(counter)
    return counter


def note_sent() -> None:
    """Count one request sent, for the task that started counting (if any)."""
    counter = _SENT.get()
    if counter is not None:
        counter[0] += 1


class Wire:
    """Whether one attempt's request reached the endpoint: set by the HTTP layer's trace once the
    body is written (`tracing` says the layer was there to see it: a replay never writes)."""

    __slots__ = ("tracing", "written")

    def __init__(self) -> None:
        self.tracing = self.written = False

    async def trace(self, event: str, _info: dict) -> None:
        if event.endswith("send_request_body.complete"):
            self.written = True


_WIRE: contextvars.ContextVar[Wire | None] = contextvars.ContextVar("paperbrief_wire", default=None)


@contextlib.contextmanager
def watching_wire() -> Iterator[Wire]:
    """While one attempt is sent: the Wire the HTTP layer marks when its body has left."""
    wire = Wire()
    token = _WIRE.set(wire)
    try:
        yield wire
    finally:
        _WIRE.reset(token)


def wire() -> Wire | None:
    """The attempt being sent by this task (the HTTP layer traces it), or None."""
    return _WIRE.get()


@contextlib.contextmanager
def sending_about(about: RequestAbout | None):
    """While a request is sent: what it is about, for request_about()."""
    token = _ABOUT.set(about)
    try:
        yield
    finally:
        _ABOUT.reset(token)
