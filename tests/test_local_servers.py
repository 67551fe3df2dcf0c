"""Local model servers (llama.cpp, Ollama, vLLM on a laptop): slow single-slot endpoints, answers
cut off at max_tokens, chat templates without a system role, counts that match what was sent, and
reports that show what a weak model said. All against the stand-in on 127.0.0.1."""

from __future__ import annotations

import json
import re
from pathlib import Path

import make_samples
import pytest
from support.standin import Faults, StandIn

from pipeline.cli import main
from pipeline.llm import Pacer, RetryBudget
from pipeline.models import Brief, PaperResult, Report, Usage
from pipeline.run.compare import Variant, compare_reports
from pipeline.run.diff import _display_width, side_by_side
from pipeline.settings import Settings

N = len(make_samples.SAMPLES)
README = make_samples.ROOT / "README.md"
SYSTEM_START = "你是一名科研论文分析助手"


@pytest.fixture
def server(standin):
    """The shared stand-in (conftest) with the sample papers' readings; each test sets the mode it needs."""
    return standin


def live(standin: StandIn, *extra: str) -> list[str]:
    return ["--base-url", standin.base_url, "--api-key", "k", *extra]


def report_json(out: Path) -> dict:
    return json.loads((out / "report.json").read_text(encoding="utf-8"))


def body_size(request: dict) -> int:
    return len(json.dumps(request["body"]["messages"], ensure_ascii=False))


# -- a slow endpoint is paced, not declared dead ------------------------------------------------

@pytest.mark.slow
def test_single_slot_server_at_default_concurrency_and_short_timeout_briefs_every_paper(samples, tmp_path, server, capsys):
    """8 calls in flight against a server that works one request at a time (0.3 s each) and keeps
    working on abandoned ones: timeouts lower the calls in flight until answers come back."""
    server.latency, server.single_slot = 0.3, True
    out = tmp_path / "out"
    assert main(["run", str(samples), "-o", str(out), *live(server, "--timeout", "1.0")]) == 0
    said = capsys.readouterr()
    report = report_json(out)
    assert len([r for r in report["results"] if r["brief"] and r["brief"]["ok"]]) == N
    assert "stopped" not in said.err
    settled = re.search(r"settled at (\d+) call\(s\) in flight of --concurrency 8", said.out)
    assert settled and int(settled.group(1)) == report["concurrency"] < 8
    assert report["requests"] == len(server.chat_requests())  # abandoned requests were sent too


def test_pacer_settles_at_one_call_in_flight_against_a_single_slot_server():
    """A simulated single-slot server: with L calls in flight each answer waits behind the L - 1
    others, so it comes back in L times the service time. After a timeout the pacer steps down
    while whole rounds of answers queue, and stays at one."""
    pacer, service = Pacer(8), 2.0
    pacer.answered(service)  # the first answer, alone
    pacer.timed_out()
    assert pacer.limit == 4 and pacer.careful
    for _ in range(40):
        for _ in range(pacer.limit):
            pacer.answered(pacer.limit * service)
    assert pacer.limit == 1
    for _ in range(10):
        pacer.answered(service)
    assert pacer.limit == 1  # it raised nothing back: more calls in flight only queued


def test_pacer_after_a_timeout_raises_again_while_answers_do_not_queue():
    pacer = Pacer(8)
    pacer.answered(1.0)
    pacer.timed_out()
    assert pacer.limit == 4
    for latency in [1.1, 1.3, 2.5, 1.2] * 10:  # about as fast as ever, one slow answer now and then
        pacer.answered(latency)
    assert pacer.limit == 8  # the timeout was a hiccup, not a queue


def test_timeouts_and_5xx_count_toward_the_stop_only_while_nothing_succeeds():
    budget = RetryBudget(left=1000, max_in_a_row=3)
    assert budget.take(slow=True) and budget.take(slow=True)
    assert not budget.take(slow=True)  # a dead endpoint: three in a row, nothing ever answered
    budget = RetryBudget(left=1000, max_in_a_row=3)
    budget.succeeded()
    assert all(budget.take(slow=True) for _ in range(50))  # alive but slow: paced, not stopped
    assert budget.take() and budget.take() and not budget.take()  # dropped connections still stop it
    assert not RetryBudget(left=0).take(slow=True)  # the run's retry budget still bounds it


