"""Every affiliation page 1 prints reaches the header block: one drawn page per layout class
(every text here is invented for the test)."""

from __future__ import annotations

import re

import pytest
from pages import SUPERSCRIPT, abstract_rows, draw

from pipeline.extract.pdf import extract, is_cover_sheet
from pipeline.metadata import read_metadata

pytest.importorskip("reportlab")

PAPER_TITLE = "Quiet Lanterns for Sparse Routing"


def draw_pages(path, pages: list[list[tuple]], title: str = "") -> None:
    """Several pages, each as `pages.draw` takes its rows: (text, size, x or 'c', y from the top[, font]);
    `title` goes in the PDF's Title metadata."""
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=letter)
    if title:
        c.setTitle(title)
    for rows in pages:
        for text, size, x, y, *font in rows:
            face = font[0] if font else "Times-Roman"
            left = 306 - c.stringWidth(re.sub(SUPERSCRIPT, "", text), face, size) / 2 if x == "c" else x
            for i, piece in enumerate(re.split(SUPERSCRIPT, text)):  # '^2' draws a superscript marker
                piece = piece.strip("{}") if i % 2 else piece
                c.setFont(face, size * 0.6 if i % 2 else size)
                c.drawString(left, 792 - y + (size * 0.4 if i % 2 else 0), piece)
                left += c.stringWidth(piece, face, size * 0.6 if i % 2 else size)
        c.showPage()
    c.save()


def own_first_page() -> list[tuple]:
    """The paper's own page 1: two authors of two organisations, then the abstract."""
    return [(PAPER_TITLE, 16, "c", 80), ("Mira Castellan^1 Tobias Rennick^2", 11, "c", 105),
            ("^1Orchard University ^2Tidewater Institute of Technology", 10, "c", 120)] + abstract_rows(160)


def read_drawn(tmp_path, rows):
    """One page drawn by `pages.draw` (superscripts, any font), read by the rules."""
    path = tmp_path / "p.pdf"
    draw(path, rows)
    return read_metadata(extract(path))


def read_pages(tmp_path, pages):
    path = tmp_path / "p.pdf"
    draw_pages(path, pages)
    return read_metadata(extract(path))


LIBRARY_COVER = [("Latest updates: https://dl.example.org/doi/10.5555/0000001", 8, 40, 40),
                 ("RESEARCH-ARTICLE", 8, 40, 60),
                 ("Quiet Lanterns for Sparse Routing using P4-", 18, 40, 90), ("based Switches", 18, 40, 112),
                 ("MIRA CASTELLAN, Orchard University, Lisbon, Portugal", 9, 40, 140),
                 ("PDF Download", 10, 400, 180), ("0000001.pdf", 8, 400, 195), ("Total Citations: 0", 8, 400, 210),
                 ("Total Downloads: 12", 8, 400, 225), ("Published: 03 March 2031", 8, 400, 240),
                 ("Citation in BibTeX format", 8, 400, 255)]
PROCEEDINGS_COVER = [("This paper is included in the Proceedings of the", 12, 60, 100),
                     ("9th Symposium on Quiet Systems", 14, 60, 120), ("March 3-5, 2031", 10, 60, 140),
                     (PAPER_TITLE, 18, 60, 220), ("Mira Castellan, Orchard University", 11, 60, 250),
                     ("Open access to the Proceedings of the 9th Symposium", 10, 60, 600),
                     ("on Quiet Systems is sponsored by the Orchard Foundation", 10, 60, 614)]
REPOSITORY_STAMP = [("Orchard University Research Portal", 12, 60, 60),
                    (PAPER_TITLE, 14, 60, 100), ("Castellan, M., Rennick, T.", 10, 60, 120),
                    ("Document Version: Peer reviewed version", 10, 60, 160),
                    ("Citation for published version (APA):", 10, 60, 190),
                    ("Castellan, M. (2031). Quiet Lanterns. Journal of Quiet Systems, 4, 1-9.", 10, 60, 204),
                    ("General rights", 11, 60, 260), ("Copyright and moral rights are retained by the authors.", 9, 60, 276),
                    ("Take down policy", 11, 60, 320), ("Contact us with details of the breach.", 9, 60, 336)]


RESEARCH_NETWORK_COVER = [("See discussions, stats, and author profiles for this publication at: https://net.example/p/1", 8, 40, 40),
                          (PAPER_TITLE, 14, 40, 80), ("Conference Paper · March 2031", 9, 40, 100),
                          ("CITATIONS", 8, 40, 130), ("2", 12, 40, 142), ("READS", 8, 200, 130), ("76", 12, 200, 142),
                          ("2 authors, including:", 9, 40, 170), ("Mira Castellan", 10, 60, 190),
                          ("Orchard University", 8, 60, 202), ("12 PUBLICATIONS   60 CITATIONS", 8, 60, 214),
                          ("SEE PROFILE", 8, 60, 226)]
PROOF_QUERIES = [("Lantern Press Proof", 10, 40, 40), ("Queries to the Author", 14, 40, 70),
                 ("Q1. Author: Please check and confirm whether the name of the corresponding author is correct.", 9, 40, 100),
                 ("Q2. Author: Please provide the funding details.", 9, 40, 115)]


@pytest.mark.parametrize("cover", [LIBRARY_COVER, PROCEEDINGS_COVER, REPOSITORY_STAMP, RESEARCH_NETWORK_COVER, PROOF_QUERIES],
                         ids=["library-latest-updates", "proceedings-open-access", "repository-download-stamp",
                              "research-network-download", "publisher-proof-queries"])
def test_generated_cover_sheet_is_passed_over_for_the_papers_own_page(tmp_path, cover):
    paper = read_pages(tmp_path, [cover, own_first_page(), [("2 Related Work", 12, 60, 80)]])
    assert paper.title == PAPER_TITLE
    assert paper.institutions == ["Orchard University", "Tidewater Institute of Technology"]
    assert paper.abstract.startswith("We study how small lanterns")
    assert "Tidewater Institute of Technology" in paper.header_text
    assert not re.search(r"Downloads|Proceedings|Take down", paper.header_text)


