"""Drawing helpers for tests that need a page laid out just so (every text is invented)."""

from __future__ import annotations

import re

ABSTRACT = ("We study how small lanterns of attention can be lit across long documents without paying for "
            "the whole sequence, and show that a sparse schedule keeps accuracy while cutting memory use "
            "on every benchmark we tried, from short questions to book-length inputs.")


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
    for row in rows:
        text, size, x, y = row[:4]
        font = row[4] if len(row) > 4 else (cjk_font([text]) if is_cjk(text) else "Times-Roman")
        width = c.stringWidth(re.sub(r"\^[\d,]+", "", text), font, size)
        left = 306 - width / 2 if x == "c" else x
        if matrix_font:
            t = c.beginText()
            t.setTextTransform(size, 0, 0, size, left, 792 - y)
            t.setFont(font, 1)
            t.textOut(text)
            c.drawText(t)
        else:  # '^2' draws a superscript marker
            for i, piece in enumerate(re.split(r"\^([\d,]+)", text)):
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


def assert_page_is_inert(page: str, *texts: str) -> None:
    """No element, attribute or link the input text did not ask for, and every text shown as written."""
    found = Elements(page)
    assert not {"script", "img", "iframe", "a", "object", "embed", "form", "input"} & set(found.tags)
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
