"""A page whose Chinese font is not embedded reads the same on every machine.

PDFium draws a font that is neither embedded nor one of its built-in faces with whatever font the
machine has: with Debian's fonts-noto-cjk the glyph boxes are tall, without any CJK font they are
empty boxes at the baseline. The header block (line grouping, affiliation markers) must not depend
on them. .ci/run runs this file with CJK fonts visible and again with them hidden; each run
compares the substituted page with the same page set in an embedded font.
"""

from __future__ import annotations

import pages
import pytest
from cjk_font import NON_EMBEDDED, cjk_font

from pipeline.extract.pdf import extract
from pipeline.metadata import read_metadata

TITLE = "Tidewater Sketches: Sparse Routing for Small Graph Models"
AFFILIATION = "澄川大学 信息科学与工程学院"
SECOND = "School of Computing, Chengchuan Institute of Technology, Ningbo, China"


def _page(path, cjk: str) -> tuple[float, float]:
    """Title, an author line with markers, a marked Chinese affiliation (its marker in Times),
    an English one, and an abstract; the Chinese line set in `cjk`. Returns where the Chinese
    line starts and ends (its advance widths)."""
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfbase.pdfmetrics import registerFont, stringWidth

    registerFont(UnicodeCIDFont(NON_EMBEDDED))
    width = stringWidth(AFFILIATION, cjk, 9.5) + stringWidth("1", "Times-Roman", 6)
    start = 306 - width / 2 + stringWidth("1", "Times-Roman", 6)
    rows = [(TITLE, 16, "c", 80),
            ("Lin Chengyu^1, Hao Meiling^1, Arvid Stolt^2", 11, "c", 105),
            ("1", 6, start - stringWidth("1", "Times-Roman", 6), 118.5, "Times-Roman"),
            (AFFILIATION, 9.5, start, 122, cjk),
            ("^2" + SECOND, 9.5, "c", 136)]
    pages.draw(path, rows + pages.abstract_rows(165))
    return start, start + stringWidth(AFFILIATION, cjk, 9.5)


def _header(path) -> str:
    return read_metadata(extract(path)).header_text


def test_a_substituted_chinese_font_reads_as_the_embedded_one(tmp_path):
    embedded, substituted = tmp_path / "embedded.pdf", tmp_path / "substituted.pdf"
    _page(embedded, cjk_font([AFFILIATION]))
    _page(substituted, NON_EMBEDDED)
    assert _header(substituted) == _header(embedded)


def test_the_marker_of_a_substituted_chinese_affiliation_stays_on_its_line(tmp_path):
    pdf = tmp_path / "substituted.pdf"
    _page(pdf, NON_EMBEDDED)
    lines = _header(pdf).splitlines()
    assert f"1 {AFFILIATION}" in lines
    assert f"2 {SECOND}" in lines
    assert "1" not in lines
    paper = read_metadata(extract(pdf))
    assert any(name.startswith("澄川大学") for name in paper.institutions)


def test_a_substituted_run_is_placed_by_its_baseline_size_and_widths(tmp_path):
    """Not by the substitute's glyph boxes, which differ between machines: the span of the Chinese
    line reaches from its first character's pen position to its advance widths' end, and from
    0.75 of its size above the baseline (122 pt from the top) to 0.15 below."""
    pdf = tmp_path / "substituted.pdf"
    start, end = _page(pdf, NON_EMBEDDED)
    span = next(s for s in extract(pdf).spans if s.text == AFFILIATION)
    assert (span.x0, span.x1) == (pytest.approx(start, abs=0.05), pytest.approx(end, abs=0.05))
    assert (span.y0, span.y1) == (pytest.approx(122 - 0.75 * 9.5, abs=0.05), pytest.approx(122 + 0.15 * 9.5, abs=0.05))
