"""The retry policy's tenacity objects, one at a time, and the answer form's step-down chain
(schema, then JSON mode, then none) against the stand-in."""

from __future__ import annotations

import asyncio
import json
import logging
import random

import pytest
from support.standin import StandIn
from tenacity import Future as Outcome
from tenacity import RetryCallState

from pipeline.brief.answer import answer_schema
from pipeline.llm import LLMClient, LLMError, MalformedAnswer, QuotaSpent, RetryBudget, RetryBudgetExceeded, Unconfirmed
from pipeline.llm.pacing import Pacer
from pipeline.llm.retry import (
    BACKOFF_JITTER,
    BACKOFF_START,
    MAX_RATE_LIMITS,
    CallPolicy,
    CallState,
    Limits,
    backoff,
    stop_after_failures,
    stop_rate_limited,
    stop_when_budget_refuses,
    wait_hinted,
    wait_retry_after,
)
from pipeline.settings import Settings, SettingsError

MESSAGES = [{"role": "system", "content": "s"},
            {"role": "user", "content": "<paper>\n<header>\nA Title\nNorthlake University\n</header>\n"
                                        "<abstract>\nWe study things.\n</abstract>\n</paper>"}]


class _Headers(dict):
    def get(self, name, default=None):
        return super().get(name.lower(), default)


class _Response:
    def __init__(self, headers: dict[str, str]) -> None:
        self.headers = _Headers({k.lower(): v for k, v in headers.items()})


class RateLimited(Exception):
    """What the SDK raises for a 429: a status code and the response's headers."""

    def __init__(self, retry_after: str | None = None, code: str | None = None) -> None:
        super().__init__("rate limited")
        self.status_code = 429
        self.code = code
        self.response = _Response({"retry-after": retry_after} if retry_after is not None else {})


def state_after(exc: BaseException, attempt: int = 1) -> RetryCallState:
    """A tenacity call state whose last attempt (number `attempt`) raised `exc`."""
    state = RetryCallState(retry_object=None, fn=None, args=(), kwargs={})
    state.attempt_number = attempt
    state.outcome = Outcome.construct(attempt, exc, True)
    return state


# -- the wait objects -----------------------------------------------------------------------------

def test_the_backoff_doubles_with_jitter_only_upward_and_stops_at_max_wait():
    random.seed(1)
    wait = backoff(max_wait=3.0)
    for attempt in (1, 2, 3):
        base = BACKOFF_START * 2 ** (attempt - 1)
        waits = [wait(state_after(MalformedAnswer("x"), attempt)) for _ in range(50)]
        assert base <= min(waits) and max(waits) <= base + BACKOFF_JITTER
        assert len(set(waits)) > 1  # jittered: calls that failed together do not retry together
    assert wait(state_after(MalformedAnswer("x"), 10)) == 3.0


def test_a_failure_waits_the_retry_after_it_was_sent_up_to_max_wait():
    wait = wait_hinted(backoff(max_wait=5.0), max_wait=5.0)
    assert wait(state_after(RateLimited("2"))) == 2.0
    assert wait(state_after(RateLimited("900"))) == 5.0
    assert BACKOFF_START <= wait(state_after(RateLimited(None))) <= BACKOFF_START + BACKOFF_JITTER


def test_a_429_waits_its_hint_never_below_a_floor_that_doubles_up_to_the_ceiling():
    call = CallState()
    wait = wait_retry_after(call, Limits(rate_limit_wait=1000.0, rate_limit_floor=1.0))
    assert [wait(state_after(RateLimited())) for _ in range(7)] == [1, 2, 4, 8, 16, 30, 30]
    call.floor_steps = 0
    assert wait(state_after(RateLimited("5"))) == 5.0 and call.floor_steps == 0  # a hint above the floor: as asked
    assert wait(state_after(RateLimited("0"))) == 1.0 and call.floor_steps == 1  # one that would spin: the floor
    assert wait(state_after(RateLimited("Thu, 01 Jan 1970 00:00:00 GMT"))) == 2.0  # a date passed is no wait


def test_a_429_never_waits_past_what_is_left_of_rate_limit_wait():
    call = CallState(rate_waited=9.5)
    wait = wait_retry_after(call, Limits(rate_limit_wait=10.0))
    assert wait(state_after(RateLimited("60"))) == 0.5


# -- the stop objects -----------------------------------------------------------------------------

def test_failures_stop_at_attempts_and_429s_do_not_count():
    call = CallState(rate_limits=20, failures=5)
    stop = stop_after_failures(call, attempts=6)
    assert not stop(state_after(RateLimited(), 26))
    call.failures = 6
    assert stop(state_after(MalformedAnswer("x"), 27))


def test_429s_stop_after_max_rate_limits_or_the_time_allowed():
    call = CallState(rate_limits=MAX_RATE_LIMITS - 1)
    stop = stop_rate_limited(call, rate_limit_wait=600.0)
    assert not stop(state_after(RateLimited()))
    call.rate_limits = MAX_RATE_LIMITS
    assert stop(state_after(RateLimited()))
    assert not stop(state_after(MalformedAnswer("x")))  # only a 429 is stopped by 429 rules
    assert stop_rate_limited(CallState(rate_waited=599.995), 600.0)(state_after(RateLimited()))


def test_the_budget_stop_follows_the_budgets_answer():
    call = CallState()
    stop = stop_when_budget_refuses(call)
    assert not stop(state_after(MalformedAnswer("x")))
    call.budget_refused = True
    assert stop(state_after(MalformedAnswer("x")))


