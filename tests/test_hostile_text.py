"""Hostile text at the boundary: characters outside the BMP (as PDFium hands them over, in UTF-16
halves), escaped lone surrogates and absurd numbers in an answer, JSON nested 990 levels deep, NUL,
bidi and zero-width characters, a megabyte on one line, GBK bytes in a file name and a damaged run
store row. Each is drawn or written here; every text in the tests is invented."""

from __future__ import annotations

import json
import logging
import os
import sqlite3

import pytest
from pages import abstract_rows, draw_text_layer

from pipeline import llm
from pipeline.brief.answer import AnswerError, parse_answer
from pipeline.extract.pdf import extract
from pipeline.extract.readers import display_names
from pipeline.extract.text import MAX_JSON_DEPTH, json_depth, readable_name, valid_unicode
from pipeline.models import Brief, CheckResult, Paper, Usage
from pipeline.run.store import RunStore

pytest.importorskip("reportlab")

MATH_TITLE = "𝐺𝑟𝑎𝑝ℎ Lanterns: Sparse Retrieval over Long Pages"  # mathematical italic, outside the BMP
PLAIN_TITLE = "Graph Lanterns: Sparse Retrieval over Long Pages"
GBK_NAME = os.fsdecode("开放港口".encode("gbk") + b".pdf")  # as Python lists a name from a zip made on Chinese Windows


def _encodes(text: str) -> bool:
    text.encode("utf-8")
    return True


# -- the hygiene function ----------------------------------------------------------------------------

def test_valid_unicode_joins_pairs_replaces_lone_halves_and_drops_controls():
    raw = "\ud835\udc3araph\x00 \ud835 N\x07ets\t\n\r \ufdd0\U0001fffe \u202eabc\u202c x\u200by 😀 \U00020000"
    clean = valid_unicode(raw)
    assert clean == "𝐺raph \ufffd Nets\t\n\r \ufffd\ufffd \u202eabc\u202c x\u200by 😀 \U00020000"
    assert _encodes(clean) and valid_unicode(clean) == clean
    assert valid_unicode("plain ascii") == "plain ascii" and valid_unicode("a\x00b\x1b[31m") == "ab[31m"


def test_json_depth_counts_brackets_outside_strings_only():
    assert json_depth('{"a": [1, {"b": "[[[[{{{{"}]}') == 3
    assert json_depth("[" * 990 + "]" * 990) == 990 > MAX_JSON_DEPTH


# -- the PDF library's text ---------------------------------------------------------------------------

def _header_page(path, title: str, authors: str, affiliation: str, info_title: str = "") -> None:
    rows = [(title, 16, "c", 80), (authors, 11, "c", 105), (affiliation, 10, "c", 120)]
    draw_text_layer(path, rows + [row[:4] for row in abstract_rows(150)], info_title=info_title)


def test_characters_outside_the_bmp_leave_the_pdf_whole(tmp_path):
    """PDFium gives 𝐺 as two UTF-16 halves per character index: spans, page text and the Info title
    come out joined, and a lone half, NUL and other controls never leave pdf.py."""
    path = tmp_path / "math.pdf"
    _header_page(path, MATH_TITLE + " 😀 \U00020000", "Mira Castellan, Tobias \x00Rennick\ud835", "Orchard University",
                 info_title="𝐺raph Lanterns")
    document = extract(path)
    texts = [span.text for span in document.spans] + document.pages + [document.meta_title]
    assert all(_encodes(text) for text in texts)
    assert document.spans[0].text.split() == (MATH_TITLE + " 😀 \U00020000").split()
    assert document.meta_title == "𝐺raph Lanterns"
    # spacing as read depends on the font the page is set in (the machine's math font, or reportlab's Vera)
    assert "Mira Castellan, Tobias Rennick\ufffd" in [" ".join(span.text.split()) for span in document.spans]
    assert not any("\x00" in text for text in texts)


