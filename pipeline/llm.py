"""The only module that talks to the LLM endpoint.

The `openai` SDK's AsyncOpenAI reaches any OpenAI-compatible server. Its own retries are off:
tenacity drives them, under this module's policy. A 429 is pacing, not failure: the call waits what
Retry-After asks, never less than a floor (1 s, doubled each time the hint is missing or below it,
so `Retry-After: 0` cannot spin), up to `rate_limit_wait` seconds actually slept and
`MAX_RATE_LIMITS` answers, and the client lowers the number of calls in
flight until answers come back. A timeout is pacing too (a local server that serves one request at
a time is slow, not dead): it lowers the calls in flight the same way, and from then on the calls
in flight rise only while answers come back without queueing. 5xx, timeouts, dropped connections
and answers that are not chat completions (a proxy's HTML page) are failures: retried with backoff
up to `attempts` tries per call, and a run-wide budget makes a dead endpoint fail fast (timeouts
and 5xx count toward that stop only until the endpoint has answered once). `timeout` is a deadline for the whole
HTTP call, body included. Every string that leaves this module is scrubbed of the API key by value.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
import json
import logging
import re
import sys
import time
import zlib
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, AsyncIterator, TypeVar

from .models import BatchState, Completion, Usage
from .text import MAX_JSON_DEPTH, json_depth, valid_unicode

if TYPE_CHECKING:
    from .settings import Settings

log = logging.getLogger("paperbrief.llm")

DEFAULT_ATTEMPTS = 6  # tries per call for 5xx, timeouts and dropped connections; 429 answers do not count
DEFAULT_RATE_LIMIT_WAIT = 600.0  # seconds one call may keep waiting through 429 answers before it gives up
RATE_LIMIT_FLOOR = 1.0  # the least wait after a 429, doubled with each 429 of the same call
RATE_LIMIT_CEILING = 30.0  # the floor stops doubling here
MAX_RATE_LIMITS = 30  # 429 answers one call accepts before it gives up, whatever the waits were
BATCH_KEY = "paperbrief_key"  # the batch metadata field holding the client-side key of its intent
FIND_PAGES = 10  # pages of 100 batches searched for a batch whose create answer never came
MAX_TEXT = 20_000  # characters of an answer's text kept; a longer answer is cut, never carried whole
MAX_RAW = 40_000  # characters of an answer's raw JSON kept
MAX_TOKENS = 100_000_000  # a token count above this is no count any endpoint meant: it is stored as this
DEFAULT_ANSWER_LIMIT_MB = 4  # a chat answer (or any API answer but a file) larger than this, decompressed, is refused
DEFAULT_FILE_LIMIT_MB = 2048  # a batch result or error file larger than this, decompressed, is cut there
INFLATE_STEP = 64 * 1024  # bytes decompressed at a time: a bomb never inflates past the limit in memory


class LLMError(Exception):
    """The endpoint could not give an answer; the message says why in one line."""


class EndpointUnusable(LLMError):
    """No paper can succeed against this endpoint (bad key, unknown model, endpoint down): stop the run.

    `partial` carries a brief already paid for when the stop came during its repair request, so
    the runner can store it before the run ends."""

    partial = None


class RetryBudgetExceeded(EndpointUnusable):
    """Too many retries in this run: the endpoint looks down, so stop asking."""


class MalformedAnswer(LLMError):
    """A 200 whose body is not what was asked for (HTML, a list, wrong types): retried like a 5xx."""


class NotRecorded(LLMError):
    """A replay: the cassette holds no answer to this request (the prompt or the paper changed)."""


class CallTimedOut(LLMError):
    """The whole call (headers and body) overran its deadline: retried like any timeout."""


class Unconfirmed(LLMError):
    """A call that may have taken effect though no good answer came (timeout, 5xx, dropped connection):
    never retried blindly."""


class DownloadCut(LLMError):
    """A batch file whose download ran out of time or past its limit: the lines not read stay unanswered."""


class BodyTooLarge(LLMError):
    """An answer larger than its limit once decompressed: that paper's failure, never retried (the
    same request would get the same answer)."""


class Refused(LLMError):
    """The model declined to answer (a refusal, or a content filter): not retried."""


class QuotaSpent(EndpointUnusable):
    """The account's quota is used up (insufficient_quota): no paper can succeed, nothing is retried."""


class RedirectRefused(EndpointUnusable):
    """The endpoint redirected to another host: the paper's text is not sent there."""


# -- secrets: scrubbed by value from every string that leaves this module -------------------------