@pytest.mark.slow
def test_a_stop_after_timeouts_names_the_settings_in_force(samples, tmp_path, server, capsys):
    server.faults = Faults(hang=1.0, hang_s=0.4)
    assert main(["run", str(samples), "-o", str(tmp_path / "out"), *live(server, "--timeout", "0.2", "--concurrency", "3")]) == 1
    err = capsys.readouterr().err
    assert "stopped: endpoint failed (12 failures in a row); last error: request timed out after 0.2 s" in err
    assert "lower --concurrency (was 3) or raise --timeout (was 0.2 s)" in err


# -- finish_reason --------------------------------------------------------------------------------

def test_a_cut_off_answer_is_named_and_its_repair_is_small(samples, tmp_path, fake_model):
    fake_model.cut_off = True
    out = tmp_path / "out"
    assert main(["run", str(samples), "-o", str(out), *live(fake_model)]) == 0  # every repair answer is whole
    sent = fake_model.chat_requests()
    firsts = [r for r in sent if len(r["body"]["messages"]) == 2]
    repairs = [r for r in sent if len(r["body"]["messages"]) > 2]
    assert len(firsts) == len(repairs) == N and all(r["finish_reason"] == "length" for r in firsts)
    by_paper = {json.dumps(r["body"]["messages"][:2], ensure_ascii=False): r for r in firsts}
    for repair in repairs:
        first = by_paper[json.dumps(repair["body"]["messages"][:2], ensure_ascii=False)]
        assert body_size(repair) <= 1.5 * body_size(first)
        echoed = repair["body"]["messages"][2]["content"]
        assert len(echoed) <= 310 and echoed.endswith("…（后略）")  # the start only, never the cut text
        asked = repair["body"]["messages"][-1]["content"]
        assert "answer cut off at max_tokens=700" in asked and "简短" in asked and "长度" not in asked
    for result in report_json(out)["results"]:
        assert result["brief"]["attempts"] == 2 and result["brief"]["ok"]  # the short form asked for came back


def test_an_answer_cut_off_twice_fails_naming_max_tokens(samples, tmp_path, server, capsys):
    prompt = tmp_path / "short.yaml"
    prompt.write_text((make_samples.ROOT / "prompts" / "brief.yaml").read_text(encoding="utf-8")
                      .replace("max_tokens: 700", "max_tokens: 400"), encoding="utf-8")
    server.cut_off = True
    server.finish = lambda body, text: (text[:200], "length")  # a model that rambles every time
    out = tmp_path / "out"
    assert main(["run", str(samples), "-o", str(out), "--prompt", str(prompt), *live(server)]) == 1
    for result in report_json(out)["results"]:
        assert result["error"] == "brief failed checks twice (cut_off: answer cut off at max_tokens=400)"
    assert "（回答被截断）: 修复请求后，回答仍在 max\\_tokens 处被截断" in (out / "report.md").read_text(encoding="utf-8")
    assert "`brief failed checks twice (cut_off: answer cut off at max_tokens=400)`" in (out / "report.md").read_text(encoding="utf-8")
    assert capsys.readouterr().err.count("answer cut off at max_tokens=400") == N
    assert "长度" not in (out / "report.md").read_text(encoding="utf-8")


# -- system_in_user -------------------------------------------------------------------------------

def test_system_in_user_moves_the_system_text_and_changes_the_fingerprint(samples, tmp_path, fake_model, monkeypatch):
    plain = tmp_path / "plain"
    assert main(["run", str(samples), "-o", str(plain), *live(fake_model)]) == 0
    assert [m["role"] for m in fake_model.chat_requests()[0]["body"]["messages"]] == ["system", "user"]
    config = tmp_path / "paperbrief.yaml"
    config.write_text("system_in_user: true\n")
    monkeypatch.setenv("PAPERBRIEF_CONFIG", str(config))
    assert Settings.build().system_in_user
    fake_model.requests.clear()
    moved = tmp_path / "moved"
    assert main(["run", str(samples), "-o", str(moved), *live(fake_model)]) == 0
    sent = fake_model.chat_requests()
    assert len(sent) == N
    for request in sent:
        (only,) = request["body"]["messages"]
        assert only["role"] == "user" and only["content"].startswith(SYSTEM_START)
        assert only["content"].index("</paper>") > only["content"].index("只输出一个 JSON 对象")
    before = {r["file"]: r["brief"]["fingerprint"] for r in report_json(plain)["results"]}
    after = {r["file"]: r["brief"]["fingerprint"] for r in report_json(moved)["results"]}
    assert before.keys() == after.keys() and all(before[f] != after[f] for f in before)