def test_a_spacing_accent_after_a_soft_hyphen_inside_a_line_reads(tmp_path):
    """A Type 3 font's own encoding can put U+00AD and a spacing accent side by side mid-line (a 1996
    preprint's garbled text layer): the reader keeps one x position per character it holds, so the
    accent looks for its letter without running off the end, and the page is read."""
    path = tmp_path / "shy.pdf"
    _header_page(path, "Quiet Lanterns for Sparse Routing", "Mira Cas\u00ad\u00a8tellan, Tobias Rennick", "Orchard University")
    document = extract(path)
    texts = [" ".join(span.text.split()) for span in document.spans]  # spacing depends on the font the machine has
    assert texts[0] == "Quiet Lanterns for Sparse Routing"
    assert any("Tobias Rennick" in text for text in texts)


@pytest.mark.slow
def test_a_megabyte_on_one_line_is_bounded_in_the_spans(tmp_path):
    from reportlab.pdfbase import pdfmetrics

    from pipeline.extract.pdf import MAX_SPAN_CHARS

    chunk = "lantern " * 4096  # 32 KiB, drawn 32 times end to end on one baseline
    rows = [("Long Lanterns: A Megabyte on One Line", 16, "c", 80), ("Ada Quill", 11, "c", 105),
            ("Orchard University", 10, "c", 120)]
    draw_text_layer(tmp_path / "probe.pdf", rows)  # registers the font the page is set in
    font = next(name for name in pdfmetrics.getRegisteredFontNames() if name in ("PBMath", "PBVera"))
    width = pdfmetrics.getFont(font).stringWidth(chunk, 0.5)
    rows += [(chunk, 0.5, 20 + k * width, 135) for k in range(32)] + [row[:4] for row in abstract_rows(150)]
    draw_text_layer(tmp_path / "long.pdf", rows)
    document = extract(tmp_path / "long.pdf")
    assert max(len(line) for line in document.pages[0].splitlines()) >= (1 << 20) - 1  # the page text keeps the line
    assert max(len(span.text) for span in document.spans) <= MAX_SPAN_CHARS
    assert [" ".join(span.text.split()) for span in document.spans][:3] == [row[0] for row in rows[:3]]  # any font


# -- an endpoint's answer -----------------------------------------------------------------------------

def test_escaped_lone_surrogates_in_an_answer_become_replacement_characters():
    answer = parse_answer('{"title": "Graph\\ud835", "authors": ["Ada\\u0000 Quill", "\\udfff"], '
                          '"institutions": ["Orchard \\ud835\\udc48niversity"], "brief": "\\ud835\\udc3a\\ud835"}')
    assert answer.title == "Graph\ufffd" and answer.brief == "𝐺\ufffd"
    assert answer.authors == ["Ada Quill", "\ufffd"] and answer.institutions == ["Orchard 𝑈niversity"]
    assert _encodes(answer.model_dump_json())


@pytest.mark.parametrize("text", ['{"title": ' + "[" * 990 + "]" * 990 + "}", "[" * 990, '{"a":' * 990,
                                  "前言 " + '{"title": {"a": ' * 400])
def test_an_answer_nested_990_deep_is_not_a_json_object(text):
    with pytest.raises(AnswerError, match="JSON"):
        parse_answer(text)


def _body(content: str, usage: object = None) -> dict:
    return {"choices": [{"message": {"content": content}, "finish_reason": "stop"}], "model": "m\ud835",
            "usage": usage if usage is not None else {"prompt_tokens": 10**23, "completion_tokens": 2**70}}


def test_absurd_token_counts_are_bounded_before_the_store_sees_them(tmp_path):
    completion = llm.completion_of(_body("回答\ud835\x00"), "m", 0.1)
    assert completion.usage == Usage(prompt_tokens=llm.MAX_TOKENS, completion_tokens=llm.MAX_TOKENS)
    assert completion.text == "回答\ufffd" and completion.model == "m\ufffd" and _encodes(completion.raw)
    store = RunStore(tmp_path / "runs.sqlite")
    store.save("sha", GBK_NAME, _brief(usage=completion.usage, raw=completion.raw))
    assert store.latest("sha", "fp", "m").usage.prompt_tokens == llm.MAX_TOKENS
    store.close()