def test_a_stamp_on_the_papers_own_page_is_no_cover_sheet(tmp_path):
    stamped = own_first_page() + [("Downloaded on March 3, 2031 from the Quiet Library.", 7, 60, 760),
                                  ("Terms of use apply.", 7, 60, 770)]
    paper = read_pages(tmp_path, [stamped, [("A second page that is not page 1", 16, "c", 80)]])
    assert paper.title == PAPER_TITLE
    assert not is_cover_sheet("Downloaded on March 3, 2031 from the Quiet Library.\nTerms of use apply.\nAbstract\nWe study")


def test_a_cover_sheet_alone_is_read_as_it_is(tmp_path):
    paper = read_pages(tmp_path, [PROCEEDINGS_COVER])
    assert paper.title == PAPER_TITLE


def two_column_body(top: float, bottom: float, x: float) -> list[tuple]:
    words = "the lanterns are lit one by one along the document and each keeps a little of the light it saw".split()
    return [(" ".join(words[(i % 5):(i % 5) + 9]), 10, x, y) for i, y in enumerate(range(int(top), int(bottom), 12))]


def test_ieee_transactions_footnote_with_fonts_scaled_by_the_matrix(tmp_path):
    """IEEE Xplore sets every font at size 1 and scales it: the body's size is not measured, and
    the notes at the foot of the left column (the only place affiliations are printed) must still
    be told from the body beside and above them."""
    rows = [("Quiet Lanterns for Sparse Routing in", 22, "c", 70), ("Long Documents", 22, "c", 96),
            ("Mira Castellan, Member, IEEE, Tobias Rennick, and Ilse Marrow, Fellow, IEEE", 11, "c", 125),
            ("Abstract—We study how small lanterns of attention can be lit across long documents without paying", 8, 60, 160)]
    # the abstract is set in the notes' size, and runs longer than the body the foot band holds
    rows += [("for the whole sequence, and show that a sparse schedule keeps accuracy while cutting memory use on every", 8, 60, y)
             for y in range(170, 290, 10)]
    rows += [("1 INTRODUCTION", 10, 40, 310)] + two_column_body(325, 560, 40) + two_column_body(325, 700, 320)
    rows += [("M. Castellan and T. Rennick are with the Department of Optics, Orchard", 8, 40, 600),
             ("University, Lisbon 1000, Portugal. E-mail: {mira, tobias}@orchard.example.", 8, 40, 610),
             ("I. Marrow is with the Tidewater Institute of Technology, Porto 4000, Portugal.", 8, 40, 620),
             ("Manuscript received 3 Mar. 2031; revised 4 Apr. 2031.", 8, 40, 640),
             ("Authorized licensed use limited to: Harbour College. Downloaded on May 3, 2031 from the Quiet Library.", 6, 60, 770)]
    path = tmp_path / "p.pdf"
    draw(path, rows, matrix_font=True)
    paper = read_metadata(extract(path))
    assert paper.title == "Quiet Lanterns for Sparse Routing in Long Documents"
    assert paper.institutions == ["Orchard University", "Tidewater Institute of Technology"]
    assert "Tidewater Institute of Technology" in paper.header_text
    assert "Harbour College" not in paper.header_text  # the library's stamp names the reader, not the authors


def test_icml_footnote_affiliations_reach_the_header_block(tmp_path):
    rows = [(PAPER_TITLE, 14, "c", 80), ("Mira Castellan^1 Tobias Rennick^2 Ilse Marrow^3", 10, "c", 105),
            ("Abstract", 11, 150, 140)] + two_column_body(155, 560, 60) + two_column_body(140, 740, 320)
    rows += [("*Equal contribution ^1Orchard University ^2Tidewater Institute", 8, 60, 620),
             ("of Technology ^3Harbour Quiet Systems Lab. Correspondence to:", 8, 60, 630),
             ("Mira Castellan <mira@orchard.example>.", 8, 60, 640)]
    path = tmp_path / "p.pdf"
    draw(path, rows)
    paper = read_metadata(extract(path))
    for name in ("Orchard University", "Tidewater Institute", "Harbour Quiet Systems Lab"):
        assert name in paper.header_text


def read_title_page(tmp_path, title_rows):
    path = tmp_path / "t.pdf"
    draw(path, title_rows + [("Mira Castellan", 11, "c", 130), ("Orchard University", 10, "c", 145)] + abstract_rows(180))
    return read_metadata(extract(path))


def test_title_broken_at_a_hyphen_joins_its_next_line(tmp_path):
    paper = read_title_page(tmp_path, [("Quiet Routing of Sparse Lanterns using P4-", 18, "c", 80),
                                       ("based Programmable Switches", 18, "c", 102)])
    assert paper.title == "Quiet Routing of Sparse Lanterns using P4-based Programmable Switches"
    assert paper.sure("title")


@pytest.mark.parametrize("first", ["Lanterns", "Latency-"])
def test_a_one_word_first_title_line_stays_in_the_title(tmp_path, first):
    paper = read_title_page(tmp_path, [(first, 18, 40, 80), ("aware Routing of Sparse Lanterns", 18, 40, 102)])
    assert paper.title.startswith(first.rstrip("-"))
    assert paper.title.endswith("aware Routing of Sparse Lanterns")
    assert paper.sure("title")


@pytest.mark.parametrize("title, why", [("Quiet Routing of Sparse Lanterns using P4-", "ends with '-'"),
                                        ("Quiet Routing of Sparse Lanterns using", "ends with 'using'"),
                                        ("based Programmable Switches for Lanterns", "starts with 'based'")])
def test_a_cut_title_is_told_and_doubted(title, why):
    from pipeline.metadata.confidence import title_doubt
    from pipeline.metadata.title import cut_title

    assert cut_title(title) == why
    assert title_doubt(title).startswith("cut at a line break")


@pytest.mark.parametrize("title", ["egg: Fast and Extensible Equality Saturation", "Attention Is All You Need",
                                   "Lanterns for the Rest of Us", "ghOSt: Fast & Flexible Delegation"])
def test_a_whole_title_is_not_told_cut(title):
    from pipeline.metadata.title import cut_title

    assert cut_title(title) == ""