_SECRETS: set[str] = set()
MIN_SECRET = 8  # shorter "keys" (none, ollama, k) are placeholders; scrubbing them would mangle text
REDACTED = "***"
_Text = TypeVar("_Text", str, bytes)


def add_secret(value: str | None) -> None:
    """Register a value (the run's API key) that scrub() removes from every string from now on."""
    if value and len(value.strip()) >= MIN_SECRET:
        _SECRETS.add(value.strip())


def scrub(text: _Text) -> _Text:
    """`text` (str or bytes) with every registered secret replaced by ***."""
    for secret in sorted(_SECRETS, key=len, reverse=True):
        if isinstance(text, bytes):
            text = text.replace(secret.encode("utf-8"), REDACTED.encode())
        else:
            text = text.replace(secret, REDACTED)
    return text


def _capped(text: str, limit: int) -> str:
    """At most `limit` characters, scrubbed and valid Unicode: cut with room for a key on the edge, then cut again."""
    room = max((len(s) for s in _SECRETS), default=0)
    return valid_unicode(scrub(text[:limit + room]))[:limit]


_HEADER_VALUE = re.compile(
    r"(?i)((?:proxy-)?authorization|(?:x-)?api-key|(?:set-)?cookie)(['\"]?\s*(?:[:=]|,)\s*b?['\"]?)([^'\"\r\n,)}\]]+)")


def redact(text: str) -> str:
    """A log line with secrets and the values of Authorization, api-key and cookie headers hidden."""
    return _HEADER_VALUE.sub(lambda m: m.group(1) + m.group(2) + REDACTED, scrub(text))


