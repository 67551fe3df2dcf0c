"""The only module that talks to the LLM endpoint.

The `openai` SDK's AsyncOpenAI reaches any OpenAI-compatible server. Its own retries are off:
tenacity owns them so that 429 honours Retry-After, 5xx, timeouts and dropped connections are
retried with a bound per call, and a run-wide budget makes a dead endpoint fail fast.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import datetime, timezone
from dataclasses import dataclass

from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt

from .models import Completion, Usage

log = logging.getLogger("paperbrief.llm")


class LLMError(Exception):
    """The endpoint could not give an answer; the message says why in one line."""


class EndpointUnusable(LLMError):
    """No paper can succeed against this endpoint (bad key, unknown model, endpoint down): stop the run."""


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


class LLMClient:
    """One AsyncOpenAI client shared by a run's calls."""

    def __init__(self, base_url: str | None, api_key: str | None, timeout: float = 60.0,
                 attempts: int = 5, budget: RetryBudget | None = None, max_wait: float = 60.0):
        import openai  # ~0.4 s: imported only when a run actually calls the endpoint

        self._client = openai.AsyncOpenAI(base_url=base_url, api_key=api_key or "no-key", max_retries=0, timeout=timeout)
        self._completions = self._client.chat.completions  # built here (the run builds clients in a thread), not on the first call
        self.attempts = attempts
        self.budget = budget or RetryBudget(left=10_000)
        self.max_wait = max_wait
        self.calls = 0

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        hinted = _retry_after(exc)
        if hinted is not None:
            return min(hinted, self.max_wait)
        return min(0.25 * 2 ** (state.attempt_number - 1), self.max_wait)

    def _should_retry(self, exc: BaseException) -> bool:
        if not _retryable(exc):
            return False
        if not self.budget.take():
            why = "failed" if self.budget.left > 0 else "retry budget used up"
            raise RetryBudgetExceeded(
                f"endpoint {why} ({self.budget.in_a_row} failures in a row); last error: {_describe(exc)}")
        log.debug("retrying after %s", _describe(exc))
        return True

    async def complete(self, messages: list[dict[str, str]], model: str, parameters: dict) -> Completion:
        start = time.perf_counter()
        try:
            async for attempt in AsyncRetrying(
                retry=retry_if_exception(self._should_retry), wait=self._wait,
                stop=stop_after_attempt(self.attempts), reraise=True,
            ):
                with attempt:
                    self.calls += 1
                    response = await self._completions.create(model=model, messages=messages, **parameters)
        except (EndpointUnusable, asyncio.CancelledError):
            raise
        except Exception as exc:
            status = getattr(exc, "status_code", None)
            if status in _REFUSALS:
                raise EndpointUnusable(f"{_describe(exc)}: {_REFUSALS[status]}") from None  # the SDK's errors and vcrpy's "no recording" alike end the paper, not the run
            raise LLMError(_describe(exc)) from None
        self.budget.succeeded()
        choice = response.choices[0] if response.choices else None
        text = (choice.message.content or "") if choice else ""
        usage = Usage(
            prompt_tokens=getattr(response.usage, "prompt_tokens", 0) or 0,
            completion_tokens=getattr(response.usage, "completion_tokens", 0) or 0,
        )
        return Completion(text=text.strip(), usage=usage, model=response.model or model,
                          latency_s=time.perf_counter() - start, raw=response.model_dump_json())

    async def close(self) -> None:
        await self._client.close()


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
