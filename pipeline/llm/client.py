"""The client: one AsyncOpenAI client shared by a run's calls, each call sent under the retry
policy (retry.py), the pacer (pacing.py) and a deadline for the whole HTTP call, body included."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from ..models import Completion
from ..settings import DEFAULT_ANSWER_LIMIT_MB, DEFAULT_ATTEMPTS, DEFAULT_FILE_LIMIT_MB, DEFAULT_RATE_LIMIT_WAIT, Settings
from .about import RequestAbout, Wire, note_sent, sending_about, watching_wire
from .answers import answer_body, completion_of
from .batch import BatchTransport
from .errors import CallTimedOut, EndpointUnusable
from .formats import STEP_DOWN_WARNING, JsonMode, json_mode_of, next_mode, response_format
from .http import guarded_http_client
from .pacing import Pacer, RetryBudget
from .retry import RATE_LIMIT_FLOOR, CallPolicy, CallState, Limits
from .secrets import add_secret

log = logging.getLogger("paperbrief.llm")


async def _no_pause(_seconds: float) -> None:
    """A replay has nothing to wait for: recorded 429s and errors are stepped through at once."""


class LLMClient(BatchTransport):
    """One AsyncOpenAI client shared by a run's calls.

    `json_mode` is the form a brief answer is asked in ("schema", "object" or "off"; true means
    "schema"). The first time the endpoint answers HTTP 400 to a request carrying a form, the run
    steps down to the next one for good (schema, then JSON mode, then none), saying so once each.
    """

    sleep = staticmethod(asyncio.sleep)  # how a retry waits

    def __init__(self, base_url: str | None, api_key: str | None, timeout: float = 60.0,
                 attempts: int = DEFAULT_ATTEMPTS, budget: RetryBudget | None = None, max_wait: float = 60.0,
                 rate_limit_wait: float = DEFAULT_RATE_LIMIT_WAIT, concurrency: int = 8, pause: bool = True,
                 json_mode: bool | JsonMode = "schema", rate_limit_floor: float = RATE_LIMIT_FLOOR,
                 answer_limit: int = DEFAULT_ANSWER_LIMIT_MB << 20, file_limit: int = DEFAULT_FILE_LIMIT_MB << 20):
        with contextlib.suppress(ImportError):  # the SDK looks into a loaded legacy httpx: when another thread
            import httpx  # noqa: F401  (vcrpy) is importing it, wait for that import to finish
        import openai  # ~0.4 s: imported only when a run actually calls the endpoint

        add_secret(api_key)
        self._client = openai.AsyncOpenAI(base_url=base_url, api_key=api_key or "no-key", max_retries=0, timeout=timeout,
                                          http_client=guarded_http_client(timeout, answer_limit, file_limit))
        self._completions = self._client.chat.completions  # built here (the run builds clients in a thread), not on the first call
        self.timeout = timeout
        self.limits = Limits(attempts=attempts, max_wait=max_wait, rate_limit_wait=rate_limit_wait,
                             rate_limit_floor=rate_limit_floor)
        self.budget = budget or RetryBudget(left=10_000)
        self.json_mode: JsonMode = json_mode_of(json_mode)
        self.pacer = Pacer(concurrency, hold_cap=timeout, sleep=lambda seconds: self.sleep(seconds))
        self.calls = 0
        self.stopping = False  # set when the run is being stopped: calls in flight finish, no new request leaves
        if not pause:
            self.sleep = _no_pause

    @property
    def attempts(self) -> int:
        return self.limits.attempts

    @property
    def max_wait(self) -> float:
        return self.limits.max_wait

    async def _call(self, request, asks_json=lambda: "off", deadline: bool = True, idempotent: bool = True,
                    name: str = ""):
        """Run `request()` (one HTTP call, parsed) under the retry policy; errors become one-line LLMErrors.

        `asks_json()` names the answer form an attempt carries, so a 400 to it steps the form down
        instead of failing."""
        call = CallState(idempotent=idempotent)
        policy = CallPolicy(call, self.limits, self.budget, self.pacer, stop_hint=self._settings_hint(), name=name)
        try:
            async for attempt in policy.retrying(sleep=lambda seconds: self._sleep(call, seconds)):
                with attempt:
                    result = await self._attempt(request, asks_json, deadline)
        except EndpointUnusable:
            raise
        except Exception as exc:
            raise policy.final_error(exc) from None
        self.budget.succeeded()
        return result

    async def _attempt(self, request, asks_json, deadline: bool):
        """One request; when it carried an answer form and got a 400, the same request at once with the next form."""
        carried = asks_json()
        try:
            async with self.pacer:
                if self.stopping:
                    raise EndpointUnusable("the run is stopping: no new request is sent")
                start = time.monotonic()
                with watching_wire() as sent:
                    try:
                        result = await (self._within_deadline(request) if deadline else request())
                    except BaseException as exc:
                        self._count(sent, answered=getattr(exc, "response", None) is not None)
                        raise
                    self._count(sent, answered=True)
                self.pacer.answered(time.monotonic() - start)
                return result
        except Exception as exc:
            if carried == "off" or getattr(exc, "status_code", None) != 400:
                raise
        self._step_down(carried)
        return await self._attempt(request, asks_json, deadline)  # a lower form now: at most two steps

    def _count(self, sent: Wire, answered: bool) -> None:
        """Count a request that reached the endpoint: answered, or its body written before it was cut
        (a timeout, a dropped connection, a stop); one cancelled before it left is not counted."""
        if answered or sent.written or not sent.tracing:
            self.calls += 1
            note_sent()

    async def _within_deadline(self, request):
        """One attempt, headers and body, within `timeout` seconds (a dripping body cannot hold it)."""
        import openai

        try:
            async with asyncio.timeout(self.timeout):
                return await request()
        except (TimeoutError, openai.APITimeoutError):  # ours or the SDK's per-read one: the same failure
            raise CallTimedOut(f"request timed out after {self.timeout:.3g} s") from None

    def _step_down(self, refused: JsonMode) -> None:
        """The endpoint refused the form `refused`: ask with the next one from now on (calls in
        flight that carried it step down once between them)."""
        if self.json_mode == refused:
            self.json_mode = next_mode(refused)
            log.warning(STEP_DOWN_WARNING[refused])

    def _settings_hint(self) -> str:
        """For a stop after timeouts or 5xx: the settings that let a slow endpoint through, as they were."""
        return (f"; if the endpoint is alive but slow (a local server), lower --concurrency (was "
                f"{self.pacer.concurrency}) or raise --timeout (was {self.timeout:g} s)")

    async def _sleep(self, call: CallState, seconds: float) -> None:
        """Sleep between attempts; a 429's wait counts toward `rate_limit_wait` as actually slept."""
        start = time.monotonic()
        await self.sleep(seconds)
        if call.rate_limited:
            call.rate_waited += time.monotonic() - start

    async def complete(self, messages: list[dict[str, str]], model: str, parameters: dict,
                       schema: dict | None = None, about: RequestAbout | None = None) -> Completion:
        """One chat completion; with the answer's `schema`, asks for the answer's form while `json_mode`
        holds one (that schema, else JSON mode); `about` goes out as the X-Paperbrief-* headers a
        replay matches on."""
        start = time.perf_counter()

        def asks_json() -> JsonMode:
            return self.json_mode if schema is not None else "off"

        async def request() -> Completion:
            form = response_format(asks_json(), schema)
            extra = {"response_format": form} if form else {}
            with sending_about(about):
                raw = await self._completions.with_raw_response.create(
                    **{**parameters, **extra}, model=model, messages=messages,
                    extra_headers=about.headers() if about is not None else None)
            return completion_of(answer_body(raw), model, time.perf_counter() - start)

        return await self._call(request, asks_json, name=about.file if about is not None else "")

    async def close(self) -> None:
        await self._client.close()


def client_for(settings: Settings, pause: bool = True) -> LLMClient:
    """The one factory: the LLM client a command uses, built from its settings (replays pass
    pause=False: a recorded failure is not waited for)."""
    return LLMClient(settings.base_url, settings.api_key, timeout=settings.timeout, attempts=settings.attempts,
                     budget=RetryBudget(left=settings.retry_budget), rate_limit_wait=settings.rate_limit_wait,
                     concurrency=settings.concurrency, json_mode=settings.json_mode, pause=pause,
                     answer_limit=settings.answer_limit_mb << 20, file_limit=settings.batch_file_limit_mb << 20)