class RedactingFilter(logging.Filter):
    """A logging filter (install it on handlers) that redacts every record's formatted message."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a record whose args do not fit its format: keep logging's own behaviour
            return True
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        return True


_REFUSALS = {401: "check OPENAI_API_KEY", 403: "the key may not use this model or endpoint",
             404: "check OPENAI_BASE_URL and the model name"}


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


# -- what a brief request is about: sent as headers, so a replay finds its recording (cassette.py) ---

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


def _rate_limited(exc: BaseException | None) -> bool:
    return getattr(exc, "status_code", None) == 429


def _timed_out(exc: BaseException | None) -> bool:
    import openai

    return isinstance(exc, (CallTimedOut, openai.APITimeoutError))


def _slow(exc: BaseException | None) -> bool:
    """A timeout or a 5xx: what a busy server does, as well as a dead one."""
    return _timed_out(exc) or (getattr(exc, "status_code", None) or 0) >= 500


def _retryable(exc: BaseException) -> bool:
    import openai

    if isinstance(exc, (MalformedAnswer, CallTimedOut, openai.APITimeoutError, openai.APIConnectionError)):
        return True
    return isinstance(exc, openai.APIStatusError) and exc.status_code >= 500


def _retry_after(exc: BaseException | None) -> float | None:
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None)
    if not headers:
        return None
    value = headers.get("retry-after-ms")
    if value:
        try:
            return _finite(float(value) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return _finite(float(value))
    except ValueError:  # an HTTP date
        from email.utils import parsedate_to_datetime

        try:
            return max(0.0, (parsedate_to_datetime(value) - datetime.now(timezone.utc)).total_seconds())
        except (TypeError, ValueError):
            return None


def _finite(seconds: float) -> float | None:
    """A hint of nan or inf is no hint; a negative one means now."""
    return max(0.0, seconds) if seconds == seconds and seconds not in (float("inf"), float("-inf")) else None


# -- the HTTP layer: every body decompressed under a limit, no redirect to another host ---------------

def guarded_http_client(timeout: float, answer_limit: int, file_limit: int):
    """The SDK's default HTTP client, but every response body is decompressed here, a bounded step
    at a time, up to its limit (a file's content up to `file_limit`, any other answer up to
    `answer_limit`), and a redirect to another host is refused (RedirectRefused names both)."""
    return _guarded_client_class()(timeout=timeout, headers={"Accept-Encoding": "gzip, deflate"},
                                   answer_limit=answer_limit, file_limit=file_limit)


@functools.lru_cache(maxsize=1)
def _guarded_client_class():
    import httpx2
    import openai

    class LimitedStream(_LimitedStream, httpx2.AsyncByteStream):
        """What the HTTP library accepts as an async body."""

    class GuardedClient(openai.DefaultAsyncHttpxClient):
        def __init__(self, answer_limit: int, file_limit: int, **kwargs) -> None:
            super().__init__(**kwargs)
            self.answer_limit, self.file_limit = answer_limit, file_limit

        async def _send_single_request(self, request):
            response = await super()._send_single_request(request)
            try:
                _refuse_other_host(request, response)
                limit = self.file_limit if request.url.path.endswith("/content") else self.answer_limit
                encodings = [e.strip().lower() for e in response.headers.get("content-encoding", "").split(",")
                             if e.strip() and e.strip().lower() != "identity"]
                response.stream = LimitedStream(response.stream, limit, encodings)
                if encodings:  # decoded here, under the limit: the HTTP library must not decode it again
                    del response.headers["content-encoding"]
            except BaseException:
                await response.aclose()
                raise
            return response

    return GuardedClient


def _refuse_other_host(request, response) -> None:
    if not response.has_redirect_location:
        return
    target = request.url.join(response.headers["location"])
    if (target.host or "").lower() != (request.url.host or "").lower():
        raise RedirectRefused(f"the endpoint {_printable(request.url.host)} redirected to another host, "
                              f"{_printable(target.host[:100])} (HTTP {response.status_code}); the paper's text "
                              f"is not sent there: set the base URL to the host that answers")


class _LimitedStream:
    """A response body, decompressed (gzip or deflate) in steps of INFLATE_STEP bytes and stopped
    with BodyTooLarge past `limit` bytes; the HTTP library reads it as plain bytes."""

    def __init__(self, raw, limit: int, encodings: list[str]) -> None:
        self.raw, self.limit, self.seen = raw, limit, 0
        if len(encodings) > 1 or (encodings and encodings[0] not in ("gzip", "x-gzip", "deflate")):
            raise MalformedAnswer(f"the endpoint's answer is compressed as {_printable(', '.join(encodings)[:40])}, "
                                  "which was not asked for")
        self.inflater = _inflater() if encodings else None

    @property
    def elapsed(self):
        return getattr(self.raw, "elapsed", None)

    async def __aiter__(self):
        async for chunk in self.raw:
            for piece in self._decoded(chunk):
                self.seen += len(piece)
                if self.seen > self.limit:
                    raise BodyTooLarge(f"the endpoint's answer is larger than {self.limit >> 20} MB "
                                       f"(the limit; see answer_limit_mb and batch_file_limit_mb)")
                yield piece

    def _decoded(self, chunk: bytes):
        if self.inflater is None:
            yield chunk
            return
        data = chunk
        while data and not self.inflater.eof:
            try:
                piece = self.inflater.decompress(data, INFLATE_STEP)
            except zlib.error:
                raise MalformedAnswer("the endpoint's compressed answer is damaged") from None
            if piece:
                yield piece
            data = self.inflater.unconsumed_tail

    async def aclose(self) -> None:
        await self.raw.aclose()


def _inflater():
    """gzip, or deflate with its zlib header (the header is detected, so a mislabelled one reads too)."""
    return zlib.decompressobj(zlib.MAX_WBITS | 32)


async def _no_pause(_seconds: float) -> None:
    """A replay has nothing to wait for: recorded 429s and errors are stepped through at once."""


class LLMClient:
    """One AsyncOpenAI client shared by a run's calls.

    `json_mode` starts on and turns off for good the first time the endpoint answers HTTP 400 to
    a request that asked for a JSON object (an endpoint without JSON mode); the runner reports it.
    """

    sleep = staticmethod(asyncio.sleep)  # how a retry waits

    def __init__(self, base_url: str | None, api_key: str | None, timeout: float = 60.0,
                 attempts: int = DEFAULT_ATTEMPTS, budget: RetryBudget | None = None, max_wait: float = 60.0,
                 rate_limit_wait: float = DEFAULT_RATE_LIMIT_WAIT, concurrency: int = 8, pause: bool = True,
                 json_mode: bool = True, rate_limit_floor: float = RATE_LIMIT_FLOOR,
                 answer_limit: int = DEFAULT_ANSWER_LIMIT_MB << 20, file_limit: int = DEFAULT_FILE_LIMIT_MB << 20):
        with contextlib.suppress(ImportError):  # the SDK looks into a loaded legacy httpx: when another thread
            import httpx  # noqa: F401  (vcrpy) is importing it, wait for that import to finish
        import openai  # ~0.4 s: imported only when a run actually calls the endpoint

        add_secret(api_key)
        self._client = openai.AsyncOpenAI(base_url=base_url, api_key=api_key or "no-key", max_retries=0, timeout=timeout,
                                          http_client=guarded_http_client(timeout, answer_limit, file_limit))
        self._completions = self._client.chat.completions  # built here (the run builds clients in a thread), not on the first call
        self.timeout = timeout
        self.attempts = attempts
        self.budget = budget or RetryBudget(left=10_000)
        self.max_wait = max_wait
        self.rate_limit_wait = rate_limit_wait
        self.rate_limit_floor = rate_limit_floor
        self.json_mode = json_mode
        self.pacer = Pacer(concurrency, hold_cap=timeout, sleep=lambda seconds: self.sleep(seconds))
        self.calls = 0
        self.stopping = False  # set when the run is being stopped: calls in flight finish, no new request leaves
        if not pause:
            self.sleep = _no_pause

    async def _call(self, request, asks_json=lambda: False, deadline: bool = True, idempotent: bool = True):
        """Run `request()` (one HTTP call, parsed) under the retry policy; errors become one-line LLMErrors.

        tenacity drives the attempts; `_next_wait` is the policy (how long to wait, or the error
        that ends the call) and `_sleep` counts the time actually slept. `asks_json()` says whether
        an attempt carries response_format, so a 400 to it turns JSON mode off instead of failing."""
        from tenacity import AsyncRetrying, retry_if_exception

        call = _CallState(idempotent=idempotent)
        async for attempt in AsyncRetrying(
            retry=retry_if_exception(lambda exc: isinstance(exc, Exception) and not isinstance(exc, EndpointUnusable)),
            wait=lambda state: self._next_wait(call, state.outcome.exception()),
            stop=lambda _state: False,  # _next_wait raises when the call is over
            sleep=lambda seconds: self._sleep(call, seconds), reraise=True,
        ):
            with attempt:
                result = await self._attempt(request, asks_json, deadline)
        self.budget.succeeded()
        return result

    async def _attempt(self, request, asks_json, deadline: bool):
        """One request; when it carried response_format and got a 400, the same request at once without."""
        carried = asks_json()
        try:
            async with self.pacer:
                if self.stopping:
                    raise EndpointUnusable("the run is stopping: no new request is sent")
                self.calls += 1
                counter = _SENT.get()
                if counter is not None:
                    counter[0] += 1
                start = time.monotonic()
                result = await (self._within_deadline(request) if deadline else request())
                self.pacer.answered(time.monotonic() - start)
                return result
        except Exception as exc:
            if not (carried and getattr(exc, "status_code", None) == 400):
                raise
        self._drop_json_mode()
        return await self._attempt(request, asks_json, deadline)  # json_mode is off now: no second fallback

    async def _within_deadline(self, request):
        """One attempt, headers and body, within `timeout` seconds (a dripping body cannot hold it)."""
        import openai

        try:
            async with asyncio.timeout(self.timeout):
                return await request()
        except (TimeoutError, openai.APITimeoutError):  # ours or the SDK's per-read one: the same failure
            raise CallTimedOut(f"request timed out after {self.timeout:.3g} s") from None

    def _drop_json_mode(self) -> None:
        if self.json_mode:
            self.json_mode = False
            log.warning("the endpoint rejected JSON mode (HTTP 400); asking without it")

    def _next_wait(self, call: "_CallState", exc: BaseException | None) -> float:
        """Seconds to wait before the next attempt, or the LLMError that ends this call."""
        if _quota_spent(exc):
            raise QuotaSpent(f"{_describe(exc)}: the account's quota is spent; add credit or use another key") from None
        call.rate_limited = _rate_limited(exc)
        if call.rate_limited:
            self.pacer.rate_limited()
            return self._rate_limit_wait(call, exc)
        if not call.idempotent and _retryable(exc):  # the endpoint may have acted on it: the caller looks first
            raise Unconfirmed(_describe(exc)) from None
        if not _retryable(exc):
            status = getattr(exc, "status_code", None)
            if status in _REFUSALS:
                # the SDK's errors and vcrpy's "no recording" alike end the paper, not the run
                raise EndpointUnusable(f"{_describe(exc)}: {_REFUSALS[status]}") from None
            if call.last and _no_recording(exc):  # a replayed failure, retried: say what failed, not "re-record"
                raise LLMError(f"{call.last}; the cassette holds no further answer to this request") from None
            raise (NotRecorded if _no_recording(exc) else LLMError)(_describe(exc)) from None
        call.last = _describe(exc)
        if _timed_out(exc):
            self.pacer.timed_out()
        if not self.budget.take(slow=_slow(exc)):
            why = "failed" if self.budget.left > 0 else "retry budget used up"
            raise RetryBudgetExceeded(
                f"endpoint {why} ({self.budget.in_a_row} failures in a row); last error: {_describe(exc)}"
                f"{self._settings_hint(exc)}") from None
        call.failures += 1
        if call.failures >= self.attempts:
            raise LLMError(_describe(exc)) from None
        log.debug("retrying after %s", _describe(exc))
        hinted = _retry_after(exc)
        return min(hinted if hinted is not None else 0.25 * 2 ** (call.failures - 1), self.max_wait)

    def _settings_hint(self, exc: BaseException | None) -> str:
        """For a stop after timeouts or 5xx: the settings that let a slow endpoint through, as they were."""
        if not _slow(exc):
            return ""
        return (f"; if the endpoint is alive but slow (a local server), lower --concurrency (was "
                f"{self.pacer.concurrency}) or raise --timeout (was {self.timeout:g} s)")

    def _rate_limit_wait(self, call: "_CallState", exc: BaseException | None) -> float:
        """A 429's wait: what Retry-After asks, never less than the floor (which doubles each time the
        hint is missing or below it), never more than what is left of `rate_limit_wait`."""
        call.rate_limits += 1
        call.last = "still rate limited (HTTP 429)"
        left = self.rate_limit_wait - call.rate_waited
        if left < 0.01 or call.rate_limits >= MAX_RATE_LIMITS:  # a sleep of microseconds is no wait
            raise LLMError(f"still rate limited (HTTP 429) after {call.rate_limits} answers and "
                           f"{call.rate_waited:.1f} s of waiting; rate_limit_wait allows "
                           f"{self.rate_limit_wait:.3g} s") from None
        floor = min(self.rate_limit_floor * 2 ** call.floor_steps, RATE_LIMIT_CEILING)
        hinted = _retry_after(exc)
        if hinted is None or hinted < floor:  # no hint, or one that would spin: the floor, doubled next time
            call.floor_steps += 1
            hinted = floor
        return min(hinted, left)

    async def _sleep(self, call: "_CallState", seconds: float) -> None:
        """Sleep between attempts; a 429's wait counts toward `rate_limit_wait` as actually slept."""
        start = time.monotonic()
        await self.sleep(seconds)
        if call.rate_limited:
            call.rate_waited += time.monotonic() - start

    async def complete(self, messages: list[dict[str, str]], model: str, parameters: dict,
                       json_object: bool = False, about: RequestAbout | None = None) -> Completion:
        """One chat completion; with `json_object`, asks for a JSON object while `json_mode` holds;
        `about` goes out as the X-Paperbrief-* headers a replay matches on."""
        start = time.perf_counter()

        def asks_json() -> bool:
            return json_object and self.json_mode

        async def request() -> Completion:
            extra = {"response_format": {"type": "json_object"}} if asks_json() else {}
            token = _ABOUT.set(about)
            try:
                raw = await self._completions.with_raw_response.create(
                    **{**parameters, **extra}, model=model, messages=messages,
                    extra_headers=about.headers() if about is not None else None)
            finally:
                _ABOUT.reset(token)
            return completion_of(_answer_body(raw), model, time.perf_counter() - start)

        return await self._call(request, asks_json)

    # -- the Batch API: the same requests, run by the provider within 24 hours at about half the price --

    async def upload_batch_file(self, path: Path) -> str:
        """Upload a JSONL file of requests; returns its file id (no overall deadline: files can be large)."""
        async def upload():
            with path.open("rb") as fh:
                return _field(await self._client.files.create(file=(path.name, fh), purpose="batch"), "id")
        return await self._call(upload, deadline=False)

    async def create_batch(self, file_id: str, key: str) -> BatchState:
        """Create the batch of `file_id` once. `key` goes into the batch's metadata (and the
        Idempotency-Key header); a create that fails in a way that may have reached the provider
        (timeout, 5xx, dropped connection) is looked up by key or input file before another is made."""
        async def create():
            return _batch_state(await self._client.batches.create(
                input_file_id=file_id, endpoint="/v1/chat/completions", completion_window="24h",
                metadata={BATCH_KEY: key}, extra_headers={"Idempotency-Key": key}))

        last = ""
        for attempt in range(1, self.attempts + 1):
            try:
                return await self._call(create, idempotent=False)
            except Unconfirmed as exc:
                last = str(exc)
                log.warning("the batch create got no answer (%s); looking for the batch before creating another", exc)
            await self.sleep(min(0.5 * 2 ** (attempt - 1), self.max_wait))  # a late create lands meanwhile
            found = await self.find_batch(key, file_id)
            if found is not None:
                return found
        raise LLMError(f"the batch could not be created ({last}); its intent is kept: the next run looks it up first")

    async def find_batch(self, key: str, file_id: str) -> BatchState | None:
        """The batch whose metadata holds `key`, or whose input file is `file_id`, among the newest
        FIND_PAGES pages of the provider's list, or None."""
        after = None
        for _ in range(FIND_PAGES):
            page = await self._call(lambda after=after: self._client.batches.list(limit=100, **({"after": after} if after else {})))
            batches = list(getattr(page, "data", None) or [])
            for batch in batches:
                metadata = getattr(batch, "metadata", None)
                if (isinstance(metadata, dict) and metadata.get(BATCH_KEY) == key) or getattr(batch, "input_file_id", None) == file_id:
                    return _batch_state(batch)
            if not batches or not getattr(page, "has_more", False):
                return None
            after = getattr(batches[-1], "id", None)
        return None

    async def batch_state(self, batch_id: str) -> BatchState:
        async def retrieve():
            return _batch_state(await self._client.batches.retrieve(batch_id))
        return await self._call(retrieve)

    async def cancel_batch(self, batch_id: str) -> BatchState:
        async def cancel():
            return _batch_state(await self._client.batches.cancel(batch_id))
        return await self._call(cancel)

    async def batch_lines(self, file_id: str, line_limit: int, deadline_s: float) -> AsyncIterator["BatchLine"]:
        """The lines of a result or error file, streamed, each as a BatchLine: never held whole in
        memory, each line at most `line_limit` bytes (a longer one is that request's failure), the
        file decompressed up to the client's file limit, the whole download within `deadline_s`
        seconds. A download cut short raises DownloadCut after the lines that came."""
        stop = asyncio.get_running_loop().time() + deadline_s
        try:
            async with asyncio.timeout_at(stop):
                stream = await self._call(lambda: self._client.files.with_streaming_response.content(file_id).__aenter__())
        except TimeoutError:
            raise DownloadCut(f"the batch file {file_id} did not start within {deadline_s:g} s") from None
        lines = _LineSplitter(line_limit)
        chunks = stream.iter_bytes().__aiter__()
        try:
            while True:
                try:
                    async with asyncio.timeout_at(stop):
                        chunk = await anext(chunks, None)
                except TimeoutError:
                    raise DownloadCut(f"the batch file {file_id} did not arrive within {deadline_s:g} s "
                                      "(batch_download_timeout)") from None
                except Exception as exc:  # past the file limit, damaged, a dropped connection
                    raise DownloadCut(f"the batch file {file_id} was cut: {_describe(exc)}") from None
                for line in lines.feed(chunk) if chunk is not None else lines.end():
                    yield line
                if chunk is None:
                    return
        finally:
            await stream.close()

    async def close(self) -> None:
        await self._client.close()


