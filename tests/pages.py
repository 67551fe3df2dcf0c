"""Drawing helpers for tests that need a page laid out just so (every text is invented)."""

from __future__ import annotations

import re

ABSTRACT = ("We study how small lanterns of attention can be lit across long documents without paying for "
            "the whole sequence, and show that a sparse schedule keeps accuracy while cutting memory use "
            "on every benchmark we tried, from short questions to book-length inputs.")

SUPERSCRIPT = r"\^(\{[^}]*\}|[\d,*]+)"  # a superscript marker: '^2', '^1,3', '^*' or any text in braces, '^{iv}'


def draw(path, rows: list[tuple], matrix_font: bool = False) -> None:
    """rows: (text, size, x or 'c', y from the top[, font]). With matrix_font, text is set at size 1
    and scaled by the text matrix, as some publishers' PDFs do. Chinese text is set in an embedded
    font unless a row names cjk_font.NON_EMBEDDED, whose glyphs each machine substitutes."""
    from cjk_font import NON_EMBEDDED, cjk_font, is_cjk
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont(NON_EMBEDDED))
    c = canvas.Canvas(str(path), pagesize=letter, invariant=True)
    page_cjk = [row[0] for row in rows if len(row) <= 4 and is_cjk(row[0])]
    page_font = cjk_font(page_cjk) if page_cjk else ""  # one subset for the page's Chinese rows: cut once, not once a row
    for row in rows:
        text, size, x, y = row[:4]
        font = row[4] if len(row) > 4 else (page_font if is_cjk(text) else "Times-Roman")
        width = c.stringWidth(re.sub(SUPERSCRIPT, "", text), font, size)
        left = 306 - width / 2 if x == "c" else x
        if matrix_font:
            t = c.beginText()
            t.setTextTransform(size, 0, 0, size, left, 792 - y)
            t.setFont(font, 1)
            t.textOut(text)
            c.drawText(t)
        else:  # '^2' or '^{iv}' draws a superscript marker
            for i, piece in enumerate(re.split(SUPERSCRIPT, text)):
                piece = piece.strip("{}") if i % 2 else piece
                c.setFont(font, size * 0.6 if i % 2 else size)
                c.drawString(left, 792 - y + (size * 0.4 if i % 2 else 0), piece)
                left += c.stringWidth(piece, font, size * 0.6 if i % 2 else size)
    c.showPage()
    c.save()


def abstract_rows(y: float, heading: str = "Abstract", text: str = ABSTRACT) -> list[tuple]:
    words, lines, line = text.split(), [], ""
    for word in words:
        if len(line) + len(word) > 80:
            lines.append(line)
            line = ""
        line = f"{line} {word}".strip()
    lines.append(line)
    return [(heading, 12, "c", y, "Times-Bold")] + [(text, 10, 90, y + 16 + 12 * i) for i, text in enumerate(lines)]


def paper_page(path, title: str, authors: str, affiliations: list[str], abstract: str = ABSTRACT) -> None:
    """A plain one-column first page: title, author line, one line per affiliation, abstract."""
    rows = [(title, 16, "c", 80), (authors, 11, "c", 105)]
    rows += [(line, 10, "c", 120 + 13 * i) for i, line in enumerate(affiliations)]
    draw(path, rows + abstract_rows(150 + 13 * len(affiliations), text=abstract))


class Elements:
    """Every element and the visible text of an HTML page (the standard library's parser)."""

    def __init__(self, page: str) -> None:
        from html.parser import HTMLParser

        self.tags: list[str] = []
        self.attrs: list[tuple[str, str]] = []
        self.text: list[str] = []
        outer = self

        class Parser(HTMLParser):
            def handle_starttag(self, tag, attrs):
                outer.tags.append(tag)
                outer.attrs.extend((k, v or "") for k, v in attrs)

            def handle_data(self, data):
                outer.text.append(data)

        Parser(convert_charrefs=True).feed(page)

    @property
    def visible(self) -> str:
        return "".join(self.text)


PAGE_FILTERS = ("only-differences", "only-failures")  # compare.html's checkboxes


