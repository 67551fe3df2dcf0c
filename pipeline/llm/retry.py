"""The retry policy, as tenacity's own objects: which failures are retried (`retry`), what each one
costs (`after`), how long to wait (`wait`) and when a call stops (`stop`).

A 429 is pacing: it waits what Retry-After asks, never less than a floor that doubles each time the
hint is missing or below it (so `Retry-After: 0` cannot spin), and stops after `rate_limit_wait`
seconds slept or MAX_RATE_LIMITS answers. 5xx, timeouts, dropped connections and malformed answers
wait an exponential backoff with upward jitter (calls that failed together do not retry together;
no wait is ever below the backoff's start), and stop after `attempts` failures or when the run's
RetryBudget refuses one more. A spent quota, a refusal and other errors are never retried.
"""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass
from datetime import datetime, timezone

from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, wait_exponential_jitter
from tenacity.stop import stop_base
from tenacity.wait import wait_base

from ..settings import DEFAULT_ATTEMPTS, DEFAULT_RATE_LIMIT_WAIT
from .errors import CallTimedOut, EndpointUnusable, LLMError, MalformedAnswer, NotRecorded, QuotaSpent, RetryBudgetExceeded, Unconfirmed
from .pacing import Pacer, RetryBudget
from .secrets import printable

log = logging.getLogger("paperbrief")
RATE_LIMIT_FLOOR = 1.0  # the least wait after a 429, doubled with each 429 of the same call
RATE_LIMIT_CEILING = 30.0  # the floor stops doubling here
MAX_RATE_LIMITS = 30  # 429 answers one call accepts before it gives up, whatever the waits were
BACKOFF_START = 0.25  # the first wait after a failure, doubled with each attempt of the call
BACKOFF_JITTER = 0.25  # at most this much is added to each backoff at random (never taken off)

_REFUSALS = {401: "check OPENAI_API_KEY", 403: "the key may not use this model or endpoint",
             404: "check OPENAI_BASE_URL and the model name"}


@dataclass
class CallState:
    """One call's retry accounting: failures count toward `attempts`, 429 waits (slept) toward `rate_limit_wait`."""

    failures: int = 0
    rate_limits: int = 0
    floor_steps: int = 0  # 429s whose hint was missing or below the floor: each doubles the floor
    rate_waited: float = 0.0
    rate_limited: bool = False  # the wait being slept is a 429's
    budget_refused: bool = False  # the run's RetryBudget allowed no further retry
    last: str = ""  # the last retried failure, for the message when a replay runs out of answers
    idempotent: bool = True  # False for a create: a failure that may have reached the endpoint is not retried


@dataclass
class Limits:
    """The numbers the policy works within, as the client was configured."""

    attempts: int = DEFAULT_ATTEMPTS
    max_wait: float = 60.0
    rate_limit_wait: float = DEFAULT_RATE_LIMIT_WAIT
    rate_limit_floor: float = RATE_LIMIT_FLOOR


# -- what a failure is ------------------------------------------------------------------------------

def rate_limited(exc: BaseException | None) -> bool:
    return getattr(exc, "status_code", None) == 429


def timed_out(exc: BaseException | None) -> bool:
    import openai

    return isinstance(exc, (CallTimedOut, openai.APITimeoutError))


def slow(exc: BaseException | None) -> bool:
    """A timeout or a 5xx: what a busy server does, as well as a dead one."""
    return timed_out(exc) or (getattr(exc, "status_code", None) or 0) >= 500


def retryable(exc: BaseException | None) -> bool:
    """A failure the same request may not meet again: 5xx, timeouts, dropped connections, malformed answers."""
    import openai

    if isinstance(exc, (MalformedAnswer, CallTimedOut, openai.APITimeoutError, openai.APIConnectionError)):
        return True
    return isinstance(exc, openai.APIStatusError) and exc.status_code >= 500


def quota_spent(exc: BaseException | None) -> bool:
    """An HTTP error whose code (or type) says the quota is used up, whatever its status (429 or 403)."""
    body = getattr(exc, "body", None)
    error = body.get("error", body) if isinstance(body, dict) else None
    fields = [getattr(exc, "code", None), getattr(exc, "type", None)]
    if isinstance(error, dict):
        fields += [error.get("code"), error.get("type")]
    return "insufficient_quota" in fields


def retry_after(exc: BaseException | None) -> float | None:
    """Seconds the endpoint asked to wait (retry-after-ms, Retry-After in seconds or as an HTTP date), or None."""
    headers = getattr(getattr(exc, "response", None), "headers", None)
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