def test_author_column_beside_the_abstract_is_read(tmp_path):
    """CHI Extended Abstracts: names and affiliations in a column left of the abstract, starting
    on the abstract heading's line."""
    rows = [("Quiet Lanterns for Sparse", 20, 300, 60), ("Routing in Long Documents", 20, 300, 84),
            ("Mira Castellan", 9.5, 40, 130), ("Abstract", 9.5, 300, 130), ("Orchard University", 8.5, 40, 143),
            ("mira@orchard.example", 7.6, 40, 152), ("Tobias Rennick", 9.5, 40, 175),
            ("Tidewater Institute of Technology", 8.5, 40, 188), ("tobias@tidewater.example", 7.6, 40, 197)]
    rows += [(f"We study how small lanterns of attention can be lit {i}", 8.5, 300, 143 + 12 * i) for i in range(14)]
    path = tmp_path / "p.pdf"
    draw(path, rows)
    paper = read_metadata(extract(path))
    assert "Tidewater Institute of Technology" in paper.header_text
    assert paper.institutions == ["Orchard University", "Tidewater Institute of Technology"]


def test_an_article_info_column_beside_the_abstract_names_nobody(tmp_path):
    rows = [(PAPER_TITLE, 16, "c", 60), ("Mira Castellan", 11, "c", 85), ("Orchard University", 9, "c", 100),
            ("A R T I C L E  I N F O", 8, 40, 140), ("A B S T R A C T", 8, 250, 140), ("Keywords:", 8, 40, 160),
            ("Sparse lanterns", 8, 40, 172), ("Quiet routing", 8, 40, 184)]
    rows += [(f"We study how small lanterns of attention can be lit {i}", 9, 250, 155 + 12 * i) for i in range(10)]
    path = tmp_path / "p.pdf"
    draw(path, rows)
    paper = read_metadata(extract(path))
    assert "Keywords" not in paper.header_text and paper.institutions == ["Orchard University"]


def test_a_sidebar_does_not_interleave_a_wrapped_affiliation(tmp_path):
    """bioRxiv: a margin of notes beside a centred title block; an affiliation wrapped over two
    lines must read whole in the header block, the margin's cells kept apart."""
    rows = [("Quiet Lanterns for Sparse", 21, 172, 60), ("Routing in Documents", 21, 172, 88),
            ("Mira Castellan^1 , Tobias Rennick^2", 10, 172, 125),
            ("*For correspondence:", 7, 42, 150), ("mira@orchard.example", 10, 42, 162),
            ("^1 Dept. of Optics, Orchard University; ^2 School of Light, Tidewater", 10, 172, 162),
            ("Funding:", 10, 42, 176), ("Institute of Technology", 10, 172, 176),
            ("Quiet Grant 12 to MC", 7, 42, 190), ("Lantern Fund to TR", 7, 42, 200),
            ("Abstract We study how small lanterns of attention can be lit across long documents", 10, 172, 230)]
    rows += [("without paying for the whole sequence, and show that a sparse schedule keeps it", 9, 172, 243 + 13 * i) for i in range(8)]
    path = tmp_path / "p.pdf"
    draw(path, rows)
    paper = read_metadata(extract(path))
    from pipeline.brief.grounding import Page

    assert Page(paper.header_text).prints("Tidewater Institute of Technology")
    assert "Quiet Grant" in paper.header_text  # the margin is kept, after the header's own lines


def test_an_affiliation_wrapped_inside_an_author_grid_reads_whole(tmp_path):
    """ACM sigconf: three columns of authors, one affiliation wrapped over three lines with the
    other columns' e-mail and address lines between."""
    rows = [(PAPER_TITLE, 16, "c", 60),
            ("Mira Castellan", 11, 90, 100), ("Tobias Rennick", 11, 260, 100), ("Ilse Marrow", 11, 430, 100),
            ("State Key Laboratory of Lantern", 9, 60, 114), ("tobias@orchard.example", 9, 245, 114), ("Orchard University", 9, 420, 114),
            ("Optics and Sparse", 9, 80, 126), ("Orchard University", 9, 250, 126), ("Lisbon, Portugal", 9, 425, 126),
            ("Routing", 9, 100, 138), ("Lisbon, Portugal", 9, 255, 138)] + abstract_rows(180)
    path = tmp_path / "p.pdf"
    draw(path, rows)
    paper = read_metadata(extract(path))
    assert "State Key Laboratory of Lantern Optics and Sparse Routing" in paper.header_text


def test_a_footnote_sentence_is_not_cut_at_an_abbreviation_inside_a_name(tmp_path):
    """'is with ... <Town> University in St. <Town>': the full stop of 'St.' is not the end of the
    note's sentence, so the organisation after it is read whole; 'was with', 'is now with' and
    ', and also with' each name one more organisation."""
    rows = [("Quiet Lanterns for Sparse Routing in", 22, "c", 70), ("Long Documents", 22, "c", 96),
            ("Mira Castellan, Member, IEEE, and Tobias Rennick", 11, "c", 125),
            ("Abstract—We study how small lanterns of attention can be lit across long documents.", 8, 60, 160)]
    rows += [("1 INTRODUCTION", 10, 40, 310)] + two_column_body(325, 560, 40) + two_column_body(325, 700, 320)
    rows += [("M. Castellan is with the Department of Optics, Orchard University in St. Lanterns,", 8, 40, 600),
             ("St. Lanterns, QL 63130 USA (e-mail: mira@orchard.example).", 8, 40, 610),
             ("T. Rennick was with the Tidewater Research Laboratory, Porto, QL, U.K. He is now with", 8, 40, 620),
             ("Harbour Quiet Systems Inc., and also with the Lantern Academy, Porto, QL.", 8, 40, 630),
             ("Manuscript received 3 Mar. 2031.", 8, 40, 640)]
    path = tmp_path / "p.pdf"
    draw(path, rows, matrix_font=True)
    paper = read_metadata(extract(path))
    assert paper.institutions == ["Orchard University in St. Lanterns", "Tidewater Research Laboratory",
                                  "Harbour Quiet Systems Inc.", "Lantern Academy"]


@pytest.mark.parametrize(("entry", "expected"), [
    ("Orchard University and Tidewater Institute of Technology", ["Orchard University", "Tidewater Institute of Technology"]),
    ("Cornell University and Cornell Tech", ["Cornell University", "Cornell Tech"]),  # the right part by the registry
    ("CNRS and Université de Lorraine", ["CNRS", "Université de Lorraine"]),  # a known short name, then a university
    # one organisation whose name holds 'and': never split
    ("University of Science and Technology of China", ["University of Science and Technology of China"]),
    ("Beijing University of Posts and Telecommunications", ["Beijing University of Posts and Telecommunications"]),
    ("Hong Kong University of Science and Technology", ["Hong Kong University of Science and Technology"]),
    ("School of Optics and Lanterns, Orchard University", ["Orchard University"]),
    ("Lantern Research Center for Perception and Analysis of Light, Orchard University", ["Orchard University"]),
])
def test_two_organisations_joined_by_and_are_two(entry, expected):
    from pipeline.names import institutions as inst

    assert inst.organisations([entry]) == expected


