"""Pacing: how many calls may be in flight (the adaptive Pacer), and the run's retry budget."""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass

log = logging.getLogger("paperbrief.llm")


@dataclass
class RetryBudget:
    """Retries left for the whole run, shared by every call, and a breaker for a dead endpoint.

    `left` bounds the total retries of a run; `in_a_row` counts failures since the last success,
    so an endpoint that never answers stops the run after `max_in_a_row` failures, not after
    every paper has used up its own attempts. Once the endpoint has answered, timeouts and 5xx
    are a slow or busy server, not a dead one: they no longer count toward the breaker (the
    pacer lowers the calls in flight instead); dropped connections and the like still do.
    """

    left: int
    max_in_a_row: int = 12
    in_a_row: int = 0
    answered: bool = False  # the endpoint has answered once in this run

    def take(self, slow: bool = False) -> bool:
        """Whether one more retry may be made; `slow` marks a timeout or a 5xx."""
        if not (slow and self.answered):
            self.in_a_row += 1
        if self.left <= 0 or self.in_a_row >= self.max_in_a_row:
            return False
        self.left -= 1
        return True

    def succeeded(self) -> None:
        self.in_a_row = 0
        self.answered = True


QUEUED = 1.8  # an answer this many times slower than the fastest one waited behind another request


class Pacer:
    """How many calls may be in flight: halved when the endpoint answers 429 or a call times out,
    raised by one after as many answers as the current limit, never above the run's --concurrency
    (AIMD, as TCP does).

    After a timeout the pacer is careful: when a whole round of answers (as many as the limit)
    came back much slower than the fastest one seen (QUEUED), they waited behind each other at
    the server, so the limit steps down and stays there as the new ceiling. A server that serves
    one request at a time answers L calls in flight in about L times its service time, so against
    it the run settles at one call in flight; one slow answer among fast ones changes nothing.

    A local server keeps working on a request its client gave up on, so each timeout also holds
    the next call back by the fastest answer's time (at most `hold_cap` seconds ahead): a retry
    sent into that queue would only time out behind the abandoned work and add to it."""

    def __init__(self, ceiling: int, hold_cap: float = 60.0, sleep=asyncio.sleep) -> None:
        self.ceiling = self.limit = max(1, ceiling)
        self.hold_cap = hold_cap
        self._sleep = sleep  # the client's: a test patches one sleep, not two
        self.held_until = 0.0  # monotonic time before which no call leaves (abandoned work draining)
        self.concurrency = self.ceiling  # as configured, for messages
        self.in_flight = 0
        self.careful = False  # a call timed out: raise the limit only while answers do not queue
        self.fastest: float | None = None
        self._answers = 0
        self._queued = 0  # answers in a row that came back much slower than the fastest
        self._last_cut = 0.0
        self._free: asyncio.Condition | None = None  # made in the running loop

    async def __aenter__(self) -> None:
        while (hold := self.held_until - time.monotonic()) > 0:
            before = time.monotonic()
            await self._sleep(hold)
            if time.monotonic() - before < hold / 2:  # a sleep that does not wait (a replay, a test): no hold
                break
        self._free = self._free or asyncio.Condition()
        async with self._free:
            await self._free.wait_for(lambda: self.in_flight < self.limit)
            self.in_flight += 1

    async def __aexit__(self, *exc) -> None:
        async with self._free:
            self.in_flight -= 1
            self._free.notify_all()

    def rate_limited(self, why: str = "rate limited") -> None:
        now = time.monotonic()
        if now - self._last_cut >= 0.5:  # one cut per burst of 429s, not one per call in it
            self.limit = max(1, self.limit // 2)
            self._last_cut, self._answers = now, 0
            log.debug("%s: %d calls in flight at most", why, self.limit)

    def timed_out(self) -> None:
        """A call overran its deadline: the endpoint has more work than it can serve in time. Each
        timeout halves the limit (429s of one burst cut it once): every one is a request the
        endpoint could not serve in time, and each left work behind at the server."""
        self.careful = True
        self._last_cut = 0.0
        if self.fastest is not None:  # the abandoned request still holds the server about this long
            now = time.monotonic()
            self.held_until = min(max(self.held_until, now) + self.fastest, now + self.hold_cap)
        self.rate_limited("a call timed out")

    def answered(self, latency_s: float | None = None) -> None:
        if latency_s is not None:
            self.fastest = latency_s if self.fastest is None else min(self.fastest, latency_s)
            slow = latency_s > QUEUED * self.fastest
            self._queued = self._queued + 1 if slow else 0
            if self.careful and self.limit > 1 and self._queued >= self.limit:
                self.limit = self.ceiling = self.limit - 1  # they queued: more calls in flight gain nothing
                self._answers = self._queued = 0
                log.debug("answers queue at the endpoint: %d calls in flight at most", self.limit)
                return
            if slow:
                return  # a slow answer is no reason to send more
        self._answers += 1
        if self.limit < self.ceiling and self._answers >= self.limit:
            self.limit += 1
            self._answers = 0