def test_a_body_or_batch_line_nested_990_deep_is_a_malformed_answer():
    deep = b'{"choices": ' + b"[" * 990 + b"]" * 990 + b"}"

    class Raw:
        headers = {"content-type": "application/json"}
        content = deep

    with pytest.raises(llm.MalformedAnswer, match="not a chat completion"):
        llm._answer_body(Raw())
    assert llm.batch_line(deep.decode()).error == "a line that is not JSON in the batch's files"
    nested_body = {"custom_id": "p-1", "response": {"status_code": 200, "body": {"choices": "[" * 990}}}
    assert "not a chat completion" in llm.batch_line(json.dumps(nested_body)).error


def test_a_batch_line_with_lone_surrogates_and_absurd_counts_is_clean():
    line = json.dumps({"custom_id": "p-1\ud835", "response": {"status_code": 200, "body": _body("答\udfff")}})
    parsed = llm.batch_line(line)
    assert parsed.custom_id == "p-1\ufffd" and parsed.completion.text == "答\ufffd"
    assert parsed.completion.usage.prompt_tokens == llm.MAX_TOKENS


# -- matching folds compatibility forms ---------------------------------------------------------------

def _paper(title: str = PLAIN_TITLE, header: str = "", **fields) -> Paper:
    values = {"file": "p.pdf", "sha256": "sha", "title": title, "authors": ["Mira Castellan", "Tobias Rennick"],
              "author_count": 2, "institutions": ["Orchard University"], "abstract": "We study lanterns.",
              "header_text": header or f"{title}\nMira Castellan, Tobias Rennick\nOrchard University"}
    return Paper(**{**values, **fields})


def test_mathematical_letters_ground_and_check_as_plain_letters():
    from pipeline.brief.answer import ModelAnswer
    from pipeline.brief.grounding import ground
    from pipeline.brief.validate import check, failed_checks

    header = f"{MATH_TITLE}\nMira Castellan, Tobias Rennick\n𝑂𝑟𝑐ℎ𝑎𝑟𝑑 University"
    answer = ModelAnswer(title=PLAIN_TITLE, authors=["Mira Castellan", "Tobias Rennick"],
                         institutions=["Orchard University"], brief="")
    reading, dropped = ground(answer, header, _paper(MATH_TITLE, header))
    assert not dropped and reading.title == PLAIN_TITLE and reading.institutions == ["Orchard University"]
    brief = "Orchard University发布了𝐺𝑟𝑎𝑝ℎ Lanterns论文，使用稀疏检索方法，解决了长文档检索开销大的问题，达成了更低内存占用的效果。"
    assert not failed_checks(check(brief, _paper(PLAIN_TITLE, header, institutions=["𝑂𝑟𝑐ℎ𝑎𝑟𝑑 University"])))


# -- file names that are not UTF-8 ----------------------------------------------------------------------

def test_a_gbk_file_name_is_shown_with_replacement_characters_and_kept_for_reading(tmp_path):
    path = tmp_path / GBK_NAME
    twin = tmp_path / os.fsdecode("开放海港".encode("gbk") + b".pdf")  # the same length: the same replacement characters
    names = display_names([path, twin, tmp_path / "plain.pdf"])
    assert names[tmp_path / "plain.pdf"] == "plain.pdf"
    assert all(_encodes(name) and "\ufffd" in name or "\\x" in name for name in (names[path], names[twin]))
    assert names[path] != names[twin]
    assert readable_name(GBK_NAME).endswith(".pdf") and "\ufffd" in readable_name(GBK_NAME)
    assert list(names)[0] == path  # the Path, surrogate escapes and all, is what is read


# -- a damaged run store row ---------------------------------------------------------------------------

def _brief(text: str = "ok", usage: Usage | None = None, raw: str = "") -> Brief:
    return Brief(text=text, ok=True, checks=[CheckResult(name="shape", ok=True)], attempts=1, usage=usage or Usage(),
                 latency_s=0.1, prompt_id="p", prompt_version="1", fingerprint="fp", model="m", raw_response=raw)