@pytest.mark.parametrize("entry", ["One Cambridge Center", "77 Massachusetts Ave, Cambridge", "No. 5 Yiheyuan Road",
                                   "1600 Lantern Parkway, Mountain View"])
def test_a_street_address_names_no_organisation(entry):
    from pipeline.names import institutions as inst

    assert inst.organisations([entry]) == []
    assert inst.organisations([f"Orchard Systems Inc., {entry}"]) == ["Orchard Systems Inc."]


@pytest.mark.parametrize("member", ["King's College London", "London School of Economics and Political Science",
                                    "Birkbeck College"])
def test_a_member_of_a_federal_university_is_not_its_unit(member):
    """The registry files these under the University of London, whose members are universities in
    their own right: read as printed. A unit of one university is still read as that university."""
    from pipeline.names import institutions as inst

    assert inst.organisations([member]) == [member]
    assert inst.organisations(["Tsinghua Shenzhen International Graduate School"]) == ["Tsinghua University"]


def test_an_organisation_whose_name_reads_as_a_unit_is_kept():
    from pipeline.names import institutions as inst

    assert inst.organisations(["Institute of Science and Technology Austria"]) == ["Institute of Science and Technology Austria"]
    assert inst.organisations(["Department of Lanterns"]) == []  # a department alone still names none


IEEE_HEAD = [("Quiet Lanterns for Sparse Routing", 22, "c", 70),
             ("Mira Castellan, Member, IEEE, Tobias Rennick, and Ilse Marrow", 11, "c", 100),
             ("Abstract—We study how small lanterns of attention can be lit across long documents.", 9, 60, 130),
             ("1 INTRODUCTION", 10, 40, 300)]
IEEE_NOTES = [
    ("M. Castellan was with Harbour Quiet Systems Inc., Porto 4000, Portugal. She is now with", 8, 40, 560),
    ("the School of Optics, Orchard University, Lisbon 1000, Portugal, and also with the", 8, 40, 570),
    ("Lantern Academy, Lisbon 1000, Portugal (e-mail: mira@orchard.example).", 8, 40, 580),
    ("T. Rennick is with the Department of Routing, Tidewater Institute of Technology,", 8, 40, 600),
    ("Porto 4000, Portugal (e-mail: tobias@tidewater.example).", 8, 40, 610),
    ("I. Marrow is with the Department of Light, Orchard University, Lisbon 1000,", 8, 40, 630),
    ("Portugal, and also with the Tidewater Institute of Technology, Porto 4000, Portugal.", 8, 40, 640)]
IEEE_NOTES_TRUTH = ["Harbour Quiet Systems Inc.", "Orchard University", "Lantern Academy", "Tidewater Institute of Technology"]


def test_foot_notes_outweighing_the_body_beside_them_are_still_notes(tmp_path):
    """An IEEE Xplore page 1 (fonts at size 1, scaled: the body's size is not measured) whose left
    column's foot is all affiliation notes: they hold more of the foot band's characters than the
    body beside them, yet they are set smaller, and are read."""
    rows = IEEE_HEAD + two_column_body(315, 540, 40)
    rows += [(text, 8, x, y) for text, _, x, y in IEEE_NOTES]
    rows += [(text, 10, 320, y) for text, _, _, y in two_column_body(315, 560, 320)]
    path = tmp_path / "p.pdf"
    draw(path, rows, matrix_font=True)
    paper = read_metadata(extract(path))
    assert paper.institutions == IEEE_NOTES_TRUTH


def test_notes_across_a_foot_band_with_no_body_are_still_notes(tmp_path):
    """An IEEE Computer Society page 1 (fonts at size 1, scaled): the notes run across the whole
    page under both body columns, so the foot band holds nothing but notes. The body's size is
    measured where its text is stepped over, as drawn, and the notes are read below it."""
    rows = IEEE_HEAD + two_column_body(315, 470, 40) + two_column_body(315, 470, 320)
    rows += [("M. Castellan is with the School of Optics, Orchard University, Lisbon 1000, Portugal, and also with the", 8, 40, 520),
             ("Lantern Academy, Lisbon 1000, Portugal. E-mail: mira@orchard.example.", 8, 40, 530),
             ("T. Rennick and I. Marrow are with the Tidewater Institute of Technology, Porto 4000, Portugal.", 8, 40, 545),
             ("Manuscript received 3 Mar. 2031; revised 4 Apr. 2031; accepted 9 May 2031. Date of publication 1 June 2031.", 8, 40, 565),
             ("This work was supported in part by the Harbour Science Foundation under Grant 12345678.", 8, 40, 575)]
    path = tmp_path / "p.pdf"
    draw(path, rows, matrix_font=True)
    paper = read_metadata(extract(path))
    assert paper.institutions == ["Orchard University", "Lantern Academy", "Tidewater Institute of Technology"]
    assert "Tidewater Institute of Technology" in paper.header_text


def test_a_page_with_printers_crop_marks_is_read_in_its_crop_box(tmp_path):
    """A journal page printed with crop marks: a letter page shown through a crop box inside a larger
    media box. Its lines and the foot band are measured on the page as shown, so the foot's notes
    are read as on the same page without the marks."""
    from reportlab.pdfgen import canvas

    rows = IEEE_HEAD + two_column_body(315, 540, 40) + two_column_body(315, 700, 320) + IEEE_NOTES
    path = tmp_path / "p.pdf"
    c = canvas.Canvas(str(path), pagesize=(842, 1191))
    c.translate(107, 207)  # the letter page sits inside the media box, where the crop box shows it
    for text, size, x, y in rows:
        c.setFont("Times-Roman", size)
        c.drawString(306 - c.stringWidth(text, "Times-Roman", size) / 2 if x == "c" else x, 792 - y, text)
    c.setCropBox((107, 207, 719, 999))
    c.showPage()
    c.save()
    doc = extract(path)
    assert (doc.page_width, doc.page_height) == (612, 792)
    paper = read_metadata(doc)
    assert paper.title == "Quiet Lanterns for Sparse Routing"
    assert paper.institutions == IEEE_NOTES_TRUTH