def test_system_in_user_flag_and_its_dry_run(samples, tmp_path, capsys, monkeypatch):
    config = tmp_path / "paperbrief.yaml"
    config.write_text("system_in_user: true\n")
    monkeypatch.setenv("PAPERBRIEF_CONFIG", str(config))
    pdf = samples / make_samples.SAMPLES[0].file
    assert main(["rerun", str(pdf), "--dry-run"]) == 0
    printed = capsys.readouterr().out
    assert "--- system ---" not in printed and printed.startswith(f"--- user ---\n{SYSTEM_START}")


# -- counts say what was paid ---------------------------------------------------------------------

def test_run_counts_equal_the_endpoints_request_log(samples, tmp_path, server, capsys):
    server.sloppy = True  # every first answer misreads the header: every paper gets a repair
    server.script = ["server_error", "ok", "server_error"]
    out = tmp_path / "out"
    assert main(["run", str(samples), "-o", str(out), *live(server)]) == 0
    log = server.chat_requests()
    said = capsys.readouterr().out
    report = report_json(out)
    repairs = sum(r["brief"]["attempts"] - 1 for r in report["results"])  # a 500 may fall on a repair: it is retried
    assert repairs >= N - 1 and [r["status"] for r in log].count(500) == 2
    assert len(log) == report["requests"] == sum(r["requests"] for r in report["results"]) == N + repairs + 2
    assert f"{len(log)} request(s) sent ({N} first answer(s), {repairs} repair(s), 2 retried)" in said


def test_rerun_counts_its_repair(samples, tmp_path, server, capsys):
    out = tmp_path / "out"
    assert main(["run", str(samples), "-o", str(out), *live(server)]) == 0
    server.script = ["off_template"]  # the first answer breaks the contract: one repair
    server.requests.clear()
    edited = tmp_path / "edited.yaml"
    edited.write_text((make_samples.ROOT / "prompts" / "brief.yaml").read_text(encoding="utf-8")
                      .replace("并写一句简报。", "并写一句技术简报。"), encoding="utf-8")
    capsys.readouterr()
    assert main(["rerun", str(samples / make_samples.SAMPLES[0].file), "--prompt", str(edited), "-o", str(out),
                 *live(server)]) == 0
    assert len(server.chat_requests()) == 2
    assert "2 LLM call(s)" in capsys.readouterr().out
    entry = next(r for r in report_json(out)["results"] if r["file"] == make_samples.SAMPLES[0].file)
    assert entry["requests"] == 2


def test_compare_counts_every_request_and_resends_failed_briefs(samples, tmp_path, fake_model, capsys):
    out = tmp_path / "out"
    default = make_samples.ROOT / "prompts" / "brief.yaml"
    other = tmp_path / "b.yaml"
    other.write_text(default.read_text(encoding="utf-8").replace('version: "3.0"', 'version: "3.1"')
                     .replace("并写一句简报。", "并写一句周报简报。"), encoding="utf-8")
    bad = make_samples.SAMPLES[0]
    fake_model.sloppy = True
    fake_model.always_off_template = {bad.title}
    args = ["compare", str(samples), "--prompt", str(default), "--prompt", str(other), "-o", str(out), *live(fake_model)]
    assert main(args) == 1
    said = capsys.readouterr().out
    sent = fake_model.chat_requests()
    per_variant = [int(n) for n in re.findall(r"(\d+) request\(s\) sent", said)]
    assert per_variant == [2 * N, 2 * N] and sum(per_variant) == len(sent)
    table = (out / "compare.md").read_text(encoding="utf-8").splitlines()
    assert [line.rsplit("|", 2)[-2].strip() for line in table if line.startswith("| A:") or line.startswith("| B:")] \
        == [str(2 * N), str(2 * N)]
    # a failed brief is not reused: the dry run says it goes again, and so it does
    assert main([*args, "--dry-run"]) == 0
    plan = capsys.readouterr().out
    assert "A: " in plan and "1 call(s) for" in plan and "1 of them failed before and are sent again" in plan
    assert f"{N - 1} passing brief(s) reused" in plan
    fake_model.requests.clear()
    assert main(args) == 1
    assert len(fake_model.chat_requests()) == 2 * 2  # the failed paper again, first answer and repair, per variant