@pytest.mark.parametrize("damage", ["{not json", '{"text": 1}', b"\xff\xfe{", "null"])
def test_a_damaged_store_row_is_absent_with_one_warning(tmp_path, caplog, damage):
    path = tmp_path / "runs.sqlite"
    store = RunStore(path)
    store.save("sha", "a.pdf", _brief("older"))
    store.save("sha", "a.pdf", _brief("newer"))
    with sqlite3.connect(path) as db:
        db.execute("UPDATE runs SET brief_json = ? WHERE id = 2", (damage,))
    with caplog.at_level(logging.WARNING, logger="paperbrief.store"):
        assert store.lookup("sha", "fp", "m").text == "older"  # the damaged row is passed over
        assert store.latest("sha", "fp", "m").text == "older"
        assert [b.text for b in store.history("sha")] == ["older"]
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and str(path) in warnings[0] and "row 2" in warnings[0]
    with sqlite3.connect(path) as db:
        db.execute("UPDATE runs SET brief_json = ? WHERE id = 1", (damage,))
    assert store.lookup("sha", "fp", "m") is None  # no readable brief: the paper is briefed again
    store.close()


def test_full_width_and_mathematical_acronyms_are_printed_forms():
    from pipeline.brief.answer import ModelAnswer
    from pipeline.brief.grounding import ground
    from pipeline.brief.validate import check, failed_checks

    header = "Ｇｒａｐｈ Lanterns\nMira Castellan, Tobias Rennick\nＵＣＬ; 𝐾𝐴𝐼𝑆𝑇"
    answer = ModelAnswer(title="Graph Lanterns", authors=["Mira Castellan", "Tobias Rennick"], institutions=["UCL", "KAIST"], brief="")
    reading, dropped = ground(answer, header, _paper("Graph Lanterns", header, institutions=["ＵＣＬ"]))
    assert not dropped and reading.institutions == ["UCL", "KAIST"]
    brief = "UCL发布了Graph Lanterns论文，使用稀疏检索方法，解决了长文档检索开销大的问题，达成了更低内存占用的效果。"
    paper = _paper("Graph Lanterns", header, institutions=["ＵＣＬ"])
    assert not failed_checks(check(brief, paper))
    assert failed_checks(check(brief.replace("UCL", "MIT"), paper))  # folding lets nothing else through


# -- any Unicode at all, surrogates included ------------------------------------------------------------

hypothesis = pytest.importorskip("hypothesis")
st = hypothesis.strategies

HOSTILE = ["\ud835", "\udc3a", "\ud835\udc3a", "\x00", "\x1b[31m", "\u202e", "\u2066", "\u200b", "\ufeff", "\ufffe",
           "\U0001fffe", "😀", "\U00020000", "𝐺", "Ｇ", "\n", "\r", "<script>", "{", "`", "发布了", "论文，使用", "，解决了", "大学"]
CHARS = st.one_of(st.characters(), st.characters(categories=["Cs"]), st.sampled_from(HOSTILE))
TEXT = st.lists(CHARS, max_size=24).map("".join)
NAMES = st.lists(TEXT, max_size=3)


@hypothesis.settings(max_examples=60, deadline=None)
@hypothesis.given(title=TEXT, authors=NAMES, institutions=NAMES, abstract=TEXT, header=TEXT, file=TEXT, brief=TEXT)
def test_any_unicode_goes_through_prompt_grounding_checks_and_every_renderer(title, authors, institutions, abstract,
                                                                              header, file, brief):
    from pipeline.brief.answer import ModelAnswer
    from pipeline.brief.grounding import ground
    from pipeline.brief.prompts import load_prompt, render_prompt
    from pipeline.brief.validate import check
    from pipeline.metadata.decide import published
    from pipeline.models import PaperResult, Report
    from pipeline.render.escape import terminal, terminal_line
    from pipeline.render.report import report_html, report_json, report_markdown
    from pipeline.run.diff import side_by_side

    paper = Paper(file=file, sha256="sha", title=title, authors=authors, author_count=len(authors),
                  institutions=institutions, abstract=abstract, header_text=header)
    rendered = render_prompt(load_prompt(), paper, "model")
    assert _encodes(json.dumps(rendered.messages, ensure_ascii=False))
    answer = ModelAnswer(title=title, authors=authors, institutions=institutions, brief=brief)
    assert _encodes(answer.model_dump_json())
    reading, dropped = ground(answer, header, paper)
    assert _encodes(reading.model_dump_json()) and all(_encodes(d.name) for d in dropped)
    results = check(brief, paper)
    assert all(_encodes(r.detail) for r in results)
    written = Brief(text=brief, ok=all(r.ok for r in results), checks=results, attempts=1, usage=Usage(), latency_s=0.0,
                    prompt_id="p", prompt_version="1", fingerprint="f", model="m", reading=reading, dropped=dropped)
    result = PaperResult(file=file, sha256="sha", paper=published(paper, written), brief=written,
                         error="" if written.ok else brief)
    report = Report(title=title, generated_at="2026-01-01", prompt_id="p", prompt_version="1", model="m",
                    results=[result, PaperResult(file=file + "x", error=abstract)])
    for text in (report_markdown(report), report_html(report), report_json(report), terminal_line(brief + file),
                 terminal(side_by_side(result, result, width=80))):  # as rerun prints it
        assert _encodes(text)