@pytest.mark.parametrize(("entry", "expected"), [
    ("CSIRO, Canberra Research Laboratory, Canberra, Australia", ["CSIRO"]),  # an organisation, then its lab
    ("Lantern Lab, Institute of AI, China Telecom, Beijing, China", ["China Telecom"]),  # the registry's company over its lab
    ("(Orchard University, Lisbon 1000, Portugal", ["Orchard University"]),  # a stray bracket hides no comma
    ("Orchard University, 50 Nanyang Ave, 639798, Singapore", ["Orchard University"]),
    ("Canberra, Australia", []),  # a town the registry also files as a company is still a town
])
def test_organisation_classes_of_real_affiliation_lines(entry, expected):
    from pipeline.names import institutions as inst

    assert inst.organisations([entry]) == expected


def test_a_word_broken_at_a_lines_end_is_read_whole(tmp_path):
    """'Telecommu-' / 'nications': the typesetter's hyphen at a line's end is no part of the name,
    which is read, published and shown to the model whole."""
    rows = [(PAPER_TITLE, 16, "c", 80), ("Mira Castellan^1 Tobias Rennick^2", 11, "c", 105),
            ("^1Orchard University of Posts and Telecommu-", 10, 200, 120),
            ("nications, Lisbon ^2Tidewater Institute of Tech-", 10, 200, 132), ("nology, Porto", 10, 200, 144)]
    paper = read_pages(tmp_path, [rows + abstract_rows(180)])
    assert paper.institutions == ["Orchard University of Posts and Telecommunications", "Tidewater Institute of Technology"]
    assert "Telecommunications" in paper.header_text and "Technology" in paper.header_text


def test_a_teaser_figures_labels_beside_the_affiliations_are_no_organisations(tmp_path):
    """A figure right under the e-mail line: its labels ('<METHOD>   Low', 'Ours', 'Bitrate') are
    set in cells like an affiliation grid's, but they end at the figure's caption."""
    rows = [("LNTRN: Quiet Lanterns for Sparse Routing", 16, "c", 80), ("Mira Castellan^1 Tobias Rennick^2", 11, "c", 105),
            ("^1Orchard University ^2Tidewater Institute of Technology", 10, "c", 120),
            ("{mira, tobias}@orchard.example", 9, "c", 134),
            ("LNTRN", 7, 120, 160), ("Low", 7, 400, 160), ("Mid", 7, 400, 172), ("Ours", 7, 120, 184), ("High", 7, 400, 184),
            ("Bitrate (KB/Frame)", 7, 250, 210),
            ("Figure 1: Lanterns lit across a long document at three rates.", 9, 90, 230)] + abstract_rows(260)
    paper = read_pages(tmp_path, [rows])
    assert paper.institutions == ["Orchard University", "Tidewater Institute of Technology"]


def test_a_wide_set_chinese_abstract_heading_ends_the_header(tmp_path):
    """'摘      要' set with a wide gap: the header ends there, so a paper that prints no author and
    no institution is read as naming nobody, not as a layout the rules missed."""
    rows = [("稀疏灯笼的注意力调度研究", 18, "c", 90), ("摘", 11, 250, 130), ("要", 11, 330, 130),
            ("本文研究如何在长文档中以稀疏的方式点亮注意力，在不损失准确率的情况下显著降低显存占用。", 10, 80, 150),
            ("实验覆盖从短问答到整本书长度的输入，结果表明该调度方法在各项基准上都能保持稳定的表现。", 10, 80, 166)]
    path = tmp_path / "p.pdf"
    draw(path, rows)  # the Chinese text in the project's embedded CJK font
    paper = read_metadata(extract(path))
    assert paper.title == "稀疏灯笼的注意力调度研究"
    assert "本文研究" not in paper.header_text
    assert paper.abstract.startswith("本文研究如何")
    assert paper.institutions == [] and paper.confidence["institutions"].confidence == 1.0


@pytest.mark.parametrize("below_title", [("No Institute Given", 10, "c", 110), ("1", 9, 300, 110)])
def test_a_header_that_names_nobody_is_not_doubted(tmp_path, below_title):
    """The template's blank ('No Institute Given') or a page number under the title: nobody is
    named, and nothing was missed."""
    rows = [(PAPER_TITLE, 16, "c", 80), below_title] + abstract_rows(160)
    paper = read_pages(tmp_path, [rows])
    assert paper.institutions == [] and paper.confidence["institutions"].confidence == 1.0


@pytest.mark.parametrize(("name", "reads"), [
    ("数据 201 林晓岚", False),  # a class code and a student's name
    ("本文针对某企业在生产电子产品过程中所面临的问题", False),  # the abstract's first sentence
    ("Research Funds for the Central Lanterns", False),  # a grant a funding note names
    ("清澜大学", True), ("灯塔研究中心", True), ("Orchard Systems", True),
])
def test_what_reads_as_an_organisation(name, reads):
    from pipeline.names import institutions as inst

    assert inst.reads_as_organisation(name) is reads


def test_the_notes_get_the_room_the_header_above_leaves(tmp_path):
    """A long funding note first, then five affiliation notes: with a short header above them,
    every affiliation note reaches the block the model reads."""
    rows = IEEE_HEAD + two_column_body(315, 480, 40) + [(text, 10, 320, y) for text, _, _, y in two_column_body(315, 740, 320)]
    funding = [("This work was supported in part by the Lantern Science Foundation under Grant 0001/2031/QL;", 8, 40, 493 + 8 * i)
               for i in range(9)]
    rows += funding + IEEE_NOTES
    path = tmp_path / "p.pdf"
    draw(path, rows, matrix_font=True)
    paper = read_metadata(extract(path))
    assert "Portugal, and also with the Tidewater Institute of Technology, Porto 4000, Portugal." in paper.header_text


def test_an_academy_institute_named_after_its_town_keeps_the_academy():
    from pipeline.names import institutions as inst

    assert inst.organisations(["Northlake Institute of Tidal Studies, Chinese Academy of Sciences, Northlake 200050"]) == [
        "Northlake Institute of Tidal Studies, Chinese Academy of Sciences"]


