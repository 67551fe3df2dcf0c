"""A hostile endpoint cannot end a run, hold it forever, or make it leak the key (issue 18, LLM side).

Every server here is tests/hostile_endpoint.py on 127.0.0.1; every request loop is bounded by the
client's own limits and, in case those fail, by an outer deadline that fails the test.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import sqlite3
import time
from pathlib import Path

import make_samples
import pytest
from hostile_endpoint import Hostile

from pipeline import llm
from pipeline.brief.answer import answer_schema
from pipeline.cli import main
from pipeline.llm import EndpointUnusable, LLMClient, LLMError, RedactingFilter, batch_line, completion_of
from pipeline.run.cassette import CassetteError, check_cassette

KEY = "sk-hostile-test-key-0123456789"
MESSAGES = [{"role": "user", "content": "hello"}]
OUTER_LIMIT = 20.0  # a test whose client loops for ever fails here instead of hanging the suite


@pytest.fixture(autouse=True)
def quiet_secrets():
    """The registry of secrets is process-wide: each test starts and ends without this test's key."""
    yield
    llm._SECRETS.discard(KEY)


def fast_retries(monkeypatch) -> None:
    monkeypatch.setattr("pipeline.llm.LLMClient.sleep", staticmethod(lambda seconds: asyncio.sleep(0.01)))


def ask(server: Hostile, **options):
    """One complete() call against the server, bounded by OUTER_LIMIT: (the Completion or the error, seconds)."""
    async def go():
        client = LLMClient(server.base_url, KEY, **{"attempts": 3, "timeout": 5.0, **options})
        try:
            return await asyncio.wait_for(client.complete(MESSAGES, "m", {}), OUTER_LIMIT)
        finally:
            await client.close()

    start = time.monotonic()
    try:
        result = asyncio.run(go())
    except LLMError as exc:
        result = exc
    return result, time.monotonic() - start


# -- every answer is data until proven otherwise ----------------------------------------------------

@pytest.mark.parametrize("mode, why", [("html", "(text/html)"), ("list", "(a JSON list, not an object)"),
                                       ("choices_str", "(no choices)")])
def test_an_answer_that_is_not_a_chat_completion_is_retried_then_one_llm_error(monkeypatch, mode, why):
    fast_retries(monkeypatch)
    with Hostile(mode=mode) as server:
        result, _ = ask(server, attempts=3)
    assert isinstance(result, LLMError) and not isinstance(result, EndpointUnusable)
    assert str(result) == f"the endpoint's answer is not a chat completion {why}"
    assert len(server.requests) == 3  # retried like a 5xx, up to `attempts`


def test_malformed_answers_use_the_runs_retry_budget(monkeypatch):
    fast_retries(monkeypatch)
    with Hostile(mode="html") as server:
        budget = llm.RetryBudget(left=2)
        result, _ = ask(server, attempts=6, budget=budget)
    assert isinstance(result, llm.RetryBudgetExceeded) and "not a chat completion (text/html)" in str(result)
    assert len(server.requests) == 3


@pytest.mark.parametrize("body", [None, 3, "text", [], {}, {"choices": "x"}, {"choices": []}, {"choices": [1]},
                                  {"choices": [{"message": "x"}]}, {"choices": [{"message": {"content": 5}}]},
                                  {"choices": [{"message": {"content": None}}]}])
def test_completion_of_takes_any_json_value(body):
    with pytest.raises(llm.MalformedAnswer, match=r"^the endpoint's answer is not a chat completion \("):
        completion_of(body, "m", 0.0)


def test_completion_of_keeps_sane_fields_and_a_bounded_text():
    body = {"choices": [{"message": {"content": "x" * 5_000_000}}], "usage": {"prompt_tokens": "9", "completion_tokens": True},
            "model": ["not", "a", "name"]}
    completion = completion_of(body, "fallback", 0.0)
    assert len(completion.text) == llm.MAX_TEXT and len(completion.raw) <= llm.MAX_RAW
    assert completion.model == "fallback" and completion.usage.prompt_tokens == completion.usage.completion_tokens == 0


@pytest.mark.parametrize("line, custom_id, error", [
    ("not json", None, "not JSON"), ("[1, 2]", None, "without a custom_id"), ('{"custom_id": 5}', None, "without a custom_id"),
    ('{"custom_id": "a", "response": {"status_code": 200, "body": {"choices": "x"}}}', "a", "not a chat completion"),
    ('{"custom_id": "a", "response": {"status_code": 200, "body": "<html>"}}', "a", "not a chat completion"),
    ('{"custom_id": "a", "response": "x"}', "a", "HTTP ? in the batch"),
    ('{"custom_id": "a", "error": {"code": ["x"]}}', "a", "error in the batch"),
])
def test_a_malformed_batch_line_is_a_reason_not_an_exception(line, custom_id, error):
    parsed = batch_line(line)
    assert parsed.custom_id == custom_id and parsed.completion is None and error in parsed.error


