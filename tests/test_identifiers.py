"""The paper's arXiv id and DOI, read from page 1 by the rules, and their links in every report."""

from __future__ import annotations

import json

import pytest
from pages import ABSTRACT, abstract_rows

from pipeline.cli import main
from pipeline.extract.pdf import extract
from pipeline.metadata import read_metadata
from pipeline.metadata.identifiers import arxiv_base, read_identifiers

TITLE = "Lantern Caches: Paging Attention for Long Documents"


def stamped_page(path, stamp: str = "", foot: str = "", body_note: str = "") -> None:
    """A one-column page 1 with arXiv's stamp set upright in the left margin (as arXiv stamps it)
    and a line at the foot; every text is invented."""
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=letter, invariant=True)
    rows = [(TITLE, 16, "c", 80, "Times-Roman"), ("Mira Holt, Ansel Brandt", 11, "c", 105, "Times-Roman"),
            ("Northlake University", 10, "c", 120, "Times-Roman")]
    rows += abstract_rows(150, text=ABSTRACT + (" " + body_note if body_note else ""))
    for text, size, x, y, *font in rows:
        c.setFont(font[0] if font else "Times-Roman", size)
        if x == "c":
            c.drawCentredString(306, 792 - y, text)
        else:
            c.drawString(x, 792 - y, text)
    if stamp:
        c.saveState()
        c.setFont("Times-Roman", 20)
        c.translate(30, 250)
        c.rotate(90)
        c.drawString(0, 0, stamp)
        c.restoreState()
    if foot:
        c.setFont("Times-Roman", 8)
        c.drawString(72, 40, foot)
    c.showPage()
    c.save()


@pytest.mark.parametrize("text, header, arxiv", [
    ("arXiv:2401.01234v2 [cs.CL] 3 Jan 2024", "", "2401.01234v2"),
    ("arXiv:2401.01234 [cs.CL] 3 Jan 2024", "", "2401.01234"),
    ("arXiv:hep-th/9901001v1 [hep-th] 4 Jan 1999", "", "hep-th/9901001v1"),
    ("arXiv:math.AG/0309136v2 [math.AG] 9 Sep 2003", "", "math.AG/0309136v2"),
    ("arXiv:submit/3071065 [cs.CV] 3 Mar 2020", "", ""),  # a submission's number, not an id
    ("as shown by arXiv:2303.08774 in our study", "", ""),  # a citation in the body is another paper
    ("", "Code: https://arxiv.org/abs/2310.12345v3", "2310.12345v3"),  # the header's own link
    ("", "DOI: 10.48550/arXiv.2312.00001", "2312.00001"),  # arXiv's DOI carries the id
    ("arXiv:1313.01234v1 [cs.LG] 1 Jan 2013", "", ""),  # month 13 is no month
    ("arXiv:1412.12345v1 [cs.LG] 1 Dec 2014", "", ""),  # five digits only from 1501
])
def test_arxiv_id_rules(text, header, arxiv):
    assert read_identifiers(text, header).arxiv_id == arxiv


@pytest.mark.parametrize("text, doi", [
    ("DOI: 10.1109/CONF.2022.1234567\nnext", "10.1109/CONF.2022.1234567"),
    ("Citation information: DOI 10.1109/JRNL.2023.3333272", "10.1109/JRNL.2023.3333272"),
    ("https:\n//doi.org/10.1145/3588737\n1 INTRODUCTION", "10.1145/3588737"),  # a link broken at the line's end
    ("doi: http://dx.doi.org/10.1101/153585. The holder", "10.1101/153585"),  # the sentence's full stop left out
    ("see 10.1145/3588737 in the references", ""),  # a bare number is not said to be the paper's DOI
    ("DOI: 10.48550/arXiv.2312.00001", ""),  # arXiv's DOI is the arXiv id's, not a publisher's
])
def test_doi_rules(text, doi):
    assert read_identifiers(text).doi == doi


def test_versions_share_a_base():
    assert arxiv_base("2401.01234v2") == arxiv_base("2401.01234v10") == "2401.01234"
    assert arxiv_base("hep-th/9901001v1") == "hep-th/9901001"


def test_drawn_stamp_and_doi_are_read(tmp_path):
    pdf = tmp_path / "lantern.pdf"
    stamped_page(pdf, stamp="arXiv:2401.01234v2 [cs.CL] 3 Jan 2024", foot="https://doi.org/10.5555/lantern.2024.17",
                 body_note="Our baseline follows arXiv:2303.08774 closely.")
    paper = read_metadata(extract(pdf))
    assert paper.title == TITLE  # the stamp does not disturb the reading
    assert (paper.arxiv_id, paper.doi) == ("2401.01234v2", "10.5555/lantern.2024.17")


def test_unstamped_page_has_no_identifiers(tmp_path):
    pdf = tmp_path / "plain.pdf"
    stamped_page(pdf, body_note="Our baseline follows arXiv:2303.08774 closely.")
    paper = read_metadata(extract(pdf))
    assert (paper.arxiv_id, paper.doi) == ("", "")


def test_links_in_every_report(tmp_path, fake_model):
    folder = tmp_path / "in"
    folder.mkdir()
    stamped_page(folder / "lantern.pdf", stamp="arXiv:2401.01234v2 [cs.CL] 3 Jan 2024",
                 foot="DOI: 10.5555/(lantern)_2024*17")
    out = tmp_path / "out"
    assert main(["run", str(folder), "-o", str(out), "--base-url", fake_model.base_url, "--api-key", "k"]) == 0
    paper = json.loads((out / "report.json").read_text())["results"][0]["paper"]
    assert (paper["arxiv_id"], paper["doi"]) == ("2401.01234v2", "10.5555/(lantern)_2024*17")
    md = (out / "report.md").read_text()
    details = md.split("## 论文详细信息")[1]
    assert ("**链接**: arXiv:2401.01234v2 <https://arxiv.org/abs/2401.01234v2> · "
            "DOI:10.5555/(lantern)\\_2024\\*17 <https://doi.org/10.5555/(lantern)_2024*17>") in details
    html = (out / "report.html").read_text()
    assert '<a class="paper-link" href="https://arxiv.org/abs/2401.01234v2">arXiv:2401.01234v2</a>' in html
    assert 'href="https://doi.org/10.5555/(lantern)_2024*17"' in html