@pytest.mark.parametrize(("entry", "expected"), [
    ("NKG, CN", []),  # a city's code and a country's code: an ACM place line
    ("Southeast University, NKG, CN", ["Southeast University"]),
    ("MIT, US", ["MIT"]),  # an organisation the table knows, and its country
    ("Lanternville, California, USA.", []),  # a town, its state and its country
    ("Orchard University, Lanternville, Portugal", ["Orchard University"]),
    ("Informatics School of Xiamen University", ["Xiamen University"]),  # a school named before its university
    ("Peking University Shenzhen Graduate School", ["Peking University"]),  # a university's school named after it
    ("Peking University Third Hospital", ["Peking University Third Hospital"]),  # a hospital is its own
])
def test_place_lines_and_schools_named_with_their_university(entry, expected):
    from pipeline.names import institutions as inst

    assert inst.organisations([entry]) == expected


def test_an_is_also_with_note_under_an_author_grid_adds_its_organisation(tmp_path):
    rows = [(PAPER_TITLE, 16, "c", 80), ("Mira Castellan", 11, 150, 105), ("Tobias Rennick", 11, 380, 105),
            ("Orchard University", 10, 150, 120), ("Tidewater Institute of Technology", 10, 380, 120)]
    rows += abstract_rows(170) + [("1 INTRODUCTION", 10, 90, 330)] + two_column_body(345, 560, 40)
    rows += [("Tobias Rennick is also with the Harbour Quiet Systems Lab, Porto, Portugal.", 7, 40, 700)]
    paper = read_pages(tmp_path, [rows])
    assert paper.institutions == ["Orchard University", "Tidewater Institute of Technology", "Harbour Quiet Systems Lab"]


@pytest.mark.parametrize(("rows", "authors"), [
    # a name wrapped at its cell's end, with another column beside it
    ([("Mira Castellan, Tobias Rennick, Ilse", 11, 60, 105), ("Ada Quill", 11, 380, 105),
      ("Marrow", 11, 60, 119), ("Harbour Quiet Systems Inc., Portugal", 10, 380, 119)],
     ["Mira Castellan", "Tobias Rennick", "Ilse Marrow", "Ada Quill"]),
    # initials at a line's end, the family name on the next line
    ([("Mira Castellan, Tobias Rennick, P. N.", 11, "c", 105), ("Suganthan", 11, "c", 119),
      ("Orchard University", 10, "c", 134)],
     ["Mira Castellan", "Tobias Rennick", "P. N Suganthan"]),
    # a name broken after its particle, and a first name alone before the rest of the byline
    ([("Mira Castellan, Tobias Rennick, Lena van", 11, 72, 105), ("Kuppen, Ana Duarte, Kjartan", 11, 72, 119),
      ("Bram Oakes, and Ilse Marrow", 11, 72, 133), ("Orchard University", 10, 72, 150)],
     ["Mira Castellan", "Tobias Rennick", "Lena van Kuppen", "Ana Duarte", "Kjartan Bram Oakes", "Ilse Marrow"]),
])
def test_a_name_wrapped_at_a_lines_end_is_one_author(tmp_path, rows, authors):
    paper = read_pages(tmp_path, [[(PAPER_TITLE, 16, "c", 80), *rows] + abstract_rows(170)])
    assert paper.authors == authors


def test_a_class_code_and_a_major_before_a_students_name_are_no_authors(tmp_path):
    rows = [("稀疏灯笼的注意力调度研究", 18, "c", 90), ("数据 201 林晓岚", 11, "c", 120), ("15 通信工程 王北辰", 11, "c", 136),
            ("摘要", 11, "c", 170),
            ("本文研究如何在长文档中以稀疏的方式点亮注意力，在不损失准确率的情况下显著降低显存占用。", 10, 80, 190)]
    path = tmp_path / "p.pdf"
    draw(path, rows)
    assert read_metadata(extract(path)).authors == ["林晓岚", "王北辰"]


def test_a_bracketed_nickname_is_a_persons_name(tmp_path):
    rows = [(PAPER_TITLE, 16, "c", 80), ("Mira (Mimi) Castellan, Tobias Rennick", 11, "c", 105),
            ("Orchard University", 10, "c", 120)] + abstract_rows(170)
    paper = read_pages(tmp_path, [rows])
    assert paper.authors == ["Mira (Mimi) Castellan", "Tobias Rennick"]
    assert paper.confidence["authors"].confidence == 1.0


def test_a_summary_heading_alone_on_its_line_heads_the_abstract(tmp_path):
    rows = [(PAPER_TITLE, 16, "c", 80), ("Mira Castellan", 11, "c", 105), ("Orchard University", 10, "c", 120)]
    paper = read_pages(tmp_path, [rows + abstract_rows(170, heading="Summary")])
    assert paper.abstract.startswith("We study how small lanterns")


def test_a_name_the_text_layer_split_is_published_as_the_registry_spells_it():
    from pipeline.names.organisation_table import registry_forms

    assert registry_forms(["Ts inghua University", "Bei hang University", "Orchard University"], "") == [
        "Tsinghua University", "Beihang University", "Orchard University"]


def test_an_affiliation_column_beside_a_summary_abstract_reads_whole(tmp_path):
    """A journal page setting the affiliation in a narrow column beside the abstract headed "Summary":
    the column's lines are the header's, a registry name wrapped across them ('... Texas Rio' /
    'Grande Valley') reads as one, and the correspondence block under it adds no author."""
    rows = [(PAPER_TITLE, 16, 45, 110), ("Mira Castellan", 11, 45, 175), ("Tobias Rennick", 11, 160, 175),
            ("Summary", 10, 210, 222)]  # the text layer holds the abstract's column before the narrow one
    rows += [("We study how small lanterns of attention can be lit across long documents without paying", 9, 210, y)
             for y in range(236, 330, 12)]
    rows += [("Department of Electrical and Computer", 8, 45, 213), ("Engineering, The University of Texas Rio", 8, 45, 222),
             ("Grande Valley, Edinburg, Texas, USA", 8, 45, 234)]
    rows += [("Correspondence", 8, 45, 262), ("Mira Castellan, Department of Electrical", 8, 45, 272),
             ("and Computer Engineering, Orchard", 8, 45, 282), ("Email: mira@orchard.example", 8, 45, 292)]
    paper = read_pages(tmp_path, [rows])
    assert paper.institutions == ["The University of Texas Rio Grande Valley"]
    assert paper.authors == ["Mira Castellan", "Tobias Rennick"]
    assert paper.abstract.startswith("We study how small lanterns")