# -- the commands, end to end against a hostile endpoint --------------------------------------------------

ANSWER_MODES = {"Sparse Lanterns: Attention": "huge_usage", "Echo Channels": "surrogate_body",
                "Quiet Gradients": "escaped_answer", "Tidal Pruning": "deep_body", "Deep Lanterns": "deep_answer",
                "Wordy Lanterns": "long_line"}  # a request naming the paper -> how the endpoint answers it
BAD = {"清澜-graph-pruning.pdf": ("endpoint", "not a chat completion"), "deep.pdf": ("answer", "嵌套过深"),
       "wordy.pdf": ("answer", "没有 JSON 对象")}  # file -> its failure's kind, and words of its one line


@pytest.fixture(scope="module")
def hostile_folder(tmp_path_factory, sample_dir):
    """The six samples (one under a GBK name) and a drawn paper of each hostile class, and the readings
    the stand-in model gives of the drawn ones."""
    import shutil

    import make_samples
    from pages import hostile_papers

    folder = tmp_path_factory.mktemp("hostile") / "in"
    folder.mkdir()
    readings = hostile_papers(folder)
    for sample in make_samples.SAMPLES:
        shutil.copy(sample_dir / sample.file, folder / (GBK_NAME if sample.file == "open-harbor-bench.pdf" else sample.file))
    return folder, readings


def _command(server, tmp_path, *args) -> tuple[int, str, str]:
    """A paperbrief command in its own process (against `server` when one is given), which must end
    without a traceback and print valid UTF-8."""
    import subprocess
    import sys

    import make_samples

    config = tmp_path / "paperbrief.yaml"
    config.write_text("attempts: 2\n")
    env = {**os.environ, "PAPERBRIEF_CONFIG": str(config), "OPENAI_API_KEY": "sk-hostile-text-0000"}
    endpoint = ["--base-url", server.base_url] if server else []
    run = subprocess.run([sys.executable, "-m", "pipeline.cli", *map(str, args), *endpoint],
                         capture_output=True, env=env, cwd=make_samples.ROOT, timeout=180)
    out, err = run.stdout.decode("utf-8"), run.stderr.decode("utf-8")  # valid UTF-8, or this raises
    assert "Traceback" not in err and "internal error" not in err, err
    return run.returncode, out, err


def _results(out) -> dict:
    return {r["file"]: r for r in json.loads((out / "report.json").read_text(encoding="utf-8"))["results"]}