def no_recording(exc: BaseException | None) -> bool:
    """vcrpy's answer to a request its cassette does not hold (vcrpy is imported only by replays)."""
    errors = sys.modules.get("vcr.errors")
    return errors is not None and isinstance(exc, errors.CannotOverwriteExistingCassetteException)


def endpoint_of(exc: BaseException) -> str:
    """The URL a failed request went to (scheme, host, port, path; never a query, where a key may ride)."""
    request = getattr(exc, "_request", None) or getattr(exc, "request", None)
    url = getattr(request, "url", None)
    if url is None:
        return ""
    port = f":{url.port}" if url.port else ""
    return printable(f"{url.scheme}://{url.host}{port}{url.path}"[:200])


def describe(exc: BaseException) -> str:
    """One line naming the failure; never the key, even when the endpoint echoes it as the error code."""
    import openai

    if isinstance(exc, openai.APIStatusError):
        code = getattr(exc, "code", None)  # e.g. invalid_api_key, model_not_found; the message may echo the key
        return f"HTTP {exc.status_code} from the endpoint" + (f" ({printable(code[:80])})" if isinstance(code, str) and code else "")
    if isinstance(exc, openai.APITimeoutError):
        return "request timed out"
    if isinstance(exc, openai.APIConnectionError):
        return f"connection to the endpoint {endpoint_of(exc)} failed".replace("  ", " ")
    if isinstance(exc, LLMError):
        return printable(str(exc))
    if no_recording(exc):
        return "no recorded response in the cassette for this request (prompt or paper changed: re-record)"
    first = str(exc).splitlines()[0][:300] if str(exc) else ""
    return printable(f"{type(exc).__name__}: {first}".strip(": "))


# -- the stop and wait objects ----------------------------------------------------------------------

class stop_after_failures(stop_base):
    """tenacity's stop_after_attempt, counting only failures (a 429 is pacing, not a failed attempt)."""

    def __init__(self, call: CallState, attempts: int) -> None:
        self.call, self.attempts = call, attempts

    def __call__(self, retry_state: RetryCallState) -> bool:
        return self.call.failures >= self.attempts


class stop_when_budget_refuses(stop_base):
    """Stop when the run's RetryBudget refused this failure a retry (a dead endpoint fails fast)."""

    def __init__(self, call: CallState) -> None:
        self.call = call

    def __call__(self, retry_state: RetryCallState) -> bool:
        return self.call.budget_refused


class stop_rate_limited(stop_base):
    """Stop a 429 once `rate_limit_wait` seconds were slept (a sleep of microseconds is no wait) or
    MAX_RATE_LIMITS answers came."""

    def __init__(self, call: CallState, rate_limit_wait: float) -> None:
        self.call, self.rate_limit_wait = call, rate_limit_wait

    def __call__(self, retry_state: RetryCallState) -> bool:
        if not rate_limited(retry_state.outcome.exception()):
            return False
        return self.rate_limit_wait - self.call.rate_waited < 0.01 or self.call.rate_limits >= MAX_RATE_LIMITS


class wait_retry_after(wait_base):
    """A 429's wait: what Retry-After asks, never less than the floor (which doubles each time the
    hint is missing or below it, up to RATE_LIMIT_CEILING), never more than what is left of
    `rate_limit_wait`. No jitter: the endpoint said when."""

    def __init__(self, call: CallState, limits: Limits) -> None:
        self.call, self.limits = call, limits

    def __call__(self, retry_state: RetryCallState) -> float:
        floor = min(self.limits.rate_limit_floor * 2 ** self.call.floor_steps, RATE_LIMIT_CEILING)
        hinted = retry_after(retry_state.outcome.exception())
        if hinted is None or hinted < floor:  # no hint, or one that would spin: the floor, doubled next time
            self.call.floor_steps += 1
            hinted = floor
        return max(0.0, min(hinted, self.limits.rate_limit_wait - self.call.rate_waited))


class wait_hinted(wait_base):
    """A failure's wait: Retry-After when the endpoint sent one (up to `max_wait`), else `backoff`."""

    def __init__(self, backoff: wait_base, max_wait: float) -> None:
        self.backoff, self.max_wait = backoff, max_wait

    def __call__(self, retry_state: RetryCallState) -> float:
        hinted = retry_after(retry_state.outcome.exception())
        return min(hinted, self.max_wait) if hinted is not None else self.backoff(retry_state)


