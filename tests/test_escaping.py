"""Text from a PDF or a model stays text in every output (the hostile paper is invented here)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pages import TITLE, Elements, assert_page_is_inert, hostile_pdf

from pipeline.cli import main
from pipeline.render.escape import markdown, markdown_code, terminal

pytest.importorskip("reportlab")
markdown_it = pytest.importorskip("markdown_it")

def tokens(text: str) -> list:
    out = []
    for token in markdown_it.MarkdownIt("commonmark").enable("table").enable("strikethrough").parse(text):
        out.append(token)
        out.extend(token.children or [])
    return out


@pytest.fixture
def hostile_run(tmp_path, fake_model) -> Path:
    """The output folder of a run on the hostile paper."""
    folder = tmp_path / "in"
    folder.mkdir()
    hostile_pdf(folder / "safe-pages.pdf")
    out = tmp_path / "out"
    assert main(["run", str(folder), "-o", str(out), "--base-url", fake_model.base_url, "--api-key", "k"]) == 0
    return out


def test_hostile_paper_renders_as_text_in_report_md(hostile_run):
    text = (hostile_run / "report.md").read_text()
    found = tokens(text)
    kinds = [t.type for t in found]
    assert not {"html_inline", "html_block", "image", "link_open", "em_open", "s_open", "code_inline", "table_open"} & set(kinds)
    assert kinds.count("heading_open") == 5  # the report's own: title, two sections, the paper twice
    assert kinds.count("strong_open") == 3  # the report's own labels: 主要机构, 作者数量, 摘要
    visible = "".join(t.content for t in found if t.type == "text")
    assert TITLE in visible
    assert "[click](javascript:alert(2))" in visible and "<script>alert('x')</script>" in visible
    assert "*emphasis*" in visible and "__strong__" in visible and "\x07" not in text
    report = json.loads((hostile_run / "report.json").read_text())
    assert report["results"][0]["paper"]["title"] == TITLE  # JSON keeps the raw text


@pytest.mark.parametrize("raw", ["# h", "1. item", "- item", "> quote", "a\n# b", "*x* _y_ `z`", "<a href=x>y</a>", "a | b",
                                 "[t](javascript:x)", "![i](x)", "x & y &lt;", "~~s~~", "== under"])
def test_markdown_field_renders_as_its_own_text(raw):
    rendered = tokens(markdown(raw))
    assert [t.type for t in rendered if t.type not in ("paragraph_open", "paragraph_close", "inline", "text", "softbreak")] == []
    assert "".join(t.content for t in rendered if t.type == "text") == raw.replace("\n", " ")


def test_code_span_keeps_any_file_name_verbatim():
    name = "we`ird <b>.pdf"
    found = tokens(markdown_code(name))
    assert [t.content for t in found if t.type == "code_inline"] == [name]


def test_terminal_text_loses_escape_sequences_and_controls():
    assert terminal("a\x1b[31mred\x1b[0m\x07 b\x1b]0;title\x07c\u202e") == "ared bc"
    assert terminal("line\nnext\ttab") == "line\nnext\ttab"


def test_hostile_paper_renders_as_text_in_report_html(hostile_run):
    page = (hostile_run / "report.html").read_text()
    assert_page_is_inert(page, TITLE, "[click](javascript:alert(2))", "<script>alert('x')</script>")
    assert Elements(page).tags.count("section") == 2  # the paper's brief and its details