def test_a_batch_whose_output_holds_garbage_settles_it_and_goes_on(samples, tmp_path, standin, monkeypatch):
    config = tmp_path / "paperbrief.yaml"
    config.write_text("batch_poll: 0.05\n")
    monkeypatch.setenv("PAPERBRIEF_CONFIG", str(config))
    real = LLMClient.batch_lines
    spoiled: list[str] = []

    async def garbage_first(self, file_id, *limits):
        first = True
        async for line in real(self, file_id, *limits):
            if first and not spoiled and line.completion is not None:
                yield batch_line("this is not json")
                yield batch_line("[1, 2, 3]")
                spoiled.append(line.custom_id)
                item = {"custom_id": line.custom_id, "response": {"status_code": 200, "body": {"choices": "x"}}}
                line, first = batch_line(json.dumps(item)), False
            yield line

    monkeypatch.setattr(LLMClient, "batch_lines", garbage_first)
    out = tmp_path / "out"
    assert main(["run", str(samples), "-o", str(out), "--batch", "--base-url", standin.base_url, "--api-key", "k"]) == 0
    with sqlite3.connect(out / "runs.sqlite") as db:
        state, detail = db.execute("SELECT state, detail FROM batch_requests WHERE custom_id=?", spoiled).fetchone()
    assert state == "retried" and "not a chat completion (no choices)" in detail


# -- every wait is bounded ----------------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("mode", ["429_zero", "429_negative_ms"])
def test_a_429_that_asks_for_no_wait_still_waits_a_growing_floor(mode):
    with Hostile(mode=mode) as server:
        result, elapsed = ask(server, rate_limit_wait=1.5, rate_limit_floor=0.25)
    assert isinstance(result, LLMError) and str(result).startswith("still rate limited (HTTP 429) after ")
    assert 3 <= len(server.requests) <= 6  # 0.25 + 0.5 + 0.75 (what is left of 1.5 s), not hundreds
    waited = float(re.search(r"and ([\d.]+) s of waiting", str(result)).group(1))
    assert 1.4 <= waited <= elapsed < 15
    gaps = [b["at"] - a["at"] for a, b in zip(server.requests, server.requests[1:], strict=False)]
    assert min(gaps) >= 0.22


@pytest.mark.slow
def test_a_huge_retry_after_waits_what_the_budget_allows_and_says_so():
    with Hostile(mode="429_huge") as server:
        result, elapsed = ask(server, rate_limit_wait=1.0)
    assert isinstance(result, LLMError) and "rate_limit_wait allows 1 s" in str(result)
    waited = float(re.search(r"and ([\d.]+) s of waiting", str(result)).group(1))
    assert 0.95 <= waited <= elapsed < 15  # it waited, and says how long it really did
    assert len(server.requests) == 2


def test_the_429s_of_one_call_stop_after_a_bounded_count():
    with Hostile(mode="429_zero") as server:
        result, _ = ask(server, rate_limit_floor=0.001, rate_limit_wait=600, pause=False)
    assert isinstance(result, LLMError) and "still rate limited" in str(result)
    assert len(server.requests) == llm.MAX_RATE_LIMITS


@pytest.mark.slow
def test_a_dripping_body_fails_at_the_deadline_not_never():
    with Hostile(mode="drip") as server:
        result, elapsed = ask(server, timeout=1.5, attempts=2, max_wait=0.1)
    assert isinstance(result, LLMError) and str(result) == "request timed out after 1.5 s"
    assert len(server.requests) == 2  # a timeout is a failure: retried, and counted toward attempts
    assert elapsed < 10


# -- secrets never leave ------------------------------------------------------------------------------

@pytest.mark.parametrize("status", [400, 401, 422])
def test_a_gateway_echoing_the_key_as_error_code_is_not_repeated(status):
    with Hostile(mode="key_error", key=KEY, status=status) as server:
        result, _ = ask(server)
    assert isinstance(result, LLMError) and f"HTTP {status} from the endpoint (***)" in str(result)
    assert KEY not in str(result)
    assert isinstance(result, EndpointUnusable) == (status == 401)


def test_an_answer_echoing_the_key_is_scrubbed_from_text_and_raw():
    with Hostile(mode="echo", key=KEY, replies={"": f"the key is {KEY}."}) as server:
        result, _ = ask(server)
    assert result.text == "the key is ***." and KEY not in result.raw and "Bearer ***" in result.raw