def assert_page_is_inert(page: str, *texts: str) -> None:
    """No element, attribute or link the input text did not ask for, and every text shown as written."""
    found = Elements(page)
    assert not {"script", "img", "iframe", "a", "object", "embed", "form"} & set(found.tags)
    # the only inputs are the comparison page's own filters, each once
    assert found.tags.count("input") == sum(1 for k, v in found.attrs if k == "id" and v in PAGE_FILTERS) <= len(PAGE_FILTERS)
    assert not [k for k, _ in found.attrs if k.startswith("on") or k in ("href", "src")]
    for text in texts:
        assert text in found.visible


TITLE = "Safe Pages: <img src=x onerror=alert(1)> Rendering"
ABSTRACT_LINES = [
    "# Injected heading <script>alert('x')</script> and [click](javascript:alert(2)) in the abstract,",
    "with *emphasis*, __strong__ words, `code`, a | table | cell, ![image](http://example.org/x.png)",
    "and a bell\x07 character, written to test that a report shows every one of them as plain text.",
]


def hostile_pdf(path):
    rows = [(TITLE, 15, "c", 80), ("Alice Zhang, Bob Li", 11, "c", 105),
            ("Orchard University <b>bold</b> [home](javascript:alert(3))", 10, "c", 120),
            ("Abstract", 12, "c", 150, "Times-Bold")]
    rows += [(line, 10, 60, 170 + 13 * i) for i, line in enumerate(ABSTRACT_LINES)]
    draw(path, rows)


UNSURE_TITLE = "Sparse Lanterns for Long Documents"


def unsure_paper(folder, standin) -> None:
    """A paper whose names cite two affiliations while the header prints one (the second sits at
    the foot of the page): the rules are unsure, and the model, reading the header block with its
    foot notes, names both organisations."""
    folder.mkdir(exist_ok=True)
    draw(folder / "p.pdf", [(UNSURE_TITLE, 16, "c", 80), ("Mira Castellan^1, Tobias Rennick^2", 11, "c", 105),
                            ("^1Orchard University", 9, "c", 122), ("Bellwether Institute of Optics", 7, "c", 700)]
         + abstract_rows(160))
    standin.readings[UNSURE_TITLE] = {"authors": ["Mira Castellan", "Tobias Rennick"],
                                      "institutions": ["Orchard University", "Bellwether Institute of Optics"]}


# -- text outside the Basic Multilingual Plane, as real PDFs carry it ------------------------------
MATH_FONT = "/usr/share/fonts/truetype/dejavu/DejaVuMathTeXGyre.ttf"  # has the mathematical italic letters
VERA_FONT = "Vera.ttf"  # shipped with reportlab: the stand-in glyphs when the math font is missing


def draw_text_layer(path, rows: list[tuple], info_title: str = "") -> None:
    """rows: (text, size, x or 'c', y from the top), in an embedded TrueType font whose ToUnicode map
    is written as LaTeX writes it: UTF-16, a character outside the BMP as a surrogate pair. The text
    layer gives each row's text exactly; a character the font has no glyph for (an emoji, a CJK
    extension B character, NUL, a bidi control) is drawn as a stand-in glyph the map reads back as
    that character, as a PDF whose font maps glyphs to any Unicode does."""
    from pathlib import Path

    from reportlab.lib.pagesizes import letter
    from reportlab.pdfbase import pdfmetrics, ttfonts
    from reportlab.pdfgen import canvas

    font = "PBMath" if Path(MATH_FONT).is_file() else "PBVera"
    if font not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(ttfonts.TTFont(font, MATH_FONT if font == "PBMath" else VERA_FONT))
    glyphs = pdfmetrics.getFont(font).face.charToGlyph
    used = {ch for text, *_ in rows for ch in text}
    spare = iter(ch for ch in map(chr, range(0xC0, 0x100)) if ord(ch) in glyphs and ch not in used)
    stand_in = {ch: next(spare) for ch in sorted(used) if ord(ch) not in glyphs and ch != " "}
    layer = {drawn: ch for ch, drawn in stand_in.items()}

    def to_unicode(font_name: str, subset: list[int]) -> str:
        pairs = "\n".join(f"<{code:02X}> <{layer.get(chr(cp), chr(cp)).encode('utf-16-be', 'surrogatepass').hex().upper()}>"
                          for code, cp in enumerate(subset))
        return ("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n/CIDSystemInfo\n"
                "<< /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
                f"/CMapName /{font_name} def\n/CMapType 2 def\n1 begincodespacerange\n<00> <FF>\nendcodespacerange\n"
                f"{len(subset)} beginbfchar\n{pairs}\nendbfchar\nendcmap\n"
                "CMapName currentdict /CMap defineresource pop\nend\nend")

    c = canvas.Canvas(str(path), pagesize=letter)
    if info_title:
        c.setTitle(info_title)
    for text, size, x, y in rows:
        drawn = "".join(stand_in.get(ch, ch) for ch in text)
        width = c.stringWidth(drawn, font, size)
        c.setFont(font, size)
        c.drawString(306 - width / 2 if x == "c" else x, 792 - y, drawn)
    c.showPage()
    saved = ttfonts.makeToUnicodeCMap  # reportlab writes a code point above FFFF as five hex digits
    ttfonts.makeToUnicodeCMap = to_unicode
    try:
        c.save()
    finally:
        ttfonts.makeToUnicodeCMap = saved


