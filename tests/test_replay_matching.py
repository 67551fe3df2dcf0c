"""Replay finds a recording by paper, prompt, model and attempt, and says when only the paper's
reading changed since it was recorded (a reader change, another machine's fonts)."""

from __future__ import annotations

import json
import logging

import make_samples
import yaml

from pipeline.brief.prompts import load_prompt, template_fingerprint
from pipeline.cli import main
from pipeline.extract.pdf import file_sha256
from pipeline.llm import ATTEMPT_HEADER, PAPER_HEADER, PROMPT_HEADER
from pipeline.run import cassette

CASSETTE = make_samples.CASSETTE
QINGLAN = "清澜-graph-pruning.pdf"
NOW, THEN = "1 清澜大学", "1\n清澜大学"  # today's header line, and as an older reader split it


def _interactions(path) -> list[dict]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))["interactions"]


def _rewrite(source, target, change_body=None, drop_headers: bool = False) -> int:
    """A copy of a cassette, each request body passed through `change_body` (parsed JSON), the
    X-Paperbrief-* headers dropped when asked (a cassette recorded before they existed). Returns
    how many bodies changed."""
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    changed = 0
    for interaction in data["interactions"]:
        request = interaction["request"]
        if change_body is not None:
            body = json.loads(request["body"])
            new = change_body(body)
            if new != json.loads(request["body"]):
                changed += 1
                request["body"] = json.dumps(new, ensure_ascii=False)
        if drop_headers:
            request["headers"] = {k: v for k, v in request["headers"].items() if not k.lower().startswith("x-paperbrief-")}
    target.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return changed


def _older_reader(body: dict) -> dict:
    """The request as a reader that put the affiliation marker on its own line sent it."""
    for message in body["messages"]:
        message["content"] = message["content"].replace(NOW, THEN)
    return body


def test_recorded_requests_carry_the_paper_the_prompt_and_the_attempt(sample_dir):
    prompt = template_fingerprint(load_prompt())
    papers = {file_sha256(sample_dir / s.file) for s in make_samples.SAMPLES}
    for interaction in _interactions(CASSETTE):
        headers = {k.lower(): v[0] for k, v in interaction["request"]["headers"].items()}
        assert headers[PAPER_HEADER.lower()] in papers  # the samples are written byte for byte the same
        assert headers[PROMPT_HEADER.lower()] == prompt
        assert headers[ATTEMPT_HEADER.lower()] == "first"


def test_a_changed_reading_replays_the_recorded_answer_and_says_where(samples, tmp_path, capsys, caplog):
    older = tmp_path / "older.yaml"
    assert _rewrite(CASSETTE, older, _older_reader) == 1
    with caplog.at_level(logging.WARNING, logger="paperbrief.cassette"):
        assert main(["run", str(samples), "-o", str(tmp_path / "out"), "--cassette", str(older)]) == 0
    said = [r.getMessage() for r in caplog.records if "reading of this paper changed" in r.getMessage()]
    assert said == [f"{QINGLAN}: the reading of this paper changed since it was recorded: header line 4; the recorded "
                    "answer is replayed and checked against today's reading (re-record to refresh it)"]
    entry = next(r for r in json.loads((tmp_path / "out" / "report.json").read_text())["results"] if r["file"] == QINGLAN)
    assert entry["brief"]["ok"] and entry["brief"]["text"] == next(s.brief for s in make_samples.SAMPLES if s.file == QINGLAN)


def test_match_exact_keeps_exact_body_matching(samples, tmp_path, capsys):
    older = tmp_path / "older.yaml"
    _rewrite(CASSETTE, older, _older_reader)
    assert main(["run", str(samples), "-o", str(tmp_path / "out"), "--cassette", str(older), "--match", "exact"]) == 1
    assert f"FAILED {QINGLAN} [not_recorded]: LLM call failed: no recorded response" in capsys.readouterr().err


def test_a_cassette_recorded_before_the_headers_matches_exact_bodies(samples, tmp_path, capsys):
    plain, older = tmp_path / "plain.yaml", tmp_path / "older.yaml"
    _rewrite(CASSETTE, plain, drop_headers=True)
    assert main(["run", str(samples), "-o", str(tmp_path / "a"), "--cassette", str(plain)]) == 0
    _rewrite(CASSETTE, older, _older_reader, drop_headers=True)
    assert main(["run", str(samples), "-o", str(tmp_path / "b"), "--cassette", str(older)]) == 1
    assert f"FAILED {QINGLAN}" in capsys.readouterr().err


def test_another_model_or_prompt_is_still_a_miss(samples, tmp_path, capsys):
    assert main(["run", str(samples), "-o", str(tmp_path / "a"), "--cassette", str(CASSETTE), "--model", "other-model"]) == 1
    edited = tmp_path / "brief.yaml"
    edited.write_text((make_samples.ROOT / "prompts" / "brief.yaml").read_text(encoding="utf-8")
                      .replace("请读取下面这篇论文的首页信息", "请仔细读取下面这篇论文的首页信息"), encoding="utf-8")
    assert main(["run", str(samples), "-o", str(tmp_path / "b"), "--cassette", str(CASSETTE), "--prompt", str(edited)]) == 1
    err = capsys.readouterr().err
    assert err.count("no recorded response") == 2 * len(make_samples.SAMPLES)