def test_scrub_and_the_log_filter_hide_the_key_and_auth_headers():
    llm.add_secret(KEY)
    assert llm.scrub(f"a {KEY} b") == "a *** b" and llm.scrub(KEY.encode()) == b"***"
    llm.add_secret("k")  # a placeholder key is too short to scrub: "check" stays "check"
    assert llm.scrub("check") == "check"
    line = ("receive_response_headers.complete return_value=(b'HTTP/1.1', 200, "
            "[(b'Authorization', b'Bearer other-token'), (b'api-key', b'abc')])")
    record = logging.LogRecord("httpcore2.http11", logging.DEBUG, __file__, 1, "%s %s", (line, KEY), None)
    RedactingFilter().filter(record)
    said = record.getMessage()
    assert "other-token" not in said and "abc" not in said and KEY not in said and "Authorization" in said


def _key_nowhere(out: Path, *texts: str) -> None:
    for text in texts:
        assert KEY not in text
    for path in out.iterdir():
        if path.is_file():
            assert KEY.encode() not in path.read_bytes(), path


def _one_paper(sample_dir: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "one"
    folder.mkdir()
    (folder / "lattice-kv.pdf").write_bytes((sample_dir / "lattice-kv.pdf").read_bytes())
    return folder


def test_recording_against_an_echoing_endpoint_keeps_the_key_out_of_everything(sample_dir, tmp_path, capsys, caplog):
    caplog.set_level("DEBUG")
    replies = {s.title: s.brief for s in make_samples.SAMPLES}
    cassette, out = tmp_path / "echo.yaml", tmp_path / "out"
    with Hostile(mode="echo", key=KEY, replies=replies) as server:
        code = main(["-v", "record", str(_one_paper(sample_dir, tmp_path)), "--cassette", str(cassette), "-o", str(out),
                     "--base-url", server.base_url, "--api-key", KEY])
    captured = capsys.readouterr()
    assert code == 0 and cassette.exists()
    assert "x-echo-key" in caplog.text.lower()  # the debug lines were there, with the value hidden
    _key_nowhere(out, captured.out, captured.err, caplog.text, cassette.read_text())


# -- whole runs: the bad paper fails with its reason, the others are briefed, nothing leaks ------------

def _run(samples: Path, tmp_path: Path, server: Hostile, capsys) -> tuple[int, dict, str, Path]:
    out = tmp_path / "out"
    code = main(["run", str(samples), "-o", str(out), "--base-url", server.base_url,
                 "--api-key", KEY])
    err = capsys.readouterr().err
    results = {r["file"]: r for r in json.loads((out / "report.json").read_text())["results"]}
    return code, results, err, out


@pytest.mark.parametrize("mode, reason", [
    ("html", "the endpoint's answer is not a chat completion (text/html)"),
    ("key_error", "HTTP 422 from the endpoint (***)"),
])
def test_a_run_with_one_hostile_answer_briefs_the_rest(samples, tmp_path, capsys, monkeypatch, mode, reason):
    fast_retries(monkeypatch)
    bad = make_samples.SAMPLES[0]
    replies = {s.title: s.brief for s in make_samples.SAMPLES}
    with Hostile(mode=mode, key=KEY, status=422, target=bad.title.split(":")[0], replies=replies) as server:
        code, results, err, out = _run(samples, tmp_path, server, capsys)
    assert code == 1 and "Traceback" not in err
    assert results[bad.file]["error"] == f"LLM call failed: {reason}" and f"FAILED {bad.file} [endpoint]: LLM call failed: {reason}" in err
    assert all(r["brief"]["ok"] for f, r in results.items() if f != bad.file)
    _key_nowhere(out, err)


def test_a_replayed_html_answer_fails_that_paper_with_its_reason(samples, tmp_path, capsys):
    import yaml

    root = Path(__file__).resolve().parent
    data = yaml.safe_load((root / "cassettes" / "samples.yaml").read_text(encoding="utf-8"))
    bad = make_samples.SAMPLES[0]
    spoiled = next(i for i in data["interactions"] if bad.title.split(":")[0] in str(i["request"]["body"]))
    spoiled["response"]["body"]["string"] = "<html><body>Down for maintenance</body></html>"
    spoiled["response"]["headers"]["content-type"] = ["text/html"]
    cassette, out = tmp_path / "spoiled.yaml", tmp_path / "out"
    cassette.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    code = main(["run", str(samples), "-o", str(out), "--cassette", str(cassette)])
    err = capsys.readouterr().err
    results = {r["file"]: r for r in json.loads((out / "report.json").read_text())["results"]}
    assert code == 1 and "Traceback" not in err
    assert results[bad.file]["error"] == ("LLM call failed: the endpoint's answer is not a chat completion (text/html); "
                                          "the cassette holds no further answer to this request")
    assert all(r["brief"]["ok"] for f, r in results.items() if f != bad.file)


# -- JSON mode ----------------------------------------------------------------------------------------

def test_an_endpoint_without_json_mode_is_asked_again_without_it(caplog):
    caplog.set_level("WARNING", logger="paperbrief.llm")

    async def go(server):
        client = LLMClient(server.base_url, KEY, attempts=2, budget=llm.RetryBudget(left=1, max_in_a_row=1),
                           json_mode="object")  # the schema's step down: tests/test_retry_policy.py
        try:
            first = await asyncio.gather(*(client.complete(MESSAGES, "m", {}, schema=answer_schema()) for _ in range(3)))
            later = await client.complete(MESSAGES, "m", {}, schema=answer_schema())
            return client.json_mode, first + [later], client.budget
        finally:
            await client.close()

    with Hostile(mode="no_json_mode") as server:
        json_mode, answers, budget = asyncio.run(asyncio.wait_for(go(server), OUTER_LIMIT))
    assert json_mode == "off" and all(a.text == "好的。" for a in answers)
    carried = ['"response_format"' in r["body"] for r in server.requests]
    assert 1 <= sum(carried) <= 3 and not carried[-1]  # only the first, concurrent, asks carried it
    assert len(server.requests) == 4 + sum(carried)  # each rejected ask was asked again once, without it
    assert budget.left == 1 and budget.in_a_row == 0  # the fallback is not a failure
    warnings = [r for r in caplog.records if "rejected JSON mode" in r.getMessage()]
    assert len(warnings) == 1
    assert warnings[0].getMessage() == "the endpoint rejected JSON mode (HTTP 400); asking without it"


def test_json_mode_is_sent_only_when_asked_and_a_plain_400_stays_a_failure():
    with Hostile(mode="good") as server:
        async def go():
            client = LLMClient(server.base_url, KEY)
            try:
                await client.complete(MESSAGES, "m", {})
                await client.complete(MESSAGES, "m", {"temperature": 0.1}, schema=answer_schema())
                return client.json_mode
            finally:
                await client.close()
        assert asyncio.run(asyncio.wait_for(go(), OUTER_LIMIT)) == "schema"
    bodies = [json.loads(r["body"]) for r in server.requests]
    assert "response_format" not in bodies[0] and bodies[1]["response_format"]["type"] == "json_schema"
    with Hostile(mode="key_error", status=400, key="model_not_supported") as server:
        result, _ = ask(server)
    assert isinstance(result, LLMError) and str(result) == "HTTP 400 from the endpoint (model_not_supported)"
    assert len(server.requests) == 1


# -- malformed cassettes ------------------------------------------------------------------------------

GOOD_REQUEST = {"method": "POST", "uri": "http://x/v1/chat/completions", "body": "{}", "headers": {}}
GOOD_RESPONSE = {"status": {"code": 200, "message": "OK"}, "headers": {}, "body": {"string": "{}"}}


@pytest.mark.parametrize("interaction, cause", [
    ({"request": {**GOOD_REQUEST, "uri": None}, "response": GOOD_RESPONSE}, "has a request without a uri"),
    ({"request": {k: v for k, v in GOOD_REQUEST.items() if k != "method"}, "response": GOOD_RESPONSE},
     "has a request without a method"),
    ({"request": {**GOOD_REQUEST, "body": {"a": 1}}, "response": GOOD_RESPONSE}, "has a request body that is not text"),
    ({"request": GOOD_REQUEST, "response": {**GOOD_RESPONSE, "body": {"string": 5}}}, "has a response body that is not text"),
    ({"request": GOOD_REQUEST, "response": {**GOOD_RESPONSE, "status": "200"}}, "has a response without a status code"),
    ({"request": "x", "response": GOOD_RESPONSE}, "has no request and response"),
    (["request", "response"], "is not a mapping"),
])
def test_a_malformed_cassette_is_one_line_naming_file_and_cause(tmp_path, interaction, cause):
    import yaml

    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump({"interactions": [{"request": GOOD_REQUEST, "response": GOOD_RESPONSE}, interaction],
                                    "version": 1}))
    with pytest.raises(CassetteError) as caught:
        check_cassette(path)
    assert str(caught.value) == f"{path}: interaction 2 {cause}; re-record it with paperbrief record"


def test_a_cassette_that_is_not_utf8_is_named(tmp_path):
    path = tmp_path / "latin.yaml"
    path.write_bytes(b"interactions: []\n# caf\xe9\n")
    with pytest.raises(CassetteError, match=r"latin\.yaml: not UTF-8 text"):
        check_cassette(path)