class wait_by_cause(wait_base):
    """One wait for 429 answers, another for failures."""

    def __init__(self, on_rate_limit: wait_base, on_failure: wait_base) -> None:
        self.on_rate_limit, self.on_failure = on_rate_limit, on_failure

    def __call__(self, retry_state: RetryCallState) -> float:
        rate = rate_limited(retry_state.outcome.exception())
        return (self.on_rate_limit if rate else self.on_failure)(retry_state)


def backoff(max_wait: float) -> wait_base:
    """Exponential from BACKOFF_START with jitter only upward (a test may rely on the minimum), capped at `max_wait`."""
    return wait_exponential_jitter(multiplier=BACKOFF_START, exp_base=2, jitter=BACKOFF_JITTER, max=max_wait)


# -- the policy of one call -------------------------------------------------------------------------

class CallPolicy:
    """The retry policy of one call: tenacity's retrying built from the objects above, and the one-line
    LLMError the call ends in when it stops."""

    def __init__(self, call: CallState, limits: Limits, budget: RetryBudget, pacer: Pacer, stop_hint: str = "",
                 name: str = "") -> None:
        self.call, self.limits, self.budget, self.pacer = call, limits, budget, pacer
        self.stop_hint = stop_hint  # said after a stop caused by timeouts or 5xx
        self.name = name  # the paper the call is for, in the retry notes

    def retrying(self, sleep) -> AsyncRetrying:
        return AsyncRetrying(
            retry=retry_if_exception(self.retried), after=self.record,
            wait=wait_by_cause(wait_retry_after(self.call, self.limits), wait_hinted(backoff(self.limits.max_wait),
                                                                                      self.limits.max_wait)),
            stop=stop_when_budget_refuses(self.call) | stop_after_failures(self.call, self.limits.attempts)
            | stop_rate_limited(self.call, self.limits.rate_limit_wait),
            sleep=sleep, reraise=True)

    def retried(self, exc: BaseException) -> bool:
        """A 429 (not a spent quota), or a retryable failure of a call that may safely be sent again."""
        if not isinstance(exc, Exception) or isinstance(exc, EndpointUnusable) or quota_spent(exc):
            return False
        return rate_limited(exc) or (retryable(exc) and self.call.idempotent)

    def record(self, retry_state: RetryCallState) -> None:
        """What a retried failure costs: the pacer slows down, the call and the run's budget count it."""
        exc = retry_state.outcome.exception()
        call = self.call
        call.rate_limited = rate_limited(exc)
        if call.rate_limited:
            self.pacer.rate_limited()
            call.rate_limits += 1
            call.last = "still rate limited (HTTP 429)"
            return
        call.last = describe(exc)
        if timed_out(exc):
            self.pacer.timed_out()
        call.budget_refused = not self.budget.take(slow=slow(exc))
        if not call.budget_refused:
            call.failures += 1
            if call.failures < self.limits.attempts and self.retried(exc):  # a slow endpoint is seen working
                log.info("%s: %s; trying again (%d of %d)", printable(self.name or "request"), call.last,
                         call.failures + 1, self.limits.attempts)

    def final_error(self, exc: BaseException) -> BaseException:
        """The error a call that will not be retried ends in, named in one line."""
        call = self.call
        if isinstance(exc, EndpointUnusable):
            return exc
        if quota_spent(exc):
            return QuotaSpent(f"{describe(exc)}: the account's quota is spent; add credit or use another key")
        if rate_limited(exc):
            return LLMError(f"still rate limited (HTTP 429) after {call.rate_limits} answers and "
                            f"{call.rate_waited:.1f} s of waiting; rate_limit_wait allows "
                            f"{self.limits.rate_limit_wait:.3g} s")
        if retryable(exc) and not call.idempotent:  # the endpoint may have acted on it: the caller looks first
            return Unconfirmed(describe(exc))
        if retryable(exc) and call.budget_refused:
            why = "failed" if self.budget.left > 0 else "retry budget used up"
            hint = self.stop_hint if slow(exc) else ""
            return RetryBudgetExceeded(f"endpoint {why} ({self.budget.in_a_row} failures in a row); "
                                       f"last error: {describe(exc)}{hint}")
        if retryable(exc):
            return LLMError(describe(exc))
        status = getattr(exc, "status_code", None)
        if status in _REFUSALS:  # the SDK's errors and vcrpy's "no recording" alike end the paper, not the run
            return EndpointUnusable(f"{describe(exc)}: {_REFUSALS[status]}")
        if call.last and no_recording(exc):  # a replayed failure, retried: say what failed, not "re-record"
            return LLMError(f"{call.last}; the cassette holds no further answer to this request")
        return (NotRecorded if no_recording(exc) else LLMError)(describe(exc))