# -- what the model said is visible ---------------------------------------------------------------

def test_an_all_failed_run_says_so_and_shows_the_rejected_answers_escaped(samples, tmp_path, fake_model):
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>\n第二行</details><b>粗</b>'
    fake_model.raw_replies = {s.title: hostile + "好" * 900 for s in make_samples.SAMPLES}
    out = tmp_path / "out"
    assert main(["run", str(samples), "-o", str(out), *live(fake_model)]) == 1
    md = (out / "report.md").read_text(encoding="utf-8")
    assert md.count("本次没有生成简报") == 2 and f"{N} 篇论文都未通过检查" in md
    assert "<script" not in md and "alert" not in md  # a rejected answer is never published in the digest
    page = (out / "report.html").read_text(encoding="utf-8")
    assert page.count("本次没有生成简报") == 2
    assert "<script" not in page.lower() and "<img" not in page and "<b>" not in page
    assert page.count('<details class="answer">') == N and page.count("</details>") == N
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page and "&lt;/details&gt;" in page
    assert "显示开头 600 字" in page


def test_rerun_side_by_side_wraps_multi_line_answers_on_words():
    def result(text: str) -> PaperResult:
        brief = Brief(text=text, ok=False, checks=[], attempts=2, usage=Usage(), latency_s=0, prompt_id="brief",
                      prompt_version="2.0", fingerprint="f" * 16, model="m")
        return PaperResult(file="a.pdf", brief=brief)

    old = "Retrieval augmented generation with sparse lanterns\nsecond line of the answer 北湖大学发布了论文，使用方法。"
    new = "一" * 70 + "\nthe model explains itself at considerable length here"
    shown = side_by_side(result(old), result(new), width=60).splitlines()
    words = set(re.findall(r"[A-Za-z]+", old + " " + new)) | {"old", "new", "brief", "v", "f" * 16, "checks"}
    assert shown[-1] == "diff: (the two answers differ throughout; both are shown above)"
    for line in shown[1:-1]:  # after the two labels
        assert _display_width(line) <= 60
        for column in line.split(" │ "):
            assert set(re.findall(r"[A-Za-z]+", column)) <= words  # no word cut into pieces
    assert any(line.startswith("second line") for line in shown)  # the answer's own line break kept


def _report(text: str) -> Report:
    brief = Brief(text=text, ok=False, checks=[], attempts=2, usage=Usage(), latency_s=0, prompt_id="brief",
                  prompt_version="2.0", fingerprint="f" * 16, model="m")
    return Report(title="t", generated_at="now", prompt_id="brief", prompt_version="2.0", model="m",
                  results=[PaperResult(file="a.pdf", brief=brief)])


def test_compare_diffs_only_alike_briefs_and_folds_long_ones(tmp_path):
    from pipeline.run.compare import comparison_html

    variants = [Variant(name=n, prompt=Path("p.yaml"), model="m", label=n) for n in "AB"]
    alike = compare_reports(Settings(), variants, [_report("北湖大学发布了SparseKV论文，使用分层压缩，解决了显存问题，达成了好效果。"),
                                                   _report("北湖大学发布了SparseKV论文，使用分层压缩，解决了显存问题，达成了更好效果。")])
    assert alike.rows[0].cells[1].diff and "<ins>" in comparison_html(alike)
    long_a = "第一种回答。\n" + "该方法在多个基准上进行了实验，" * 120
    long_b = "Another answer entirely.\n" + "the model wanders off in English " * 60
    unlike = compare_reports(Settings(), variants, [_report(long_a), _report(long_b)])
    cells = unlike.rows[0].cells
    assert cells[1].diff == [] and cells[0].folded and cells[1].folded
    page = comparison_html(unlike)
    assert "<del>" not in page and "<ins>" not in page and page.count("<details") == 2
    assert "the model wanders off in English" in page and "white-space: pre-wrap" in page


# -- the provider table ---------------------------------------------------------------------------