def test_an_editor_line_names_no_author(tmp_path):
    rows = [(PAPER_TITLE, 16, "c", 80), ("Mira Castellan", 11, "c", 105), ("Orchard University", 10, "c", 120),
            ("Editor: Tobias Rennick and Ilse Marrow", 10, "c", 140)] + abstract_rows(180)
    paper = read_pages(tmp_path, [rows])
    assert paper.authors == ["Mira Castellan"] and paper.institutions == ["Orchard University"]


def test_a_name_printed_with_a_comma_inside_it_is_one_organisation():
    """'University of Technology, Sydney': the registry's name, with a comma where the page prints one;
    a named university and its town ('Purdue University, West Lafayette') stay the university."""
    from pipeline.names import institutions as inst

    assert inst.organisations(["School of Computing, University of Technology, Sydney, Australia"]) == [
        "University of Technology, Sydney"]
    assert inst.organisations(["Purdue University, West Lafayette, IN"]) == ["Purdue University"]



def test_a_reports_link_buttons_name_no_organisation(tmp_path):
    """'Homepage   GitHub   Hugging Face' under a company report's byline: link buttons, not organisations,
    and left out of the block the model reads."""
    rows = [(PAPER_TITLE, 16, "c", 80), ("Orchard Systems Inc.", 11, "c", 110),
            ("Homepage", 9, 200, 130), ("GitHub", 9, 295, 130), ("Hugging Face", 9, 370, 130)] + abstract_rows(170)
    paper = read_pages(tmp_path, [rows])
    assert paper.institutions == ["Orchard Systems Inc."]
    assert "Hugging Face" not in paper.header_text
    assert paper.confidence["institutions"].confidence == 1.0


def test_affiliation_letters_set_in_the_names_size_are_marks(tmp_path):
    """'Tobias Rennick b,n' with the letters in the text's own size (an Elsevier star that extracts
    as 'n'): the letters are marks, the name is an author."""
    rows = [(PAPER_TITLE, 16, "c", 80), ("Mira Castellan a , Tobias Rennick b,n, Ilse Marrow a", 11, "c", 105),
            ("a Orchard University, Lisbon, Portugal", 9, "c", 122), ("b Tidewater Institute of Technology, Porto, Portugal", 9, "c", 134)]
    paper = read_pages(tmp_path, [rows + abstract_rows(170)])
    assert paper.authors == ["Mira Castellan", "Tobias Rennick", "Ilse Marrow"]


def test_entries_with_grouped_addresses_a_lower_case_company_and_a_current_affiliation_note(tmp_path):
    """An IEEE conference header: each symbol-marked entry ends with its authors' grouped address
    ('Japan. {ada, bo}@<host>'), one company's name is in lower case ('lanternworks Inc.'), and a
    note names where an author is now ('The current affiliation of B. Oakes is <University>'). Each
    is an organisation of the paper; no address piece is."""
    rows = [("Quiet Lanterns for Sparse Routing in Long Documents", 20, "c", 80),
            ("Ada Quill^{*}, Bram Oakes^{†}, Cora Lind^{‡}", 11, "c", 110),
            ("^{*}Orchard Institute of Information Technology, Japan. {ada, cora}@orchard.example", 9, "c", 128),
            ("^{†}Tidewater University, Japan. {bram, dov}@tidewater.example", 9, "c", 140),
            ("^{‡}lanternworks Inc., Japan. {cora}@lanternworks.example", 9, "c", 152),
            ("Abstract—We study how small lanterns of attention can be lit across long documents.", 8, 60, 180)]
    rows += [("1 INTRODUCTION", 10, 40, 310)] + two_column_body(325, 560, 40) + two_column_body(325, 700, 320)
    rows += [("^{†}The current affiliation of B. Oakes is Harbor University, Japan.", 8, 40, 640)]
    paper = read_drawn(tmp_path, rows)
    assert paper.institutions == ["Orchard Institute of Information Technology", "Tidewater University", "lanternworks Inc.",
                                  "Harbor University"]


def test_an_mdpi_entry_ending_with_an_address_is_an_affiliation(tmp_path):
    """MDPI: the byline, then '<Unit>, <University>, <Town> <Code>, <Country>; <name>@<host>' on one
    line, then '* Correspondence: …': the line is an affiliation, though it holds an address."""
    rows = [("Article", 10, 36, 106), ("Quiet Lanterns for Sparse Routing in Long Documents", 18, 36, 119),
            ("Ada Quill * and Bram Oakes", 10, 36, 160),
            ("School of Lantern Science, Orchard University, Lisbon 1100, Portugal; bram.oakes@orchard.example", 8, 167, 181),
            ("* Correspondence: ada.quill@orchard.example", 8, 166, 192)]
    rows += [(t, 9, 166, y + 30, *f) for t, _s, _x, y, *f in abstract_rows(200)]
    paper = read_drawn(tmp_path, rows)
    assert paper.institutions == ["Orchard University"] and paper.authors == ["Ada Quill", "Bram Oakes"]


def test_a_run_of_marked_notes_reads_a_one_word_organisation(tmp_path):
    """ICML: the affiliations are marked notes at the foot of the first column, one run
    ('^1Tidewater Institute of Technology ^2Orchardia ^3Harbor Polytechnic'): a one-word name among
    them is an organisation like its neighbours, though it carries no organisation word."""
    rows = [("Quiet Lanterns for Sparse Routing in Long Documents", 14, "c", 90),
            ("Mira Castellan^1 Tobias Rennick^2 Ana Duarte^3", 10, "c", 160),
            ("Abstract", 11, 150, 200)] + two_column_body(215, 560, 40) + two_column_body(215, 700, 320)
    rows += [("^1Tidewater Institute of Technology ^2Orchardia ^3Harbor Polytechnic. Correspondence", 8, 40, 620),
             ("to: Mira Castellan <mira@orchard.example>.", 8, 40, 630)]
    paper = read_drawn(tmp_path, rows)
    assert paper.institutions == ["Tidewater Institute of Technology", "Orchardia", "Harbor Polytechnic"]