def client_for(settings: "Settings", pause: bool = True) -> LLMClient:
    """The one factory: the LLM client a command uses, built from its settings (replays pass
    pause=False: a recorded failure is not waited for)."""
    return LLMClient(settings.base_url, settings.api_key, timeout=settings.timeout, attempts=settings.attempts,
                     budget=RetryBudget(left=settings.retry_budget), rate_limit_wait=settings.rate_limit_wait,
                     concurrency=settings.concurrency, json_mode=settings.json_mode, pause=pause,
                     answer_limit=settings.answer_limit_mb << 20, file_limit=settings.batch_file_limit_mb << 20)


@dataclass
class _CallState:
    """One call's retry accounting: failures count toward `attempts`, 429 waits (slept) toward `rate_limit_wait`."""

    failures: int = 0
    rate_limits: int = 0
    floor_steps: int = 0  # 429s whose hint was missing or below the floor: each doubles the floor
    rate_waited: float = 0.0
    rate_limited: bool = False  # the wait being slept is a 429's
    last: str = ""  # the last retried failure, for the message when a replay runs out of answers
    idempotent: bool = True  # False for a create: a failure that may have reached the endpoint is not retried


def _answer_body(raw) -> object:
    """The JSON value of a 200, or MalformedAnswer naming what came instead (an HTML page, not JSON)."""
    kind = str(raw.headers.get("content-type") or "no content type").split(";")[0].strip()[:60]
    try:
        return _json_value(raw.content)
    except (ValueError, UnicodeDecodeError):
        raise MalformedAnswer(f"the endpoint's answer is not a chat completion ({_printable(kind)})") from None