# -- one call under the whole policy ----------------------------------------------------------------

def run_policy(policy: CallPolicy, failure: BaseException) -> tuple[BaseException, list[float]]:
    """Run a call that always fails with `failure` under `policy`: the error it ends in, the waits."""
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    async def go() -> BaseException:
        try:
            async for attempt in policy.retrying(sleep=sleep):
                with attempt:
                    raise failure
        except Exception as exc:
            return policy.final_error(exc)
        raise AssertionError("the call did not stop")

    return asyncio.run(go()), waits


def policy_for(call: CallState, budget: RetryBudget | None = None, **limits) -> CallPolicy:
    return CallPolicy(call, Limits(**limits), budget or RetryBudget(left=1000), Pacer(4), stop_hint="")


def test_a_failing_call_stops_after_its_attempts_with_one_llm_error():
    error, waits = run_policy(policy_for(CallState(), attempts=4), MalformedAnswer("the answer is HTML"))
    assert type(error) is LLMError and str(error) == "the answer is HTML"
    assert len(waits) == 3 and min(waits) >= BACKOFF_START


def test_a_dead_endpoint_stops_the_run_after_12_failures_in_a_row():
    budget = RetryBudget(left=1000)
    error, waits = run_policy(policy_for(CallState(), budget, attempts=100), MalformedAnswer("x"))
    assert isinstance(error, RetryBudgetExceeded) and "12 failures in a row" in str(error)
    assert len(waits) == 11


def test_a_spent_quota_and_an_unconfirmed_create_are_not_retried():
    error, waits = run_policy(policy_for(CallState()), RateLimited(code="insufficient_quota"))
    assert isinstance(error, QuotaSpent) and waits == []
    error, waits = run_policy(policy_for(CallState(idempotent=False)), MalformedAnswer("x"))
    assert isinstance(error, Unconfirmed) and waits == []


def test_429s_stop_with_what_was_waited():
    error, waits = run_policy(policy_for(CallState(), rate_limit_wait=0.0), RateLimited("1"))
    assert str(error).startswith("still rate limited (HTTP 429) after 1 answers") and waits == []


# -- the answer's form: schema, then JSON mode, then none --------------------------------------------

def ask(server: StandIn, json_mode="schema", calls: int = 3) -> tuple[str, list]:
    """`calls` concurrent brief requests and one after them; the client's mode at the end, the answers."""
    async def go():
        client = LLMClient(server.base_url, "k", json_mode=json_mode, budget=RetryBudget(left=1, max_in_a_row=1))
        try:
            first = await asyncio.gather(*(client.complete(MESSAGES, "m", {}, schema=answer_schema()) for _ in range(calls)))
            return client.json_mode, [*first, await client.complete(MESSAGES, "m", {}, schema=answer_schema())]
        finally:
            await client.close()
    return asyncio.run(asyncio.wait_for(go(), 30))


def forms_sent(server: StandIn) -> list[str | None]:
    return [(r["body"].get("response_format") or {}).get("type") for r in server.chat_requests()]


def test_the_answers_schema_is_sent_where_the_endpoint_takes_it():
    with StandIn() as server:
        mode, answers = ask(server)
    assert mode == "schema" and all(json.loads(a.text)["brief"] for a in answers)
    form = server.chat_requests()[0]["body"]["response_format"]
    assert form["type"] == "json_schema" and form["json_schema"]["schema"] == answer_schema()
    assert set(answer_schema()["required"]) == {"title", "authors", "institutions", "brief"}


def test_a_refused_schema_falls_back_to_json_mode_once_per_run(caplog):
    caplog.set_level(logging.WARNING, logger="paperbrief.llm")
    with StandIn(answer_forms={"json_object"}) as server:
        mode, answers = ask(server)
    assert mode == "object" and len(answers) == 4
    sent = forms_sent(server)
    assert sent[-1] == "json_object" and 1 <= sent.count("json_schema") <= 3
    assert len(sent) == 4 + sent.count("json_schema")  # each refused ask was asked again once
    warned = [r.getMessage() for r in caplog.records]
    assert warned == ["the endpoint rejected the answer's JSON schema (HTTP 400); asking for JSON mode instead"]


def test_an_endpoint_that_takes_no_form_is_asked_without_one_after_two_steps(caplog):
    caplog.set_level(logging.WARNING, logger="paperbrief.llm")
    with StandIn(answer_forms=set()) as server:
        mode, answers = ask(server, calls=1)
    assert mode == "off" and len(answers) == 2
    assert forms_sent(server) == ["json_schema", "json_object", None, None]
    assert len(caplog.records) == 2 and "asking without it" in caplog.records[1].getMessage()


def test_json_mode_object_never_sends_the_schema_and_off_sends_nothing():
    with StandIn() as server:
        assert ask(server, json_mode="object", calls=1)[0] == "object"
        assert ask(server, json_mode=False, calls=1)[0] == "off"
    assert forms_sent(server) == ["json_object", "json_object", None, None]


def test_the_json_mode_setting_reads_modes_and_the_old_booleans():
    assert Settings.build(json_mode=True).json_mode == "schema"
    assert Settings.build(json_mode=False).json_mode == "off"
    assert Settings.build(json_mode="object").json_mode == "object"
    with pytest.raises(SettingsError, match="json_mode must be one of schema, object, off"):
        Settings.build(json_mode="strict")