def test_a_town_and_its_country_under_an_ieee_block_is_no_author(tmp_path):
    """IEEE: author blocks in columns, each '<Name>' / '<Unit>' / '<University>' / '<Town>, <Country>'
    / 'Email: …', each line centred in its column; a block in the second row starts after them.
    '<Town>, <Country>' is the block's address, never a name, so the authors are the four names."""
    rows = [("Quiet Lanterns for Sparse Routing in Long", 24, 60, 33), ("Documents", 24, 197, 60),
            ("Mira Castellan", 9.1, 93, 98), ("Tobias Katharina Alessia Rennick", 9.1, 240, 98), ("Ana Duarte", 9.1, 451, 98),
            ("Department of Lantern Science and", 9.1, 49, 109), ("Leysina American School", 9.1, 254, 109),
            ("Department of Optics Science", 9.1, 414, 109), ("Information Engineering", 9.1, 72, 119),
            ("Leysina, Switzerland", 9.1, 263, 119), ("National Harbor University", 9.1, 419, 119),
            ("National Orchard University", 9.1, 73, 129), ("Email: tobias@las.example", 9.1, 249, 129),
            ("Tainana, Taiwan", 9.1, 450, 129), ("Yilana, Taiwan", 9.1, 91, 140), ("Email: ana@harbor.example", 9.1, 414, 140),
            ("Email: mira@orchard.example", 9.1, 55, 152), ("Lena Moreau, Senior Member, IEEE", 9.1, 45, 177),
            ("Department of Lantern Science and", 9.1, 49, 187), ("Information Engineering", 9.1, 72, 197),
            ("National Orchard University", 9.1, 73, 208), ("Yilana, Taiwan", 9.1, 91, 218), ("Email: lena@orchard.example", 9.1, 69, 228),
            ("Abstract— We study how small lanterns of attention can be lit", 9.1, 58, 250),
            ("across long documents without paying for the whole.", 9.1, 46, 261)]
    paper = read_drawn(tmp_path, rows)
    assert paper.authors == ["Mira Castellan", "Tobias Katharina Alessia Rennick", "Ana Duarte", "Lena Moreau"]


def test_an_organisation_on_the_line_under_another_starts_a_second_entry(tmp_path):
    """NeurIPS: under each name, '<Institute of Technology>, <Town>' then '<Company> Inc., <Country>':
    the second line opens with an organisation that is nobody's unit, so it is a second affiliation,
    not the end of the first (which would keep one name of the two)."""
    rows = [("Quiet Lanterns for Sparse Routing in Long Documents", 17, "c", 90),
            ("Mira Castellan", 10, 150, 140), ("Tobias Rennick", 10, 380, 140),
            ("Tidewater Institute of Technology, Porto", 10, 115, 152), ("Tidewater Institute of Technology, Porto", 10, 345, 152),
            ("Harbor Lantern Systems Inc., Portugal", 10, 115, 164),
            ("Harbor Lantern Systems Inc., Portugal", 10, 345, 164)] + abstract_rows(220)
    paper = read_drawn(tmp_path, rows)
    assert paper.institutions == ["Tidewater Institute of Technology", "Harbor Lantern Systems Inc."]


def test_a_teaser_figures_labels_under_the_affiliations_are_no_affiliations(tmp_path):
    """A teaser figure between the author grid and the abstract: after a wide gap, its boxes and
    labels are set far smaller than the affiliations ('Verification', 'Scene Graph', 'Answer'), so the
    header's affiliations end above it."""
    rows = [("Quiet Lanterns: Benchmarking Grounded Reasoning", 17, "c", 84)]
    for x, name in ((118, "Mira Castellan"), (282, "Tobias Rennick"), (441, "Ana Duarte")):
        rows += [(name, 12, x, 131), ("Orchard University", 10, x - 16, 156), ("Lisbon, Portugal", 10, x - 10, 168)]
    rows += [("1 Progress Reasoning", 7.5, 77, 218), ("Which step has been completed?", 5.8, 70, 228),
             ("Verification", 6.6, 189, 325), ("LLM Render", 6.6, 285, 325), ("Scene Graph", 6.6, 243, 354),
             ("Answer", 6.6, 333, 354), ("Figure 1: Lanterns and their reasoning steps.", 9, 72, 420)] + abstract_rows(450)
    paper = read_drawn(tmp_path, rows)
    assert paper.institutions == ["Orchard University"]


def test_an_acm_block_reads_the_university_apart_from_its_town_on_the_next_line(tmp_path):
    """ACM sigconf: '<Department>,' / 'Purdue University' / 'West Lafayette, IN, USA' under a name. The
    registry files the university as 'Purdue University West Lafayette', but the line under a whole
    name that ends in 'University' is its town, not the rest of its name."""
    rows = [("Quiet Lanterns: Fine-Grained Routing for Long Documents", 17, "c", 108),
            ("Mira Castellan", 11.7, 153, 154), ("Tobias Rennick", 11.7, 398, 154),
            ("Orchard Institute of Technology", 9.8, 110, 167), ("Department of Computer Science,", 9.8, 358, 167),
            ("Lisbon, Portugal", 9.8, 140, 179), ("Purdue University", 9.8, 389, 179),
            ("mira@orchard.example", 9.8, 130, 191), ("West Lafayette, IN, USA", 9.8, 377, 191)] + abstract_rows(240)
    assert read_drawn(tmp_path, rows).institutions == ["Orchard Institute of Technology", "Purdue University"]


def test_a_funding_note_under_the_affiliations_names_no_organisation(tmp_path):
    """IEEE Access: under the affiliations, 'This work was supported in part by the <Council> under
    Grant …, in part by the <Region> Science Foundation …' runs over several lines; the foundations it
    names fund the work, they are no affiliations."""
    rows = [("Quiet Lanterns for Sparse Routing in Long Documents", 20, 36, 90),
            ("MIRA CASTELLAN^1 AND TOBIAS RENNICK^2", 10, 36, 130),
            ("^1College of Information Science, Orchard University, Lisbon 1100, Portugal", 7.7, 36, 230),
            ("^2Big Data Centre, Tidewater University, Porto 4000, Portugal", 7.7, 36, 240),
            ("This work was supported in part by the National Lantern Council under Grant 62066016, in part by the Natural", 7.7, 36, 267),
            ("Science Foundation of Harbor Province, Portugal, under Grant 2020JJ5458, and in part by the Research", 7.7, 36, 277),
            ("Foundation of the Education Bureau of Harbor Province under Grant 18B317.", 7.7, 36, 286)]
    rows += [(t, 9, 36, y + 60, *f) for t, _s, _x, y, *f in abstract_rows(260)]
    assert read_drawn(tmp_path, rows).institutions == ["Orchard University", "Tidewater University"]