@pytest.mark.slow  # a single-slot server answering in 0.2 s, for real
def test_the_readme_llama_cpp_row_suits_a_single_slot_server(samples, tmp_path, server, capsys):
    """The settings the README gives for a llama.cpp server, against the single-slot stand-in (with
    its time scaled down): no timeout, no retry, one request per paper."""
    row = next(line for line in README.read_text(encoding="utf-8").splitlines() if line.startswith("| llama.cpp"))
    concurrency = int(re.search(r"--concurrency (\d+)", row).group(1))
    timeout = float(re.search(r"--timeout (\d+)", row).group(1))
    assert concurrency == 1 and "system_in_user" in row
    server.latency, server.single_slot = 0.2, True
    scaled = timeout / 100  # the README's timeout is for ~20 s answers; the stand-in answers in 0.2 s
    out = tmp_path / "out"
    assert main(["run", str(samples), "-o", str(out),
                 *live(server, "--concurrency", str(concurrency), "--timeout", str(scaled))]) == 0
    assert len(server.chat_requests()) == report_json(out)["requests"] == N
    assert server.max_in_flight == 1


def test_a_batch_answer_cut_off_is_repaired_with_the_short_form(samples, tmp_path, server, monkeypatch):
    """The provider Batch API path reads finish_reason too: the follow-up batch asks for the short form."""
    config = tmp_path / "paperbrief.yaml"
    config.write_text("batch_poll: 0.05\n")
    monkeypatch.setenv("PAPERBRIEF_CONFIG", str(config))
    server.cut_off = True
    server.faults = Faults(batch_delay=0.05)
    out = tmp_path / "out"
    assert main(["run", str(samples), "-o", str(out), "--batch", *live(server)]) == 0
    inputs = [server.files[b["input_file_id"]] for b in sorted(server.batches.values(), key=lambda b: b["id"])]
    first, repair = ([json.loads(line)["body"] for line in data.splitlines()] for data in inputs)
    assert len(first) == len(repair) == N
    size = {json.dumps(r["messages"], ensure_ascii=False): len(json.dumps(r["messages"], ensure_ascii=False)) for r in first}
    for request in repair:
        assert "answer cut off at max_tokens=700" in request["messages"][-1]["content"]
        asked_first = size[json.dumps(request["messages"][:2], ensure_ascii=False)]
        assert len(json.dumps(request["messages"], ensure_ascii=False)) <= 1.5 * asked_first
    assert all(r["brief"]["ok"] and r["brief"]["attempts"] == 2 for r in report_json(out)["results"])


def test_rerun_dry_run_says_whether_a_stored_brief_is_reused_or_sent_again(samples, tmp_path, fake_model, capsys):
    bad, good = make_samples.SAMPLES[0], make_samples.SAMPLES[1]
    fake_model.always_off_template = {bad.title}
    out = tmp_path / "out"
    assert main(["run", str(samples), "-o", str(out), *live(fake_model)]) == 1
    capsys.readouterr()
    assert main(["rerun", str(samples / good.file), "--dry-run", "-o", str(out)]) == 0
    assert "a passing brief of this prompt is in" in capsys.readouterr().out
    assert main(["rerun", str(samples / bad.file), "--dry-run", "-o", str(out)]) == 0
    assert "its stored brief of this prompt failed, so rerun sends 1 request" in capsys.readouterr().out


def test_a_timeout_holds_the_next_call_back_by_the_fastest_answer():
    """The wait goes through the client's sleep (patched here): nothing sleeps for real."""
    import asyncio

    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    pacer = Pacer(4, hold_cap=10.0, sleep=sleep)
    pacer.answered(2.0)
    pacer.timed_out()
    pacer.timed_out()
    assert pacer.limit == 1  # each timeout halves: 4, 2, 1
    asyncio.run(pacer.__aenter__())
    assert len(slept) == 1 and 3.5 < slept[0] <= 4.0  # two abandoned requests of about 2 s each


def test_a_compare_stopped_in_its_second_variant_still_writes_the_first(samples, tmp_path, server, capsys):
    default = make_samples.ROOT / "prompts" / "brief.yaml"
    other = tmp_path / "b.yaml"
    other.write_text(default.read_text(encoding="utf-8").replace("并写一句简报。", "并写一句周报简报。"), encoding="utf-8")
    server.script = ["ok"] * N + ["drop"] * 40  # the server goes away after the first variant
    out = tmp_path / "out"
    assert main(["compare", str(samples), "--prompt", str(default), "--prompt", str(other), "-o", str(out), *live(server)]) == 1
    err = capsys.readouterr().err
    assert "variant B: stopped: endpoint failed (12 failures in a row)" in err
    assert "compare.html compares what was done" in err and "could not finish variant(s) B" in err
    assert "A: brief v3.0" in (out / "compare.md").read_text(encoding="utf-8")