def _json_value(text: str | bytes) -> object:
    """json.loads, with a value nested deeper than any completion refused (ValueError) before the
    decoder recurses into it: a body of 990 brackets is a malformed answer, never a RecursionError."""
    if isinstance(text, bytes):
        text = text.decode(json.detect_encoding(text), "surrogatepass")  # as json.loads decodes bytes
    if json_depth(text) > MAX_JSON_DEPTH:
        raise ValueError("nested too deep")
    try:
        return json.loads(text)
    except RecursionError:
        raise ValueError("nested too deep") from None


def completion_of(body: object, model: str, latency_s: float) -> Completion:
    """A chat-completion body (live, or one line of a batch's output file) as a Completion.

    Any JSON value is accepted; one that is not a chat completion raises MalformedAnswer, an error
    object saying the quota is spent raises QuotaSpent, a refusal raises Refused. The text kept is
    valid Unicode (an escaped lone surrogate in the body is replaced)."""
    _raise_error_object(body)
    text = _message_text(body)
    choice = body["choices"][0]
    finish = choice.get("finish_reason") if isinstance(choice.get("finish_reason"), str) else ""
    usage = body.get("usage") if isinstance(body.get("usage"), dict) else {}
    answered = body.get("model")
    raw = json.dumps(body, ensure_ascii=False, default=str)
    return Completion(text=_capped(text, MAX_TEXT).strip(),
                      usage=Usage(prompt_tokens=_count(usage.get("prompt_tokens")),
                                  completion_tokens=_count(usage.get("completion_tokens"))),
                      model=_capped(answered, 200) if isinstance(answered, str) and answered else model,
                      latency_s=latency_s, raw=_capped(raw, MAX_RAW), finish_reason=_printable(finish[:40]))