@pytest.mark.slow
def test_a_run_over_every_hostile_class_briefs_the_good_papers_and_fails_the_bad_alone(hostile_folder, tmp_path):
    import make_samples
    from hostile_endpoint import Hostile

    folder, readings = hostile_folder
    out = tmp_path / "out"
    with Hostile(targets=ANSWER_MODES, replies={s.title: s.brief for s in make_samples.SAMPLES}, readings=readings) as server:
        code, stdout, stderr = _command(server, tmp_path, "run", folder, "-o", out, "--timeout", "10")
        results = _results(out)
        assert code == 1 and len(results) == 12
        for name, (kind, why) in BAD.items():  # each bad one fails alone, with its kind and a one-line reason
            assert results[name]["failure"]["kind"] == kind, results[name]
            checks = (results[name]["brief"] or {}).get("checks", [])  # a Chinese detail is the report's, not the line's
            assert why in results[name]["error"] + "".join(c["detail"] for c in checks) and "\n" not in results[name]["error"]
            assert f"FAILED {name}" in stderr
        good = {name: r for name, r in results.items() if name not in BAD}
        assert all(r["brief"]["ok"] for r in good.values()), {n: r["error"] for n, r in good.items()}
        assert readable_name(GBK_NAME) in good  # shown and stored with replacement characters
        assert good["sparse-lanterns.pdf"]["brief"]["usage"]["prompt_tokens"] == llm.MAX_TOKENS
        assert "𝐺-\ufffd" in good["echo-channels.pdf"]["brief"]["text"]  # a pair joined, a lone half replaced
        assert "𝐺-\ufffd" in good["quiet-gradients.pdf"]["brief"]["text"]
        assert good["math.pdf"]["brief"]["reading"]["title"] == PLAIN_TITLE
        for name in ("report.md", "report.html"):
            assert _encodes((out / name).read_text(encoding="utf-8"))

        with sqlite3.connect(out / "runs.sqlite") as db:  # two rows damaged: those papers are briefed again
            db.execute("UPDATE runs SET brief_json = '{not json' WHERE file = 'lattice-kv.pdf'")
            db.execute("UPDATE runs SET brief_json = '{\"text\": 1}' WHERE file = 'math.pdf'")
        before = len(server.requests)
        code, stdout, stderr = _command(server, tmp_path, "run", folder, "-o", out, "--timeout", "10")
        again = [r["body"] for r in server.requests[before:]]
        assert code == 1 and all(r["brief"]["ok"] for n, r in _results(out).items() if n not in BAD)
        assert any("LatticeKV" in body for body in again) and any("Lanterns: Sparse Retrieval" in body for body in again)
        assert stderr.count("holds no readable brief") == 2 and "runs.sqlite: row" in stderr

        gbk = folder / GBK_NAME
        code, stdout, _ = _command(server, tmp_path, "rerun", gbk, "-o", out)  # its passing brief is in the store
        assert code == 0 and "0 LLM call(s)" in stdout
        code, _, stderr = _command(server, tmp_path, "rerun", gbk, "-o", tmp_path / "elsewhere")
        assert code == 2 and "holds no report" in stderr and "--add" in stderr  # a new folder is not grown silently
        code, stdout, _ = _command(server, tmp_path, "rerun", gbk, "-o", tmp_path / "elsewhere", "--add")
        assert code == 0 and list(_results(tmp_path / "elsewhere")) == [readable_name(GBK_NAME)]
    for paper in (gbk, folder / "math.pdf"):
        shown = json.loads(_command(None, tmp_path, "inspect", "--json", paper)[1])
        assert shown["title"] and _encodes(json.dumps(shown, ensure_ascii=False))


@pytest.mark.slow
def test_hostile_text_records_and_replays(hostile_folder, tmp_path):
    """record writes a cassette of answers carrying escaped surrogates and absurd counts for papers with
    text outside the BMP and a GBK name; regress replays it offline and every paper holds."""
    import shutil

    import make_samples
    from hostile_endpoint import Hostile

    folder, readings = hostile_folder
    good = tmp_path / "good"
    good.mkdir()
    for name in ("math.pdf", "emoji.pdf", "controls.pdf", "echo-channels.pdf", "sparse-lanterns.pdf", GBK_NAME):
        shutil.copy(folder / name, good / name)
    cassette = tmp_path / "hostile.yaml"
    with Hostile(targets=ANSWER_MODES, replies={s.title: s.brief for s in make_samples.SAMPLES}, readings=readings) as server:
        code, _, stderr = _command(server, tmp_path, "record", good, "-o", tmp_path / "out", "--cassette", cassette)
        assert code == 0, stderr
        code, stdout, stderr = _command(server, tmp_path, "inspect", "--llm", "--json", good / "math.pdf")
        assert code == 0 and json.loads(stdout)["model"]["title"] == PLAIN_TITLE
    code, stdout, stderr = _command(None, tmp_path, "regress", good, "--cassette", cassette)
    assert code == 0 and "all 6 papers hold" in stderr and readable_name(GBK_NAME) in stdout