# -- one folder holding a drawn paper of each hostile class --------------------------------------------
HOSTILE_PAPERS = {  # file -> (title, author line, affiliation line, the model's reading of the header)
    "math.pdf": ("𝐺𝑟𝑎𝑝ℎ Lanterns: Sparse Retrieval over Long Pages", "Mira Castellan, Tobias Rennick", "Orchard University",
                 {"title": "Graph Lanterns: Sparse Retrieval over Long Pages"}),
    "emoji.pdf": ("Rocket Lanterns 😀: Retrieval over 𠀀 Glyph Archives", "Ada Quill, Wen Li", "Bellwether Institute of Optics", {}),
    "controls.pdf": ("Mirror Lanterns: \u202eReversed\u202c Text and Zero\u200bWidth Joins", "Ada Quill, Tobias\x00 Rennick",
                     "Orchard\u200b University", {"authors": ["Ada Quill", "Tobias Rennick"], "institutions": ["Orchard University"]}),
    "deep.pdf": ("Deep Lanterns: Answers Nested Beyond Reason", "Ada Quill", "Orchard University", {}),
    "wordy.pdf": ("Wordy Lanterns: A Megabyte of Answer", "Ada Quill", "Orchard University", {}),
}


def hostile_papers(folder) -> dict[str, dict]:
    """Draw HOSTILE_PAPERS into `folder`, and a page with a megabyte on one line (long.pdf); returns
    the readings a stand-in model gives of them (title -> title, authors, institutions)."""
    from reportlab.pdfbase import pdfmetrics

    readings = {}
    for name, (title, authors, affiliation, reading) in HOSTILE_PAPERS.items():
        rows = [(title, 16, "c", 80), (authors, 11, "c", 105), (affiliation, 10, "c", 120)]
        draw_text_layer(folder / name, rows + [row[:4] for row in abstract_rows(150)])
        readings[title] = {"title": title, "authors": [a.strip() for a in authors.split(",")],
                           "institutions": [affiliation], **reading}
    chunk = "lantern " * 4096  # 32 KiB, drawn 32 times end to end on one baseline: a megabyte line
    font = next(name for name in pdfmetrics.getRegisteredFontNames() if name in ("PBMath", "PBVera"))
    width = pdfmetrics.getFont(font).stringWidth(chunk, 0.5)
    rows = [(LONG_TITLE, 16, "c", 80), ("Ada Quill", 11, "c", 105), ("Orchard University", 10, "c", 120)]
    rows += [(chunk, 0.5, 20 + k * width, 135) for k in range(32)] + [row[:4] for row in abstract_rows(150)]
    draw_text_layer(folder / "long.pdf", rows)
    readings[LONG_TITLE] = {"title": LONG_TITLE, "authors": ["Ada Quill"], "institutions": ["Orchard University"]}
    return readings


LONG_TITLE = "Long Lanterns: A Megabyte on One Line"


def headless_dom(page, tmp_path) -> str:
    """The DOM a real headless Chromium builds from a page file (what a reader's browser shows).
    Skips where no Chromium is installed, unless PAPERBRIEF_BROWSER_TEST=required (.ci/run) says
    it must run."""
    import os
    import shutil
    import subprocess

    import pytest

    browser = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if browser is None:
        if os.environ.get("PAPERBRIEF_BROWSER_TEST") == "required":
            pytest.fail("PAPERBRIEF_BROWSER_TEST=required but no Chromium is on PATH")
        pytest.skip("no headless Chromium installed")
    # no network here: without the background-networking flags Chromium stalls on refused connections
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={tmp_path / 'profile'}"]
    return subprocess.run([browser, *flags, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120).stdout