def _message_text(body: object) -> str:
    """choices[0].message.content, or MalformedAnswer saying which part is missing or of the wrong type."""
    def bad(why: str) -> MalformedAnswer:
        return MalformedAnswer(f"the endpoint's answer is not a chat completion ({why})")

    if not isinstance(body, dict):
        raise bad(f"a JSON {_json_kind(body)}, not an object")
    choices = body.get("choices")
    if not isinstance(choices, list) or not choices:
        raise bad("no choices")
    message = choices[0].get("message") if isinstance(choices[0], dict) else None
    if isinstance(message, dict) and not message.get("content") and isinstance(message.get("refusal"), str):
        raise Refused(f"the model refused to answer ({_printable(message['refusal'][:120])})")
    filtered = isinstance(choices[0], dict) and choices[0].get("finish_reason") == "content_filter"
    if filtered and not (isinstance(message, dict) and message.get("content")):
        raise Refused("the model's answer was withheld by its content filter")
    if not isinstance(message, dict) or not isinstance(message.get("content"), str):
        raise bad("no message text")
    return message["content"]


def _raise_error_object(body: object) -> None:
    """A status-200 body that is an error object: the quota spent ends the run; others are malformed."""
    error = body.get("error") if isinstance(body, dict) and "choices" not in body else None
    if not isinstance(error, dict):
        return
    code = error.get("code") if isinstance(error.get("code"), str) else error.get("type")
    if code == "insufficient_quota":
        raise QuotaSpent("the endpoint answered insufficient_quota (HTTP 200): the account's quota is spent; "
                         "add credit or use another key")
    raise MalformedAnswer(f"the endpoint's answer is an error ({_printable(str(code)[:80]) if code else 'no code'})")


