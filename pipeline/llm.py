"""The only module that talks to the LLM endpoint.

The `openai` SDK's AsyncOpenAI reaches any OpenAI-compatible server. Its own retries are off:
tenacity owns them. A 429 is pacing, not failure: the call waits what Retry-After asks (or backs
off), up to `rate_limit_wait` seconds in all, without using up its attempts or feeding the stop
counter, and the client lowers the number of calls in flight until answers come back. 5xx,
timeouts and dropped connections are failures: retried with backoff up to `attempts` tries per
call, and a run-wide budget makes a dead endpoint fail fast.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import datetime, timezone
from dataclasses import dataclass
from pathlib import Path
from typing import AsyncIterator

from tenacity import AsyncRetrying, RetryCallState, retry_if_exception

from .models import BatchState, Completion, Usage

log = logging.getLogger("paperbrief.llm")

DEFAULT_ATTEMPTS = 6  # tries per call for 5xx, timeouts and dropped connections; 429 answers do not count
DEFAULT_RATE_LIMIT_WAIT = 600.0  # seconds one call may keep waiting through 429 answers before it gives up


class LLMError(Exception):
    """The endpoint could not give an answer; the message says why in one line."""


class EndpointUnusable(LLMError):
    """No paper can succeed against this endpoint (bad key, unknown model, endpoint down): stop the run.

    `partial` carries a brief already paid for when the stop came during its repair request, so
    the runner can store it before the run ends."""

    partial = None


class RetryBudgetExceeded(EndpointUnusable):
    """Too many retries in this run: the endpoint looks down, so stop asking."""


_REFUSALS = {401: "check OPENAI_API_KEY", 403: "the key may not use this model or endpoint",
             404: "check OPENAI_BASE_URL and the model name"}


@dataclass
class RetryBudget:
    """Retries left for the whole run, shared by every call, and a breaker for a dead endpoint.

    `left` bounds the total retries of a run; `in_a_row` counts failures since the last success,
    so an endpoint that never answers stops the run after `max_in_a_row` failures, not after
    every paper has used up its own attempts.
    """

    left: int
    max_in_a_row: int = 12
    in_a_row: int = 0

    def take(self) -> bool:
        self.in_a_row += 1
        if self.left <= 0 or self.in_a_row >= self.max_in_a_row:
            return False
        self.left -= 1
        return True

    def succeeded(self) -> None:
        self.in_a_row = 0


class Pacer:
    """How many calls may be in flight: halved when the endpoint answers 429, raised by one after
    as many answers as the current limit, never above the run's --concurrency (AIMD, as TCP does)."""

    def __init__(self, ceiling: int) -> None:
        self.ceiling = self.limit = max(1, ceiling)
        self.in_flight = 0
        self._answers = 0
        self._last_cut = 0.0
        self._free: asyncio.Condition | None = None  # made in the running loop

    async def __aenter__(self) -> None:
        self._free = self._free or asyncio.Condition()
        async with self._free:
            await self._free.wait_for(lambda: self.in_flight < self.limit)
            self.in_flight += 1

    async def __aexit__(self, *exc) -> None:
        async with self._free:
            self.in_flight -= 1
            self._free.notify_all()

    def rate_limited(self) -> None:
        now = time.monotonic()
        if now - self._last_cut >= 0.5:  # one cut per burst of 429s, not one per call in it
            self.limit = max(1, self.limit // 2)
            self._last_cut, self._answers = now, 0
            log.debug("rate limited: %d calls in flight at most", self.limit)

    def answered(self) -> None:
        self._answers += 1
        if self.limit < self.ceiling and self._answers >= self.limit:
            self.limit += 1
            self._answers = 0


def _rate_limited(exc: BaseException | None) -> bool:
    return getattr(exc, "status_code", None) == 429


def _retryable(exc: BaseException) -> bool:
    import openai

    if isinstance(exc, (openai.APITimeoutError, openai.APIConnectionError, openai.RateLimitError)):
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
            return float(value) / 1000
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:  # an HTTP date
        from email.utils import parsedate_to_datetime

        try:
            return max(0.0, (parsedate_to_datetime(value) - datetime.now(timezone.utc)).total_seconds())
        except (TypeError, ValueError):
            return None


async def _no_pause(_seconds: float) -> None:
    """A replay has nothing to wait for: recorded 429s and errors are stepped through at once."""


class LLMClient:
    """One AsyncOpenAI client shared by a run's calls."""

    sleep = staticmethod(asyncio.sleep)  # how a retry waits

    def __init__(self, base_url: str | None, api_key: str | None, timeout: float = 60.0,
                 attempts: int = DEFAULT_ATTEMPTS, budget: RetryBudget | None = None, max_wait: float = 60.0,
                 rate_limit_wait: float = DEFAULT_RATE_LIMIT_WAIT, concurrency: int = 8, pause: bool = True,
                 json_mode: bool = True):
        import openai  # ~0.4 s: imported only when a run actually calls the endpoint

        self._client = openai.AsyncOpenAI(base_url=base_url, api_key=api_key or "no-key", max_retries=0, timeout=timeout)
        self._completions = self._client.chat.completions  # built here (the run builds clients in a thread), not on the first call
        self.attempts = attempts
        self.budget = budget or RetryBudget(left=10_000)
        self.max_wait = max_wait
        self.rate_limit_wait = rate_limit_wait
        self.pacer = Pacer(concurrency)
        self.calls = 0
        if not pause:
            self.sleep = _no_pause

    def _should_retry(self, exc: BaseException) -> bool:
        if _rate_limited(exc):
            self.pacer.rate_limited()
            return True
        if not _retryable(exc):
            return False
        if not self.budget.take():
            why = "failed" if self.budget.left > 0 else "retry budget used up"
            raise RetryBudgetExceeded(
                f"endpoint {why} ({self.budget.in_a_row} failures in a row); last error: {_describe(exc)}")
        log.debug("retrying after %s", _describe(exc))
        return True

    async def _call(self, request):
        """Run `request()` (one HTTP call) under the retry policy; errors become one-line LLMErrors."""
        call = _CallState()
        try:
            async for attempt in AsyncRetrying(
                retry=retry_if_exception(self._should_retry), wait=call.wait(self), stop=call.stop(self),
                sleep=self.sleep, reraise=True,
            ):
                with attempt:
                    async with self.pacer:
                        self.calls += 1
                        result = await request()
        except (EndpointUnusable, asyncio.CancelledError):
            raise
        except Exception as exc:
            status = getattr(exc, "status_code", None)
            if status in _REFUSALS:
                raise EndpointUnusable(f"{_describe(exc)}: {_REFUSALS[status]}") from None  # the SDK's errors and vcrpy's "no recording" alike end the paper, not the run
            if status == 429:
                raise LLMError(f"still rate limited (HTTP 429) after waiting {call.rate_waited:.3g} s; "
                               f"rate_limit_wait allows {self.rate_limit_wait:.3g} s") from None
            raise LLMError(_describe(exc)) from None
        self.budget.succeeded()
        self.pacer.answered()
        return result

    async def complete(self, messages: list[dict[str, str]], model: str, parameters: dict,
                       json_object: bool = False) -> Completion:
        start = time.perf_counter()
        response = await self._call(lambda: self._completions.create(model=model, messages=messages, **parameters))
        return completion_of(response.model_dump(), model, time.perf_counter() - start)

    # -- the Batch API: the same requests, run by the provider within 24 hours at about half the price --

    async def upload_batch_file(self, path: Path) -> str:
        """Upload a JSONL file of requests; returns its file id."""
        async def upload():
            with path.open("rb") as fh:
                return await self._client.files.create(file=(path.name, fh), purpose="batch")
        return (await self._call(upload)).id

    async def create_batch(self, file_id: str) -> BatchState:
        batch = await self._call(lambda: self._client.batches.create(
            input_file_id=file_id, endpoint="/v1/chat/completions", completion_window="24h"))
        return _batch_state(batch)

    async def batch_state(self, batch_id: str) -> BatchState:
        return _batch_state(await self._call(lambda: self._client.batches.retrieve(batch_id)))

    async def cancel_batch(self, batch_id: str) -> BatchState:
        return _batch_state(await self._call(lambda: self._client.batches.cancel(batch_id)))

    async def file_lines(self, file_id: str) -> AsyncIterator[str]:
        """The lines of a result file, streamed: a batch of thousands is never held in memory."""
        stream = await self._call(lambda: self._client.files.with_streaming_response.content(file_id).__aenter__())
        try:
            async for line in stream.iter_lines():
                if line.strip():
                    yield line
        finally:
            await stream.close()

    async def close(self) -> None:
        await self._client.close()


@dataclass
class _CallState:
    """One call's retry accounting: failures count toward `attempts`, 429 waits toward `rate_limit_wait`."""

    failures: int = 0
    rate_limits: int = 0
    rate_waited: float = 0.0

    def stop(self, client: LLMClient):
        def stop(state: RetryCallState) -> bool:
            if _rate_limited(state.outcome.exception()):
                return self.rate_waited >= client.rate_limit_wait
            self.failures += 1
            return self.failures >= client.attempts
        return stop

    def wait(self, client: LLMClient):
        def wait(state: RetryCallState) -> float:
            exc = state.outcome.exception() if state.outcome else None
            hinted = _retry_after(exc)
            if _rate_limited(exc):
                self.rate_limits += 1
                delay = hinted if hinted is not None else min(0.5 * 2 ** (self.rate_limits - 1), 30.0)
                delay = max(0.0, min(delay, client.rate_limit_wait - self.rate_waited))
                self.rate_waited += delay
                return delay
            return min(hinted if hinted is not None else 0.25 * 2 ** (self.failures - 1), client.max_wait)
        return wait


def completion_of(body: dict, model: str, latency_s: float) -> Completion:
    """A chat-completion body (live, or one line of a batch's output file) as a Completion."""
    import json

    choices = body.get("choices") or []
    text = ((choices[0].get("message") or {}).get("content") or "") if choices else ""
    usage = body.get("usage") or {}
    return Completion(text=text.strip(), usage=Usage(prompt_tokens=usage.get("prompt_tokens") or 0,
                                                     completion_tokens=usage.get("completion_tokens") or 0),
                      model=body.get("model") or model, latency_s=latency_s, raw=json.dumps(body, ensure_ascii=False))


def _batch_state(batch) -> BatchState:
    counts = batch.request_counts
    return BatchState(id=batch.id, status=batch.status, total=getattr(counts, "total", 0) or 0,
                      completed=getattr(counts, "completed", 0) or 0, failed=getattr(counts, "failed", 0) or 0,
                      output_file_id=batch.output_file_id, error_file_id=batch.error_file_id)


def _describe(exc: BaseException) -> str:
    import openai

    if isinstance(exc, openai.APIStatusError):
        code = getattr(exc, "code", None)  # e.g. invalid_api_key, model_not_found; the message may echo the key
        return f"HTTP {exc.status_code} from the endpoint" + (f" ({code})" if isinstance(code, str) else "")
    if isinstance(exc, openai.APITimeoutError):
        return "request timed out"
    if isinstance(exc, openai.APIConnectionError):
        return "connection to the endpoint failed"
    name = type(exc).__name__
    if name == "CannotOverwriteExistingCassetteException":
        return "no recorded response in the cassette for this request (prompt or paper changed: re-record)"
    return f"{name}: {str(exc).splitlines()[0] if str(exc) else ''}".strip(": ")
