"""Journal layouts that set a history block or a sidebar of notes near the header, one drawn page
each (every text here is invented): World Scientific's dates under the affiliations above an
unheaded abstract, Frontiers' sidebar of the editor, reviewers and dates beside an unheaded abstract
in a wide font, and a Word page whose title and byline are drawn after its body."""

from __future__ import annotations

import pytest
from test_journal_classes import paragraph, read

pytest.importorskip("reportlab")

OPENING = "Channel lanterns have been shown to improve the routing of long documents"  # shorter than a paragraph's line
PROSE = ("when their light is spread evenly over the page. Lantern attention adaptively weighs the importance of each "
         "line, deciding what to read first. However, it only encodes the order of lines and neglects where on the "
         "page each line stands, which decides where to look. To address this, we propose a quiet schedule that "
         "splits the page into strips, lights each strip on its own, and joins the strips again.")


def test_a_history_block_under_the_affiliations_ends_the_header(tmp_path):
    """'Received 27 May 2031 / Accepted … / Published …' under the affiliations: no date is an
    organisation, and the unheaded abstract starts at its own first line, though that line is
    shorter than a paragraph's."""
    rows = [("Quiet Decomposition of Lanterns in Long Documents", 14, "c", 90),
            ("Mira Castellan^1, Tobias Rennick^2 and Ilse Marrow^1", 10, "c", 120),
            ("^1School of Optics, Orchard University", 9, "c", 140), ("Lisbon 1000, Portugal", 9, "c", 152),
            ("^2Tidewater Institute of Technology", 9, "c", 166), ("Porto 4000, Portugal", 9, "c", 178),
            ("Received 27 May 2031", 9, "c", 206), ("Accepted 22 October 2031", 9, "c", 218),
            ("Published 31 January 2032", 9, "c", 230),
            (OPENING, 10, 100, 262)] + paragraph(275, x=100, text=PROSE, width=92)
    paper = read(tmp_path, rows)
    assert paper.institutions == ["Orchard University", "Tidewater Institute of Technology"]
    assert paper.abstract.startswith(OPENING)
    assert "Received" not in paper.header_text.splitlines()[-1]


SIDEBAR = [("Edited by:", 7, 100, 440), ("Sheraz Marlow,", 7, 96, 450), ("Harbour General Hospital,", 7, 66, 460),
           ("United States", 7, 100, 470), ("Reviewed by:", 7, 96, 485), ("Ana Lisle,", 7, 110, 495),
           ("Meadow Polytechnic, Iran", 7, 72, 505), ("*Correspondence:", 7, 90, 520), ("Mira Castellan", 7, 96, 530),
           ("Received: 30 January 2031", 7, 64, 550), ("Accepted: 21 June 2031", 7, 72, 560),
           ("Published: 05 July 2031", 7, 70, 570)]


def test_a_sidebar_of_editors_and_reviewers_names_none_of_the_papers(tmp_path):
    """Frontiers: the title flush left in the main column, an unheaded abstract in a font so wide
    that no line is a paragraph's length, and left of it, down the page, a sidebar naming the
    editor and reviewers with their hospitals and universities. They are neither authors nor the
    paper's institutions, and the abstract starts at its first line."""
    rows = [("Histograms of Quiet Lanterns", 20, 180, 130), ("Applied to Long Documents", 20, 180, 154),
            ("Mira Castellan*, Tobias Rennick and Ilse Marrow", 9, 180, 190),
            ("Department of Optics, Orchard University, Lisbon, Portugal", 7, 180, 210)]
    rows += paragraph(245, size=11, x=180, text=f"{OPENING} {PROSE} {PROSE}", width=78)
    paper = read(tmp_path, rows + SIDEBAR)
    assert paper.authors == ["Mira Castellan", "Tobias Rennick", "Ilse Marrow"]
    assert paper.institutions == ["Orchard University"]
    assert paper.abstract.startswith(OPENING)
    assert "Meadow Polytechnic" not in paper.header_text
    assert paper.confidence["institutions"].confidence == 1.0


def test_a_title_and_byline_drawn_after_the_body_are_read(tmp_path):
    """A Word page that draws its running head, abstract and body first, then its title, a smaller
    subtitle after the title's colon, and a lone author's line '<Name>, <Organisation>, <Country>'."""
    rows = [("International Journal of Quiet Lanterns", 7, 230, 35), ("Volume 12 - Issue 1", 7, 400, 45),
            ("ABSTRACT", 10, 63, 277)] + paragraph(298, x=63, text=f"{OPENING} {PROSE}", width=98)
    rows += [("INTRODUCTION", 10, 63, 480)] + paragraph(500, x=63, text=PROSE, width=98)
    rows += [("A Systematic Review of Quiet Lanterns in", 19, 63, 90), ("Long Document Routing:", 19, 63, 112),
             ("The Lack of a Common Schedule", 16, 63, 137), ("Mira Castellan, Universidad de la Bahia, Colombia*", 8, 63, 165)]
    paper = read(tmp_path, rows)
    assert paper.title == "A Systematic Review of Quiet Lanterns in Long Document Routing: The Lack of a Common Schedule"
    assert paper.authors == ["Mira Castellan"]
    assert paper.institutions == ["Universidad de la Bahia"]