def _quota_spent(exc: BaseException | None) -> bool:
    """An HTTP error whose code (or type) says the quota is used up, whatever its status (429 or 403)."""
    body = getattr(exc, "body", None)
    error = body.get("error", body) if isinstance(body, dict) else None
    fields = [getattr(exc, "code", None), getattr(exc, "type", None)]
    if isinstance(error, dict):
        fields += [error.get("code"), error.get("type")]
    return "insufficient_quota" in fields


@dataclass
class BatchLine:
    """One line of a batch's output or error file: its request's id, and its answer or why there is none."""

    custom_id: str | None
    completion: Completion | None = None
    error: str = ""
    final: bool = False  # no point sending it again (its answer is over the limit)


def batch_line(text: str) -> BatchLine:
    """Any line, as data: a line that is not JSON, not an object or of the wrong types says so in `error`."""
    try:
        item = _json_value(text)
    except (ValueError, UnicodeDecodeError):
        return BatchLine(None, error="a line that is not JSON in the batch's files")
    if not isinstance(item, dict) or not isinstance(item.get("custom_id"), str):
        return BatchLine(None, error="a line without a custom_id in the batch's files")
    custom_id, response, error = _capped(item["custom_id"], 200), item.get("response"), item.get("error")
    if isinstance(response, dict) and response.get("status_code") == 200:
        try:
            return BatchLine(custom_id, completion_of(response.get("body"), "", 0.0))
        except LLMError as exc:  # malformed, refused, an error object: that line's failure
            return BatchLine(custom_id, error=f"{exc} in the batch")
    if isinstance(error, dict):
        code = error.get("code")
        return BatchLine(custom_id, error=f"{_printable(code[:80]) if isinstance(code, str) and code else 'error'} in the batch")
    status = response.get("status_code") if isinstance(response, dict) else None
    return BatchLine(custom_id, error=f"HTTP {status if isinstance(status, int) else '?'} in the batch")