def test_regress_gives_a_changed_reading_its_own_verdict(samples, tmp_path, capsys):
    older = tmp_path / "older.yaml"
    _rewrite(CASSETTE, older, _older_reader)
    assert main(["regress", str(samples), "--cassette", str(older)]) == 0
    out = capsys.readouterr().out
    line = next(row for row in out.splitlines() if row.startswith(QINGLAN))
    assert line.split()[1:3] == ["READING", "pass"]
    assert "reading changed since recorded (header line 4)" in out
    assert "prompt changed" not in out
    assert main(["regress", str(samples), "--cassette", str(older), "--json"]) == 0
    rows = {r["file"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows[QINGLAN]["reading_changed"] == "header line 4" and rows[QINGLAN]["prompt_matches"]
    assert not any(r["reading_changed"] for name, r in rows.items() if name != QINGLAN)
    assert main(["regress", str(samples), "--cassette", str(older), "--match", "exact"]) == 1
    assert "CHANGED" in capsys.readouterr().out


def test_a_repair_replays_by_its_attempt_when_the_reading_changed(samples, tmp_path, standin, capsys):
    """A recording with a repair (each first answer misread) still replays both requests of a paper
    read differently today: the repair is found as the paper's repair, not by its text."""
    standin.sloppy = True
    recorded = tmp_path / "sloppy.yaml"
    assert main(["record", str(samples), "--cassette", str(recorded), "-o", str(tmp_path / "rec"),
                 "--base-url", standin.base_url, "--api-key", "sample-recording-key"]) == 0
    attempts = [{k.lower(): v[0] for k, v in i["request"]["headers"].items()}[ATTEMPT_HEADER.lower()]
                for i in _interactions(recorded)]
    assert attempts.count("repair") >= 1 and attempts.count("first") == len(make_samples.SAMPLES)
    older = tmp_path / "older.yaml"
    assert _rewrite(recorded, older, _older_reader) >= 1
    assert main(["run", str(samples), "-o", str(tmp_path / "out"), "--cassette", str(older)]) == 0
    before = json.loads((tmp_path / "rec" / "report.json").read_text())["results"]
    after = json.loads((tmp_path / "out" / "report.json").read_text())["results"]
    assert {r["file"]: r["brief"]["text"] for r in after} == {r["file"]: r["brief"]["text"] for r in before}  # any order


def test_reading_change_names_the_header_lines_as_sent_today():
    def user(header: str) -> list[dict]:
        return [{"role": "system", "content": "s"},
                {"role": "user", "content": f"x\n<header>\n{header}\n</header>\n<abstract>\nA\n</abstract>\n"}]

    assert cassette.reading_change(user("T\nA\n1\nX\nY"), user("T\nA\n1 X\nY")) == "header line 3"
    assert cassette.reading_change(user("T\nA\nB\nC"), user("T\nA2\nB\nC2")) == "header lines 2, 4"
    assert cassette.reading_change(user("T\nA\nB"), user("T\nA1\nA2\nB")) == "header lines 2-3"
    abstract = user("T")
    abstract[1] = {"role": "user", "content": abstract[1]["content"].replace("\nA\n</abstract>", "\nB\n</abstract>")}
    assert cassette.reading_change(user("T"), abstract) == "the abstract"


def _request(messages: list[dict], attempt: str, paper: str = "abc", model: str = "m"):
    from vcr.request import Request

    headers = {PAPER_HEADER: paper, PROMPT_HEADER: "p", ATTEMPT_HEADER: attempt, "content-type": "application/json"}
    body = json.dumps({"model": model, "messages": messages}, ensure_ascii=False)
    return Request("POST", "http://x.invalid/v1/chat/completions", body, headers)


def test_a_repair_request_that_differs_only_in_its_instructions_is_no_reading_change(caplog):
    first = [{"role": "system", "content": "s"}, {"role": "user", "content": "<header>\nT\n</header>"}]
    recorded = [*first, {"role": "assistant", "content": "{}"}, {"role": "user", "content": "1. title: missing"}]
    sent = [*first, {"role": "assistant", "content": "{}"}, {"role": "user", "content": "1. title: cut"}]
    assert cassette.reading_change(recorded, sent) == "the repair instructions"
    replayed = cassette.Replay(path=CASSETTE)
    with caplog.at_level(logging.WARNING, logger="paperbrief.cassette"):
        assert replayed.matches(_request(sent, "repair"), _request(recorded, "repair"))
        assert replayed.matches(_request(sent, "repair"), _request(recorded, "repair"))  # said once
        assert not replayed.matches(_request(sent, "repair"), _request(recorded, "first"))
        assert not replayed.matches(_request(sent, "repair", model="n"), _request(recorded, "repair"))
        assert not replayed.matches(_request(sent, "repair", paper="def"), _request(recorded, "repair"))
    assert replayed.reading_changes == {}
    assert [r.getMessage() for r in caplog.records] == [
        "paper abc: the repair request differs from its recording only in the repair instructions; the recorded "
        "answer is replayed and checked against today's reading"]
    today = [first[0], {"role": "user", "content": "<header>\nT2\n</header>"}]
    assert replayed.matches(_request(today, "first"), _request(first, "first"))
    assert replayed.reading_changes == {"abc": "header line 1"}