class _LineSplitter:
    """Bytes into BatchLines, one line at most `limit` bytes: a longer line becomes that request's
    failure as soon as it passes the limit (its custom_id read from its start), and the rest of it
    is skipped unread."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.buffer = bytearray()
        self.skipping = False  # inside a line already reported as too long

    def feed(self, chunk: bytes) -> list["BatchLine"]:
        out: list[BatchLine] = []
        while chunk:
            end = chunk.find(b"\n")
            part, chunk = (chunk, b"") if end < 0 else (chunk[:end], chunk[end + 1:])
            if not self.skipping:
                self.buffer += part
                if len(self.buffer) > self.limit:
                    out.append(self._too_long())
            if end >= 0:
                out += self.end()
        return out

    def end(self) -> list["BatchLine"]:
        """The line in hand, at a newline or the end of the file."""
        data, skipped = bytes(self.buffer), self.skipping
        self.buffer, self.skipping = bytearray(), False
        text = data.decode("utf-8", "replace")
        return [batch_line(scrub(text))] if text.strip() and not skipped else []

    def _too_long(self) -> "BatchLine":
        found = re.search(rb'"custom_id"\s*:\s*"([^"\\]{1,200})"', bytes(self.buffer[:4096]))
        self.buffer, self.skipping = bytearray(), True
        custom_id = _capped(found.group(1).decode("utf-8", "replace"), 200) if found else None
        return BatchLine(custom_id, error=f"an answer larger than {self.limit >> 20} MB in the batch (answer_limit_mb)",
                         final=True)


def _json_kind(value: object) -> str:
    return {list: "list", str: "string", int: "number", float: "number", bool: "boolean"}.get(type(value), "null")


def _count(value: object) -> int:
    """A count from an answer, bounded before anything stores it (SQLite holds 64 bits: 10**23 would not fit)."""
    return min(value, MAX_TOKENS) if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


def _field(obj: object, name: str) -> str:
    """A string attribute of an SDK answer, or MalformedAnswer (the SDK hands back HTML as a str)."""
    value = getattr(obj, name, None)
    if not isinstance(value, str) or not value:
        raise MalformedAnswer(f"the endpoint's answer has no {name}")
    return value


def _batch_state(batch) -> BatchState:
    counts = getattr(batch, "request_counts", None)
    try:
        return BatchState(id=_field(batch, "id"), status=_field(batch, "status"),
                          total=_count(getattr(counts, "total", 0)), completed=_count(getattr(counts, "completed", 0)),
                          failed=_count(getattr(counts, "failed", 0)), output_file_id=batch.output_file_id,
                          error_file_id=batch.error_file_id)
    except (AttributeError, ValueError) as exc:  # pydantic's ValidationError is a ValueError
        raise MalformedAnswer(f"the endpoint's answer is not a batch ({type(exc).__name__})") from None


def _printable(text: str) -> str:
    """One line of printable characters, scrubbed: what an endpoint says goes into messages only so."""
    return scrub("".join(c if c.isprintable() else "?" for c in text))


def _no_recording(exc: BaseException) -> bool:
    """vcrpy's answer to a request its cassette does not hold (vcrpy is imported only by replays)."""
    errors = sys.modules.get("vcr.errors")
    return errors is not None and isinstance(exc, errors.CannotOverwriteExistingCassetteException)


def _describe(exc: BaseException) -> str:
    """One line naming the failure; never the key, even when the endpoint echoes it as the error code."""
    import openai

    if isinstance(exc, openai.APIStatusError):
        code = getattr(exc, "code", None)  # e.g. invalid_api_key, model_not_found; the message may echo the key
        return f"HTTP {exc.status_code} from the endpoint" + (f" ({_printable(code[:80])})" if isinstance(code, str) and code else "")
    if isinstance(exc, openai.APITimeoutError):
        return "request timed out"
    if isinstance(exc, openai.APIConnectionError):
        return "connection to the endpoint failed"
    if isinstance(exc, LLMError):
        return _printable(str(exc))
    name = type(exc).__name__
    if _no_recording(exc):
        return "no recorded response in the cassette for this request (prompt or paper changed: re-record)"
    first = str(exc).splitlines()[0][:300] if str(exc) else ""
    return _printable(f"{name}: {first}".strip(": "))
