"""Layout classes of journals and manuscripts, one drawn page each (every text here is invented):
a manuscript's numbered affiliation list under a byline in the body's size, ACM's one author per line
in capitals above an unheaded abstract, a correspondence block under the affiliations, a journal's
labels beside its title, IEEE's grades in brackets and e-mails after each entry, a venue's notice in
an anonymous submission's footnote."""

from __future__ import annotations

import pytest
from pages import abstract_rows
from pages import draw as draw_page
from test_header_classes import draw_pages

from pipeline.extract.pdf import extract
from pipeline.metadata import read_metadata
from pipeline.names import institutions as inst

pytest.importorskip("reportlab")

SENTENCES = ("Recent efforts to route quiet lanterns with mobile technology have grown; however, the field lacks a shared "
             "pipeline for judging the impact of schedules on accuracy. This gap hinders replication. We offer one and "
             "show that it keeps accuracy on every benchmark we tried, from short questions to book-length inputs.")


def draw(path, rows: list[tuple], title: str = "") -> None:
    """One page: rows as `pages.draw` takes them; `title` goes in the PDF's Title metadata."""
    draw_pages(path, [rows], title)


def read(tmp_path, rows, title: str = ""):
    path = tmp_path / "p.pdf"
    draw(path, rows, title)
    return read_metadata(extract(path))


def paragraph(y: float, size: float = 10, x: float = 72, text: str = SENTENCES, width: int = 95) -> list[tuple]:
    lines, line = [], ""
    for word in text.split():
        if len(line) + len(word) > width:
            lines.append(line)
            line = ""
        line = f"{line} {word}".strip()
    return [(text_line, size, x, y + 1.3 * size * i) for i, text_line in enumerate(lines + [line])]


def test_a_manuscripts_byline_and_numbered_affiliation_list_are_read(tmp_path):
    """A word-processed manuscript: the byline in the body's size, a numbered list of affiliations
    ('1.  <Unit>, <Organisation>, <Town>, <Country>', two spaces after the number, entries wrapped),
    and no abstract heading: the names and every organisation are read, not taken for the abstract."""
    rows = [("Quiet Lanterns for Sparse Routing in Long Documents", 18, 72, 80),
            ("Mira Castellan^1, Tobias Rennick^2, Ana Duarte^3,4, Lena Moreau^4, Karl Vries^1,2", 11, 72, 120),
            ("1.  Department of Lantern Studies, Orchard University, Lisbon, Portugal", 11, 72, 160),
            ("2.  Division of Routing, Tidewater Institute of Technology, Porto,", 11, 72, 180),
            ("Portugal", 11, 90, 195),
            ("3.  Laboratory of Quiet Systems, Harbor Polytechnic, Faro, Portugal", 11, 72, 215),
            ("4.  Section of Schedules, Meadow College London, London, United Kingdom", 11, 72, 235)]
    paper = read(tmp_path, rows + paragraph(290, size=11))
    assert paper.authors == ["Mira Castellan", "Tobias Rennick", "Ana Duarte", "Lena Moreau", "Karl Vries"]
    assert paper.institutions == ["Orchard University", "Tidewater Institute of Technology", "Harbor Polytechnic",
                                  "Meadow College London"]
    assert not any(name.startswith((".", "1", "2", "3", "4")) for name in paper.institutions)
    assert "Meadow College London" in paper.header_text


def test_acm_capitals_one_author_per_line_over_an_unheaded_abstract(tmp_path):
    """acmsmall: '<GIVEN FAMILY>, <SHORT FORM>, <Country>' a line each, then the abstract with no
    heading, whose first line names 'technology': every author is counted, the abstract starts there."""
    rows = [("Quiet Lanterns for Sparse Routing", 14, 72, 80, "Times-Bold"),
            ("MIRA CASTELLAN,", 11, 72, 105), ("OUAT, Portugal", 11, 180, 105),
            ("TOBIAS RENNICK,", 11, 72, 119), ("Tidewater University, Portugal", 11, 170, 119),
            ("ANA DUARTE,", 11, 72, 133), ("OUAT, Portugal", 11, 150, 133)]
    paper = read(tmp_path, rows + paragraph(160, size=9, width=120))
    assert paper.authors == ["MIRA CASTELLAN", "TOBIAS RENNICK", "ANA DUARTE"]
    assert paper.abstract.startswith("Recent efforts to route quiet lanterns")
    assert not paper.confidence["institutions"].reason


def test_a_correspondence_block_names_no_new_author(tmp_path):
    """Frontiers prints 'Correspondence*:' and the corresponding author's name again under the
    affiliations: that name is not a second author."""
    rows = [("Quiet Lanterns for Sparse Routing", 18, 72, 80), ("Mira Castellan^1*", 11, 72, 110),
            ("Department of Lantern Studies, Orchard University, Lisbon, Portugal", 10, 72, 126),
            ("Correspondence*:", 10, 72, 150, "Times-Bold"), ("Mira Castellan", 10, 72, 163),
            ("castellan@example.org", 10, 72, 176)] + abstract_rows(220)
    paper = read(tmp_path, rows)
    assert paper.authors == ["Mira Castellan"] and paper.author_count == 1
    assert paper.institutions == ["Orchard University"]


def test_a_journals_labels_beside_its_title_are_not_the_title(tmp_path):
    """A Nature-style page sets 'OPEN' and the article type at the start of the title's lines, left
    of its column and smaller: labels, not words of the title. Set in the title's own size, the PDF's
    Title metadata still tells them apart."""
    title = "Quiet lanterns for sparse routing in long documents"
    byline = [("Mira Castellan & Tobias Rennick", 10, 240, 165)] + paragraph(190, size=9, x=240, width=60)

    def page(label_size: float) -> list[tuple]:
        return [("OPEN", label_size, 40, 100, "Times-Bold"), ("Quiet lanterns for sparse", 26, 240, 100),
                ("Data Descriptor", label_size * 0.8, 20, 130, "Times-Bold"), ("routing in long documents", 26, 240, 130)] + byline

    assert read(tmp_path, page(18)).title == title
    assert read(tmp_path, page(26), title=title).title == title
    assert read(tmp_path, page(26)).title.startswith("OPEN")  # the same size and no metadata: the page cannot tell


def test_ieee_grades_in_brackets_and_entries_with_their_emails(tmp_path):
    """IEEE Access: '<Name>(Senior Member, IEEE)2', a grade wrapped over two lines, and each entry
    followed by '(e-mail: <address>)' on its own line: every author and every organisation is read."""
    rows = [("Quiet Lanterns for Sparse Routing", 20, 72, 80),
            ("Mira Castellan^1 , Tobias Rennick(Senior Member, IEEE)^2 , Ana Duarte(Member,", 11, 72, 115),
            ("IEEE)^2 , Lena Moreau^1 and Karl Vries^1", 11, 72, 129),
            ("Orchard University, Rua Alta 12, Lisbon 1000, Portugal (e-mail: mira@orchard.example; lena@orchard.example)",
             8, 72, 150),
            ("Tidewater University, Porto 4000, Portugal (e-mail: tobias@tide.example)", 8, 72, 162)]
    paper = read(tmp_path, rows + abstract_rows(200))
    assert paper.authors == ["Mira Castellan", "Tobias Rennick", "Ana Duarte", "Lena Moreau", "Karl Vries"]
    assert paper.institutions == ["Orchard University", "Tidewater University"]


def test_an_ieee_grade_broken_after_its_first_word_names_nobody(tmp_path):
    """IEEE Transactions: '<Name>, Senior' at a line's end and 'Member, IEEE, and <Name>' on the
    next: the grade's first word is no fifth author."""
    rows = [("Quiet Lanterns for Sparse Routing", 20, 72, 80),
            ("Mira Castellan, Graduate Student Member, IEEE, Tobias Rennick, Senior Member, IEEE, Ana Duarte, Senior", 11, 72, 115),
            ("Member, IEEE, and Lena Moreau, Fellow, IEEE", 11, 72, 129)]
    paper = read(tmp_path, rows + abstract_rows(200))
    assert paper.authors == ["Mira Castellan", "Tobias Rennick", "Ana Duarte", "Lena Moreau"]


def test_a_copy_submitted_for_blind_review_is_anonymous(tmp_path):
    """LNCS's blind copy prints 'Submitted for blind review' where the names stand: nobody is
    named, and the empty header is no doubt."""
    rows = [("Quiet Lanterns for Sparse Routing", 17, 150, 100), ("Submitted for blind review", 10, 240, 140)]
    paper = read(tmp_path, rows + abstract_rows(200))
    assert paper.author_count == 0 and paper.institutions == []
    assert paper.confidence["institutions"].confidence == 1.0


def test_a_venues_notice_in_an_anonymous_submissions_footnote_is_no_affiliation(tmp_path):
    """'Submitted to <Conference>. Do not distribute.' at the foot of an anonymous submission names
    no organisation: nothing is dropped as 'not an organisation', so nothing is doubted."""
    rows = [("Quiet Lanterns for Sparse Routing", 17, 150, 100), ("Anonymous Author(s)", 10, 250, 140),
            ("Affiliation", 10, 270, 152), ("Address", 10, 272, 164), ("email", 10, 276, 176)] + abstract_rows(220)
    rows += [("Submitted to 41st Conference on Quiet Systems (QS 2031). Do not distribute.", 8, 108, 740)]
    paper = read(tmp_path, rows)
    assert paper.author_count == 0 and paper.institutions == []
    assert not paper.confidence["institutions"].reason


@pytest.mark.parametrize(("entry", "expected"), [
    # a state's or province's code between a town and its country is part of the address
    ("School of Psychology, Orchard University, Hawthorn 3122, VIC, Australia", ["Orchard University"]),
    ("Department of X, Orchard University, Kingston, ON, Canada", ["Orchard University"]),
    # a unit named '<Unit> da/of the <University>' in any language is that university, when the registry knows it
    ("Faculdade de Medicina da Universidade de São Paulo, São Paulo, Brazil", ["Universidade de São Paulo"]),
    ("Facultad de Ciencias de la Universidad de Buenos Aires, Buenos Aires, Argentina", ["Universidad de Buenos Aires"]),
    # a school of public health cited alone, as a school of medicine is; 'School of Public Health' alone is a unit
    ("Department of Biostatistics, Quayside Bloomberg School of Public Health, Baltimore, MD, USA",
     ["Quayside Bloomberg School of Public Health"]),
    ("School of Public Health, Orchard University, Lisbon, Portugal", ["Orchard University"]),
    # '<University> - <SHORT FORM>': a second organisation the registry knows by its short form
    ("Orchard University - CONICET, Rosario, Argentina", ["Orchard University", "CONICET"]),
])
def test_an_entrys_organisations_in_journal_forms(entry, expected):
    from pipeline.names import institutions as inst

    assert inst.organisations([entry]) == expected


GRAPHICAL_ABSTRACT = [("Graphical Abstract", 14, 72, 60, "Times-Bold"), ("Quiet Lanterns for Sparse Routing", 12, 72, 90),
                      ("Mira Castellan, Tobias Rennick", 10, 72, 110), ("[figure]", 10, 250, 300)]
PUBLISHER_NOTICE = [("Since January 2031 the Lantern Press has created a Quiet Systems resource centre with", 10, 60, 80),
                    ("free information on quiet routing. The resource centre is hosted on Lantern Connect.", 10, 60, 94),
                    ("The Lantern Press hereby grants permission to make all its related research available in", 10, 60, 120),
                    ("publicly funded repositories for unrestricted re-use, with acknowledgement of the source.", 10, 60, 134)]


ARTICLE_PAGE = [("Journal of Quiet Systems:", 14, 60, 60), ("Conference Series", 14, 60, 78), ("You may also like", 10, 380, 60),
                ("PAPER • OPEN ACCESS", 9, 60, 120), ("Quiet Lanterns for Sparse Routing", 16, 60, 140),
                ("To cite this article: Mira Castellan et al 2031 J. Quiet Syst.: Conf. Ser. 12 012009", 9, 60, 160),
                ("View the article online for updates and enhancements.", 9, 60, 175),
                ("This content was downloaded from IP address 192.0.2.7 on 03/03/2031 at 10:00", 8, 60, 760)]


JOURNAL_LINK_PAGE = [("Journal of Quiet Systems", 14, 60, 60), ("Quiet Lanterns for Sparse Routing", 16, 60, 120),
                     ("Mira Castellan & Tobias Rennick", 11, 60, 145),
                     ("To link to this article: https://doi.org/10.0000/quiet.2031.0001", 9, 60, 200),
                     ("Published with license by Lantern Press Group, LLC.", 9, 60, 230),
                     ("Submit your article to this journal", 9, 60, 270), ("Article views: 190", 9, 60, 290),
                     ("View related articles", 9, 60, 310)]


ISSUE_COVER = [("Volume 60", 9, 420, 40), ("Number 23", 9, 420, 52), ("Pages 3089–3206", 9, 420, 64),
               ("QuietComm", 40, 40, 200), ("Quiet Communications", 10, 40, 230), ("ISSN 1234-5678", 8, 250, 700),
               ("COMMUNICATION", 8, 300, 750), ("Mira Castellan et al.", 8, 300, 760),
               ("Quiet Lanterns for Sparse Routing", 8, 300, 770)]


@pytest.mark.parametrize("front", [GRAPHICAL_ABSTRACT, PUBLISHER_NOTICE, ARTICLE_PAGE, JOURNAL_LINK_PAGE, ISSUE_COVER],
                         ids=["graphical-abstract", "publisher-notice", "publisher-article-page", "journal-link-page", "issue-cover"])
def test_a_journals_front_page_is_passed_over_for_the_papers_own(tmp_path, front):
    """An Elsevier preprint's graphical-abstract page, a publisher's notice page: the paper's own
    page 1 follows, with the affiliations the front page lacks."""
    from test_header_classes import own_first_page

    path = tmp_path / "p.pdf"
    draw_pages(path, [front, own_first_page(), [("2 Related Work", 12, 60, 80)]])
    paper = read_metadata(extract(path))
    assert paper.title == "Quiet Lanterns for Sparse Routing"
    assert paper.institutions == ["Orchard University", "Tidewater Institute of Technology"]


def test_a_run_on_paragraph_of_entries_with_a_structured_abstract(tmp_path):
    """Frontiers: the entries run on as one paragraph in the notes' size, lines broken inside names
    ('Royal' / 'Tidewater Hospital'), and the abstract starts at 'Objective:' with no heading."""
    rows = [("Quiet Lanterns for Sparse Routing", 20, 72, 80),
            ("Mira Castellan^1, Tobias Rennick^2 and Ana Duarte^3", 9, 72, 110),
            ("^1Orchard Health, Lisbon, Portugal, ^2Department of Radiology, Royal", 7, 72, 126),
            ("Tidewater Hospital, Porto, Portugal, ^3School of Medicine, Harbor University, Faro, Portugal", 7, 72, 135),
            ("Objective: Quiet lanterns route attention across long documents without paying for the whole", 10, 72, 160),
            ("sequence. Methods: we light a sparse schedule and measure its memory on every benchmark we tried.", 10, 72, 173)]
    paper = read(tmp_path, rows)
    assert "Royal Tidewater Hospital" in paper.institutions and "Harbor University" in paper.institutions
    assert paper.abstract.startswith("Quiet lanterns route attention")


def test_a_chinese_journals_numbered_entries_in_brackets(tmp_path):
    """'(1. <单位> <学院>, <城市> <邮编>; 2. <单位> <中心>, <城市> <邮编>)': two organisations, numbers gone."""
    from pipeline.metadata.affiliations import _split_inline_markers

    entry = "(1. 清澜大学  信息工程学院,  杭州  310000;  2. 明湖实验室  网络研究中心,  苏州 215000)"
    assert [p.strip(" ;") for p in _split_inline_markers(entry)] == ["清澜大学 信息工程学院, 杭州 310000",
                                                                     "明湖实验室 网络研究中心, 苏州 215000"]
    wrapped = "（1.清澜大学信息工程系，杭州 310000；2.明湖实验室网络研究中心，苏州"  # full-width, its ')' on the next line
    assert [p.strip(" ；") for p in _split_inline_markers(wrapped)] == ["清澜大学信息工程系，杭州 310000", "明湖实验室网络研究中心，苏州"]


@pytest.mark.parametrize("line", ["[摘要] 本文研究静默灯笼在长文档中的稀疏路由", "【摘要】本文研究静默灯笼在长文档中的稀疏路由"])
def test_a_bracketed_chinese_abstract_heading_ends_the_header(line):
    from pipeline.metadata.abstract import _ABSTRACT_RE

    assert _ABSTRACT_RE.match(line)


@pytest.mark.parametrize(("entries", "expected"), [
    (["Computer Science Dept, Orchard University, Lisbon, Portugal"], ["Orchard University"]),
    (["Orchard University Medical School, Orchard University, Lisbon, Portugal"], ["Orchard University"]),
])
def test_a_unit_named_with_its_university_is_that_university(entries, expected):
    from pipeline.names import institutions as inst

    assert inst.organisations(entries) == expected


def test_a_publishers_rights_line_leaves_the_affiliations_to_the_notes(tmp_path):
    """Springer journals print '© The Author(s), under exclusive licence to <Publisher>, LLC' under
    the names and the affiliations in numbered notes at the foot: the rights line names nobody's
    organisation, so the notes are read."""
    rows = [("Quiet Lanterns for Sparse Routing", 17, 72, 100), ("Mira Castellan^1 · Tobias Rennick^2", 11, 72, 130),
            ("Received: 3 March 2031 / Accepted: 9 May 2031", 8, 72, 150),
            ("© The Author(s), under exclusive licence to Lantern Press Media, LLC, part of Lantern Nature 2031", 8, 72, 162)]
    rows += abstract_rows(200) + [("1 Introduction", 12, 72, 300, "Times-Bold")] + paragraph(320) + paragraph(420)
    rows += [("^1 School of Computing, Universiti Orchard Malaysia, Skudai, Malaysia", 8, 72, 700),
             ("^2 Tidewater University of Science and Technology, Islamabad, Pakistan", 8, 72, 712)]
    paper = read(tmp_path, rows)
    assert paper.institutions == ["Universiti Orchard Malaysia", "Tidewater University of Science and Technology"]
    assert not paper.confidence["institutions"].reason


def test_a_bilingual_header_names_each_organisation_once(tmp_path):
    """A Chinese journal prints names and affiliation in Chinese and again in English: the registry
    files '北京交通大学' and 'Beijing Jiaotong University' as one organisation, read once and not
    doubted as unread; a two-character name set with a space to line up ('郜 帅') is one name."""
    from pipeline.names import institutions as inst

    assert inst.organisations(["（北京交通大学电子信息工程学院 北京 100044）",
                               "（School of Electronic and Information Engineering, Beijing Jiaotong University, Beijing 100044）"]) \
        == ["北京交通大学"]
    from pipeline.metadata.confidence import unread_organisations

    assert unread_organisations("School of Electronic and Information Engineering, Beijing Jiaotong University", ["北京交通大学"]) == []
    from pipeline.metadata.authors import _split_run_of_names

    assert _split_run_of_names("柴若楠 郜 帅 兰江雨 刘宁春") == ["柴若楠", "郜帅", "兰江雨", "刘宁春"]


def test_one_author_a_line_with_the_organisation_after_a_comma(tmp_path):
    """A chapter's contributors: '<Given Family>, <Organisation>' a line, one of them with two
    ('<Company>, & University of <Town>'): every author counted, every organisation read; a byline
    '<Name>, <Name>, <Name>' is still a byline."""
    rows = [("Quiet Lanterns: Highlights of a Survey", 16, 72, 80),
            ("Mira Castellan, Orchard University", 11, 72, 110), ("Tobias Rennick, Tidewater Institute of Technology", 11, 72, 124),
            ("Ana Duarte, Lantern Measurement Solutions Group, & University of Faro", 11, 72, 138),
            ("Lena Moreau, Harbor University", 11, 72, 152), ("Citation", 11, 72, 180)] + abstract_rows(220)
    paper = read(tmp_path, rows)
    assert paper.authors == ["Mira Castellan", "Tobias Rennick", "Ana Duarte", "Lena Moreau"]
    assert {"Orchard University", "Tidewater Institute of Technology", "University of Faro", "Harbor University"} <= set(
        paper.institutions)
    byline = read(tmp_path, [("Quiet Lanterns for Sparse Routing", 16, 72, 80),
                             ("Mira Castellan, Tobias Rennick, Ana Duarte, Lena Moreau", 11, 72, 110),
                             ("Orchard University", 10, 72, 126)] + abstract_rows(200))
    assert byline.authors == ["Mira Castellan", "Tobias Rennick", "Ana Duarte", "Lena Moreau"]
    assert byline.institutions == ["Orchard University"]


def test_a_labs_subject_short_form_is_no_university():
    """'AI Accelerator, <Company> Inc': an acronym and a word is a university only when the word is
    a town ('KU Leuven'); a subject's short form before a common noun is a lab of the company."""
    from pipeline.names import institutions as inst

    assert inst.organisations(["AI Accelerator, Lanternworks Inc"]) == ["Lanternworks Inc"]
    assert inst.organisations(["Department of Physics, KU Leuven, Leuven, Belgium"]) == ["KU Leuven"]


@pytest.mark.parametrize("notice", [
    ["Copyright by the 16541", "International Federation of Quiet Control (IFQC)"],  # a proceedings' rights line, run on
    ["Peer review under responsibility of the Lantern Federation of Routing."],
    ["Authorized licensed use limited to: Orchard University. Downloaded on July 08, 2031 from Lantern Xplore."],
])
def test_a_rights_or_review_notice_names_no_unread_organisation(notice):
    """The header's notices name a publisher, a federation or a subscriber, not an affiliation the
    names read missed; nor do an author note's initials ('M. T')."""
    from pipeline.metadata.confidence import unread_organisations

    header = "\n".join(["Quiet Lanterns", "Mira Castellan   Tobias Rennick", "Tidewater University, Porto, Portugal",
                        "Correspondence concerning this article should be addressed to M. T; J. D", *notice])
    assert unread_organisations(header, ["Tidewater University"]) == []
    assert unread_organisations(header + "\nUniversity of Porto, Porto, Portugal", ["Tidewater University"]) == ["University of Porto"]


def test_prose_dropped_from_the_entries_is_no_doubt():
    """A sentence of the abstract or a notice run into the entries names no misread organisation:
    the institutions are not doubted for it, as they are for a dropped fragment."""
    from pipeline.metadata.confidence import doubts

    sentence = "as it does not currently have a standardized set of methods and it has become a concomitant development"
    common = dict(title="Quiet Lanterns for Sparse Routing", authors=["Mira Castellan"], count=1, anonymous=False,
                  kept=["Orchard University"], abstract="We study quiet lanterns " * 10, header="Orchard University")
    assert not doubts(dropped=[sentence], **common)["institutions"].reason
    assert doubts(dropped=["Mira Castellan Lab 12"], **common)["institutions"].reason.startswith("dropped")


def test_an_affiliation_column_beside_an_unheaded_abstract(tmp_path):
    """Wiley's template: the numbered affiliations in a narrow column on the left, the abstract with
    no heading in the wide column beside it. The column is read as the header's; the abstract starts
    at its own first words. A column of body text beside an unheaded paragraph names nobody."""
    abstract = paragraph(230, size=9, x=250, width=60)
    column = [("^1 Department of Routing, Orchard Lantern", 8, 40, 230), ("Institute, Lisbon, Portugal", 8, 40, 241),
              ("^2 School of Light, Tidewater", 8, 40, 260), ("University, Porto, Portugal", 8, 40, 271),
              ("Correspondence", 8, 40, 300, "Times-Bold"), ("Mira Castellan, Orchard Lantern Institute", 8, 40, 311)]
    rows = [("ORIGINAL ARTICLE", 9, 40, 60), ("Quiet Lanterns for Sparse Routing", 18, 40, 120),
            ("Mira Castellan^1 | Tobias Rennick^2", 11, 40, 160)]
    paper = read(tmp_path, rows + column + abstract)
    assert paper.institutions == ["Orchard Lantern Institute", "Tidewater University"]
    assert paper.abstract.startswith("Recent efforts to route quiet lanterns")
    body = [("We light the lanterns one at a time and", 9, 40, 230 + 11 * i) for i in range(6)]
    plain = read(tmp_path, rows + body + abstract)
    assert plain.institutions == [] and "We light the lanterns" not in " ".join(plain.affiliation_lines)


def test_a_wide_set_chinese_heading_with_its_text_on_the_line_ends_the_header(tmp_path):
    """'摘   要：<text>': the heading's two characters set apart, the abstract running on after them on
    the same line; the English title further down is not read as names."""
    from pages import draw as draw_cjk

    rows = [("静默灯笼在长文档中的稀疏路由", 16, "c", 80), ("林晓岚1，王志远1", 11, "c", 110),
            ("（1. 清澜大学信息工程学院，杭州 310000）", 9, "c", 128),
            ("摘", 9, 60, 160), ("要：本文研究静默灯笼在长文档中的稀疏路由，并在每个基准上保持精度。", 9, 100, 160),
            ("关键词：稀疏路由；长文档", 9, 60, 176),
            ("Quiet Lanterns for Sparse Routing in Long Documents", 12, "c", 220), ("Lin Xiaolan, Wang Zhiyuan", 10, "c", 240)]
    path = tmp_path / "p.pdf"
    draw_cjk(path, rows)
    paper = read_metadata(extract(path))
    assert paper.authors == ["林晓岚", "王志远"]
    assert paper.abstract.startswith("本文研究静默灯笼")


def test_a_journal_name_over_an_article_type_is_no_title(tmp_path):
    """MDPI sets the journal's name large, then the article type alone ('Letter'), then the title:
    the name above the type is a masthead."""
    rows = [("quiet systems", 21, 117, 57), ("Letter", 10, 76, 102), ("Quiet Lanterns for Sparse Routing in", 18, 76, 115),
            ("Long Documents", 18, 76, 135), ("Mira Castellan, Tobias Rennick *", 10, 76, 170),
            ("School of Light, Orchard University, Lisbon 1000, Portugal", 9, 82, 189)] + abstract_rows(240)
    paper = read(tmp_path, rows)
    assert paper.title == "Quiet Lanterns for Sparse Routing in Long Documents"
    assert paper.authors == ["Mira Castellan", "Tobias Rennick"]


def test_a_title_and_byline_drawn_after_the_body_are_read(tmp_path):
    """A word processor's page: the abstract and the body come first in the page's drawing order,
    the title and the byline last, though they stand above everything. The reader steps over body
    text after the first section heading; what is drawn above all it read before is header text."""
    body = [("I. INTRODUCTION", 10, 72, 330)] + paragraph(345, size=10) + paragraph(420, size=10)
    top = [("Quiet Lanterns on Sparse Routes for", 18, "c", 70), ("Long Documents in Small Rooms", 18, "c", 92),
           ("Mira Castellan^1, Tobias Rennick^2, Ana Duarte^1", 11, "c", 120)]
    foot = [("^1 The authors are with the Orchard University, Lisbon, Portugal.", 8, 72, 700),
            ("^2 The author is with the Tidewater Institute of Technology, Porto, Portugal.", 8, 72, 712)]
    paper = read(tmp_path, abstract_rows(160) + body + foot + top)
    assert paper.title == "Quiet Lanterns on Sparse Routes for Long Documents in Small Rooms"
    assert paper.authors == ["Mira Castellan", "Tobias Rennick", "Ana Duarte"]
    assert paper.institutions == ["Orchard University", "Tidewater Institute of Technology"]


def test_two_affiliations_joined_by_and_in_an_is_with_note_are_both_read(tmp_path):
    """IEEE Transactions notes joining two affiliations with a bare 'and' ('<Lab>, <Town> 518057 and
    <Unit>, <University>'; '…, <Country>, and the <Institute>'): each is read, a company's lab is not
    outranked by the university after it, and one institute printed as '<Institute>, <Academy>' and
    '<Institute> of <Academy>' in two notes is one organisation."""
    from test_header_classes import two_column_body

    rows = [("Quiet Lanterns for Sparse Routing", 22, "c", 70),
            ("Mira Castellan, Tobias Rennick, and Ilse Marrow", 11, "c", 100),
            ("Abstract—We study how small lanterns of attention can be lit across long documents.", 9, 60, 130),
            ("1 INTRODUCTION", 10, 40, 300)] + two_column_body(315, 540, 40)
    notes = ["M. Castellan is with the Institute of Lantern Physics, Chinese Academy of Sciences, Beijing",
             "100190, China. E-mail: mira@lantern.example.",
             "T. Rennick is with the Harbourlight AI Lab, Shenzhen 518057 and the School of Optics,",
             "Orchard University, Lisbon 1000, Portugal. E-mail: tobias@orchard.example.",
             "I. Marrow is with the Tidewater Institute of Technology, Porto 4000, Portugal, and the",
             "Institute of Lantern Physics of Chinese Academy of Sciences, Beijing 100190, China."]
    rows += [(text, 8, 40, 560 + 10 * i) for i, text in enumerate(notes)]
    paper = read(tmp_path, rows)
    assert paper.institutions == ["Institute of Lantern Physics, Chinese Academy of Sciences", "Harbourlight AI Lab",
                                  "Orchard University", "Tidewater Institute of Technology"]


def test_note_markers_at_the_texts_left_edge_are_no_line_numbers(tmp_path):
    """A Springer manuscript with narrow margins: the notes' markers stand at the text's left edge,
    inside the strip where review copies print line numbers, one under the other. They are the
    notes' markers (each note is one affiliation), not a column of line numbers."""
    rows = [("Quiet Lanterns for Sparse Routing", 16, 42, 80),
            ("Mira Castellan^1 · Tobias Rennick^2 · Ana Duarte^3", 11, 42, 110),
            ("Received: date / Accepted: date", 9, 42, 130)]
    rows += abstract_rows(160)
    rows += [(f"{name} E-mail: {mail}@lantern.example ·", 8, 42, 600 + 10 * i)
             for i, (name, mail) in enumerate([("M. Castellan", "mira"), ("T. Rennick", "tobias"), ("A. Duarte", "ana")])]
    for i, note in enumerate(["Department of Light, Orchard University", "Tidewater Institute of Technology",
                              "School of Routing, Harbor Polytechnic"]):
        rows += [("^" + str(i + 1), 6, 42, 640 + 10 * i), (note, 8, 48, 640 + 10 * i)]
    paper = read(tmp_path, rows)
    assert paper.institutions == ["Orchard University", "Tidewater Institute of Technology", "Harbor Polytechnic"]


def test_six_note_markers_one_under_another_at_the_foot_are_no_line_numbers(tmp_path):
    """A Springer manuscript's six numbered notes: their markers stand at the text's left edge and
    rise down the foot as a review copy's line numbers would, but only across the foot, not the
    page. Each note is an affiliation; a national facility is an organisation."""
    rows = [("Quiet Lanterns for Sparse Routing", 16, 72, 80),
            ("Mira Castellan^1,2 · Tobias Rennick^3 · Ana Duarte^4,5,6", 11, 72, 110)]
    rows += abstract_rows(160) + [("1 Introduction", 12, 72, 260)] + paragraph(280) + paragraph(350)
    rows += [("E-mail: mira@lantern.example", 8, 72, 630)]
    notes = ["Orchard Imaging, Orchard University, Lisbon, Portugal", "Portuguese National Imaging Facility, Portugal",
             "Department of Light, Orchard University, Lisbon, Portugal", "Tidewater Institute of Technology, Porto, Portugal",
             "School of Routing, Harbor Polytechnic, Faro, Portugal", "Orchard eResearch Centre, Orchard University, Lisbon, Portugal"]
    for i, note in enumerate(notes):
        rows += [("^" + str(i + 1), 6, 72, 650 + 10 * i), (note, 8, 77, 650 + 10 * i)]
    paper = read(tmp_path, rows)
    assert paper.institutions == ["Orchard University", "Portuguese National Imaging Facility",
                                  "Tidewater Institute of Technology", "Harbor Polytechnic"]


def test_a_title_beside_a_sidebar_that_runs_between_its_lines(tmp_path):
    """RSC: the title set flush left in the main column, whose lines the sidebar's ('Cite this: …',
    'Received …') fall between; the names under it, the affiliation in the left column's foot. The
    title is whole, and the sidebar names nothing."""
    rows = [("QuietComm", 20, 43, 54),
            ("Quiet lanterns differentially affect sparse", 16, 173, 148), ("routing of long documents in", 16, 172, 166),
            ("Cite this: Quiet Commun., 2031,", 7, 43, 173), ("60, 3138", 7, 43, 182), ("orchards and harbours", 16, 173, 185),
            ("Received 4th October 2030,", 7, 43, 196), ("Accepted 29th January 2031", 7, 43, 205),
            ("Mira Castellan, Tobias Rennick and Ana Duarte", 10, 173, 205),
            ("DOI: 10.0000/q1cc00001a", 7, 43, 223)]
    rows += paragraph(280, size=9, x=43, width=50) + paragraph(340, size=9, x=43, width=50) + paragraph(280, size=9, x=304, width=50)
    rows += [("Department of Light, Orchard University, Lisbon, Portugal.", 7, 43, 720),
             ("E-mail: mira@lantern.example", 7, 43, 729)]
    paper = read(tmp_path, rows)
    assert paper.title == "Quiet lanterns differentially affect sparse routing of long documents in orchards and harbours"
    assert paper.authors == ["Mira Castellan", "Tobias Rennick", "Ana Duarte"]
    assert paper.institutions == ["Orchard University"]


def test_a_subtitle_larger_than_the_byline_and_a_name_with_its_pinyin(tmp_path):
    """A Chinese working paper: a subtitle under the title in a size between the title's and the
    byline's, then '<汉字名> (<Pinyin Name>)': one author, named in Chinese."""
    rows = [("数字灯笼能否照亮稀疏路由？来自长文档的证据", 17, 126, 112), ("灯笼调度在不同文档长度上的异质性", 14, 149, 138),
            ("林晓岚 (Xiaolan Lin)", 12, 241, 197), ("独立研究员", 12, 277, 211), ("xiaolan@lantern.example", 12, 234, 227)]
    path = tmp_path / "p.pdf"
    draw_page(path, rows + abstract_rows(300))  # the Chinese text in the project's embedded CJK font
    paper = read_metadata(extract(path))
    assert paper.title == "数字灯笼能否照亮稀疏路由？来自长文档的证据"
    assert paper.authors == ["林晓岚"]


def test_an_affiliation_wrapped_after_the_article_is_one_name(tmp_path):
    """bioRxiv: '…, Center for Lanterns, The' / 'University of Orchard at Lisbon': the line ends on
    the name's article, so the university is 'The University of …', not 'The' and a second part."""
    rows = [("Quiet Lanterns for Sparse Routing", 18, 72, 80), ("Mira Castellan^1 and Tobias Rennick^1", 11, 72, 110),
            ("^1Dept. of Light; Center for Lantern Studies, The", 9, 72, 130), ("University of Orchard at Lisbon", 9, 72, 141)]
    paper = read(tmp_path, rows + abstract_rows(200))
    assert paper.institutions == ["The University of Orchard at Lisbon"]


def test_symbol_markers_set_in_the_texts_size_split_names_and_entries(tmp_path):
    """'<Name>^ <Name>', '<Name>△' and ', ^<Organisation>, △<Company>': markers that are symbols set in the
    text's own size, not raised, still end a name and start an entry (SIGCOMM-style bylines)."""
    from pages import draw_text_layer

    path = tmp_path / "p.pdf"
    rows = [("Quiet Lanterns for Sparse Routing", 18, "c", 80),
            ("Mira Castellan†, Tobias Rennick^ Ana Duarte†, Lena Moreau△", 11, "c", 110),
            ("† Orchard University, ^Harbor Polytechnic, △Lantern Works Ltd", 10, "c", 126)]
    draw_text_layer(path, rows + [row[:4] for row in abstract_rows(170)])
    paper = read_metadata(extract(path))
    assert paper.authors == ["Mira Castellan", "Tobias Rennick", "Ana Duarte", "Lena Moreau"]
    assert paper.institutions == ["Orchard University", "Harbor Polytechnic", "Lantern Works Ltd"]


def test_a_citation_line_above_the_title_does_not_make_it_a_journals_name(tmp_path):
    """A Chinese journal prints '【引用格式】<作者>. <题名>[J]. <刊名>' above the title: the title is
    repeated inside that line, as a journal's name would be inside its masthead, but it is the title."""
    rows = [("第 3 卷第 2 期    灯笼与路由    Vol. 3, No. 2", 10, 72, 64),
            ("【引用格式】林晓岚，周明远，等. 稀疏路由中的安静灯笼调度方法[J]. 灯笼与路由，2023，3（2）：11-19.", 9, 72, 100),
            ("稀疏路由中的安静灯笼调度方法", 21, 160, 150), ("林晓岚，周明远，陈思雨", 12, 230, 190),
            ("（清澜大学 信息工程学院，浙江 杭州 310000）", 10, 190, 210)]
    path = tmp_path / "p.pdf"
    draw_page(path, rows + abstract_rows(300))
    paper = read_metadata(extract(path))
    assert paper.title == "稀疏路由中的安静灯笼调度方法"
    assert paper.authors == ["林晓岚", "周明远", "陈思雨"]


def test_a_manuscripts_title_label_is_not_part_of_the_title(tmp_path):
    """A word-processed submission prints 'Title: <the title>' in the title's size: the label goes."""
    rows = [("Title: Quiet Lanterns for Sparse Routing in Long Documents", 16, 72, 80),
            ("Mira Castellan^1, Tobias Rennick^2", 11, 72, 120),
            ("1 Department of Light, Orchard University, Lisbon, Portugal", 10, 72, 140),
            ("2 Tidewater Institute of Technology, Porto, Portugal", 10, 72, 154)]
    paper = read(tmp_path, rows + paragraph(220, size=11))
    assert paper.title == "Quiet Lanterns for Sparse Routing in Long Documents"


def test_a_journals_history_sidebar_beside_the_summary_names_nobody(tmp_path):
    """JOSS and JOSE: the title, byline and affiliations flush left in the main column, and beside the
    'Summary' a sidebar of the journal's own (DOI, links, 'Submitted:', 'Published:', 'License'): no
    author and no organisation is read from it."""
    rows = [("Quiet Lanterns: A Python package for sparse routing", 17, 168, 140),
            ("Mira Castellan^1 and Tobias Rennick^2", 11, 168, 170),
            ("1 Orchard University, Lisbon, Portugal 2 Tidewater Institute of Technology, Porto, Portugal", 8, 168, 190),
            ("DOI: 10.0000/joss.00001", 8, 29, 230), ("Software", 8, 29, 246),
            ("Summary", 13, 168, 258), ("• Review", 9, 43, 262), ("• Repository", 9, 43, 274), ("• Archive", 9, 43, 286),
            ("Submitted: 01 March 2025", 8, 29, 306), ("Published: 02 April 2025", 8, 29, 318), ("License", 8, 29, 336),
            ("Creative Commons Attribution 4.0", 8, 29, 348)]
    rows += paragraph(276, size=10, x=168, width=70)
    paper = read(tmp_path, rows)
    assert paper.authors == ["Mira Castellan", "Tobias Rennick"]
    assert paper.institutions == ["Orchard University", "Tidewater Institute of Technology"]


def test_a_word_processed_title_page_with_labels_degrees_and_funding(tmp_path):
    """An accepted manuscript's title page, every line in one size and double-spaced: a publisher's
    notice above, 'Title:' over two lines, 'Author list:' with degrees and a name broken after its
    initial, the affiliation, then 'Funding:' naming funders. The labelled line is the title, the
    degrees are no part of a name, and no funder is an institution."""
    rows = [("This article has been accepted for publication in Quiet Journal published by", 12, 72, 75),
            ("Orchard Press on April 8, 2025, available online:", 12, 72, 90),
            ("Title: Quiet Lanterns in Sparse Routing: Predictors in a Nationally", 12, 72, 150),
            ("Representative Survey of Long Documents", 12, 72, 179),
            ("Author list: Mira Castellan MD, Tobias Rennick BA, Ana Duarte PhD, Lena M.", 12, 72, 216),
            ("Moreau MD, Karl Vries MD PhD", 12, 72, 245),
            ("Department of Light, Orchard University, Lisbon, Portugal", 12, 72, 283),
            ("Funding: This work was supported by the Tidewater Lantern Fund; the National Institute", 12, 72, 355),
            ("of Routing [R01AG000001]; and the Harbour Academy", 12, 72, 385),
            ("of Quiet Systems.", 12, 72, 414)]
    paper = read(tmp_path, rows + paragraph(470, size=12))
    assert paper.title == "Quiet Lanterns in Sparse Routing: Predictors in a Nationally Representative Survey of Long Documents"
    assert paper.authors == ["Mira Castellan", "Tobias Rennick", "Ana Duarte", "Lena M Moreau", "Karl Vries"]
    assert paper.institutions == ["Orchard University"]


def test_a_double_spaced_manuscripts_wrapped_entries_are_whole(tmp_path):
    """A line-numbered, double-spaced manuscript: each affiliation entry wraps over lines as far
    apart as every other line, its letter mark run into its first word ('cHarbor …'), and one entry
    names a second organisation after its address (', and <Unit>, <Organisation>, <Town>')."""
    rows = [("Quiet Lanterns for Sparse Routing in Long Documents", 14, 72, 80),
            ("Mira Castellan^1, Tobias Rennick^2, Ana Duarte^3", 12, 72, 110),
            ("aLantern Center, Department of Light, Orchard Institute for Quiet Studies", 12, 72, 140),
            ("University of Westmarch, Lisbon, CA 94143.", 12, 72, 170),
            ("bDepartment of Routing, University of Westmarch, Lisbon, CA 94143, and Division of", 12, 72, 200),
            ("Routing, Tidewater Veterans Health Care System, Faro, CA 94553.", 12, 72, 230),
            ("cHarbor Neuroscience Institute and Meadow School of Business, Eastbrook University", 12, 72, 260),
            ("Porto, CA 94720.", 12, 72, 290)]
    paper = read(tmp_path, rows + paragraph(340, size=12))
    assert paper.institutions == ["University of Westmarch", "Tidewater Veterans Health Care System", "Eastbrook University"]


def test_a_subject_printed_under_each_name_is_no_author(tmp_path):
    """TMLR-style entries: a name with its e-mail far right, then its unit's subject ('Mathematics and
    Computer Science') and its laboratory. The subject's words are no people."""
    rows = [("Quiet Lanterns for Sparse Routing in Long Documents", 17, 72, 90)]
    for top, name in ((140, "Mira Castellan"), (184, "Tobias Rennick")):
        rows += [(name, 10, 72, top), (f"{name.split()[0].lower()}@orchard.example", 10, 400, top),
                 ("Mathematics and Computer Science", 10, 72, top + 12), ("Orchard National Laboratory", 10, 72, top + 24)]
    paper = read(tmp_path, rows + [("Abstract", 12, "c", 260)] + paragraph(280, x=100, width=80))
    assert paper.authors == ["Mira Castellan", "Tobias Rennick"]
    assert paper.institutions == ["Orchard National Laboratory"]


@pytest.mark.parametrize(("first", "second", "broken"), [
    ("Mira Castellan^1, Tobias Rennick^2, Lena Moreau^1, Karl", "R. Vries^2", "Karl R. Vries"),
    ("Mira Castellan^1, Tobias Rennick^2, Lena Moreau^1, Karl R.", "Cruz Vries^2", "Karl R. Cruz Vries"),
])
def test_a_name_broken_over_two_byline_lines_is_one_author(tmp_path, first, second, broken):
    """A byline wrapped inside a name, before or after its middle initial: the line that ends it
    holds the rest of one name, not another author."""
    rows = [("Quiet Lanterns for Sparse Routing in Long Documents", 17, 72, 90), (first, 11, 72, 130), (second, 11, 72, 145),
            ("1 Orchard University, Lisbon, Portugal", 9, 72, 170), ("2 Harbor Polytechnic, Faro, Portugal", 9, 72, 182)]
    paper = read(tmp_path, rows + [("Abstract", 12, "c", 220)] + paragraph(240, x=100, width=80))
    assert [a.replace(".", "") for a in paper.authors] == ["Mira Castellan", "Tobias Rennick", "Lena Moreau", broken.replace(".", "")]
    assert paper.author_count == 4


def test_author_blocks_joined_by_a_line_of_and_are_read_apart(tmp_path):
    """JACM and SIAM set each author over their affiliation and join the blocks with a line 'AND':
    the name under it begins a block of its own, and a Nordic institute ('Forskningsinstitutt') is an
    organisation. An Elsevier history line ('Available online <date>') under the entries is none."""
    rows = [("A Quiet Algorithm for Lantern Routing", 16, 72, 80), ("MIRA CASTELLAN", 10, 72, 110),
            ("Fjordlys Forskningsinstitutt, Kjeller, Norway", 9, 72, 123), ("AND", 10, 72, 143),
            ("TOBIAS RENNICK", 10, 72, 163), ("Orchard University, Lisbon, Portugal", 9, 72, 176),
            ("Available online 19 December 2030", 9, "c", 196)]
    paper = read(tmp_path, rows + [("Abstract", 12, "c", 230)] + paragraph(250, x=100, width=80))
    assert [a.title() for a in paper.authors] == ["Mira Castellan", "Tobias Rennick"]
    assert paper.institutions == ["Fjordlys Forskningsinstitutt", "Orchard University"]


def test_an_apa_manuscript_typed_double_spaced_is_read(tmp_path):
    """An APA manuscript: everything in one size, a running head in capitals with the page number in
    a cell of its own, a title over two lines typed double-spaced, a byline whose marks are typed
    superscript digits ('Castellan¹'), and one affiliation a line under it."""
    rows = [("QUIET LANTERNS IN LONG DOCUMENTS", 12, 72, 28), ("1", 12, 535, 28),
            ("Quiet Lanterns Revisited: Learnings from Routing Sparse Attention", 12, "c", 123),
            ("with Gold-Standard Schedules", 12, "c", 150),
            ("Mira Castellan¹, Tobias Rennick², Ana Duarte²,³, and Lena Moreau³", 12, "c", 203),
            ("¹Institute of Optics, Orchard University", 12, "c", 228), ("²Department of Routing, Harbor Polytechnic", 12, "c", 251),
            ("³Faculty of Schedules, Meadow College London", 12, "c", 273), ("Author Note", 12, "c", 330)]
    paper = read(tmp_path, rows + paragraph(360, size=12, width=80))
    assert paper.title == "Quiet Lanterns Revisited: Learnings from Routing Sparse Attention with Gold-Standard Schedules"
    assert paper.authors == ["Mira Castellan", "Tobias Rennick", "Ana Duarte", "Lena Moreau"]
    assert paper.institutions == ["Orchard University", "Harbor Polytechnic", "Meadow College London"]


def test_jmlr_author_blocks_and_a_notes_contact_sentence(tmp_path):
    """JMLR: each author's name with the e-mail far right, then the unit, organisation and address a
    line each; the next name starts a new block, not a line of the address above. A footnote's entry
    '<School>, <University>, <Campus>. Contact: <address>' names the university with its campus."""
    rows = [("Quiet Lanterns for Sparse Routing in Long Documents", 17, "c", 90),
            ("Mira Castellan", 11, 72, 130), ("MIRA @ ORCHARD . EDU", 10, 420, 130), ("Orchard University", 11, 72, 143),
            ("12 Lantern Way, Lisbon, Portugal", 11, 72, 156),
            ("Tobias Rennick", 11, 72, 175), ("TOBIAS @ HARBOR . EDU", 10, 420, 175), ("Information Systems Engineering", 11, 72, 188),
            ("Harbor Polytechnic", 11, 72, 201), ("Faro, Portugal", 11, 72, 214), ("Editor: Lena Moreau", 11, "c", 240)]
    paper = read(tmp_path, rows + [("Abstract", 12, "c", 270)] + paragraph(290, x=100, width=80))
    assert paper.authors == ["Mira Castellan", "Tobias Rennick"]
    assert paper.institutions == ["Orchard University", "Harbor Polytechnic"]
    entry = "Rady School of Management, University of California, San Diego. Contact: mira@orchard.example"
    assert inst.organisations([entry]) == ["University of California, San Diego"]


def test_a_bmc_affiliation_column_beside_the_abstract_is_read(tmp_path):
    """BMC: the 'Abstract' heading stands alone on its line at the head of the right column; the
    affiliation is set small in the left column beside the abstract's first lines."""
    rows = [("Quiet Lanterns: a package that routes", 24, 58, 128), ("sparse attention", 24, 58, 154),
            ("Mira Castellan^1* and Tobias Rennick^2", 11, 58, 199), ("*Correspondence:", 7, 58, 234),
            ("mira@orchard.example", 7, 58, 243), ("Abstract", 10, 189, 251),
            ("^1Institute of Optics,", 7, 58, 262), ("Orchard University, Lisbon,", 7, 58, 271), ("Portugal", 7, 58, 280),
            ("^2Harbor Polytechnic, Faro, Portugal", 7, 58, 292), ("Full list of author information is", 7, 58, 304),
            ("available at the end of the article", 7, 58, 313)]
    rows += paragraph(276, x=189, width=70)
    paper = read(tmp_path, rows)
    assert paper.authors == ["Mira Castellan", "Tobias Rennick"]
    assert paper.institutions == ["Orchard University", "Harbor Polytechnic"]


def test_amsart_addresses_tagged_with_each_authors_surname_are_read(tmp_path):
    """amsart prints the addresses in page 1's foot, each tagged '(<Surname>) <entry>', with no
    marker, the date line after them."""
    rows = [("QUIET LANTERNS FROM FINITE DATA", 12, "c", 90), ("MIRA CASTELLAN AND TOBIAS RENNICK", 10, "c", 120)]
    rows += paragraph(170, size=10, width=95) + paragraph(250, size=10, width=95)
    rows += [("(Castellan) Department of Optics, Orchard University", 8, 90, 690),
             ("(Rennick) Division of the Humanities and Social Sciences, Harbor Institute of", 8, 90, 700),
             ("Technology", 8, 90, 710), ("Date: First version: April 10, 2031; This version: May 3, 2032.", 8, 90, 720)]
    paper = read(tmp_path, rows)
    assert paper.institutions == ["Orchard University", "Harbor Institute of Technology"]


def test_a_plos_citation_sidebar_beside_the_abstract_names_no_author(tmp_path):
    """PLOS: the left column beside the abstract opens 'OPEN ACCESS' and cites the paper ('Citation:
    Castellan M, Rennick T, …'): an article-info column, not the authors' own."""
    rows = [("Quiet lanterns route sparse attention", 18, 160, 110), ("Mira Castellan^1, Tobias Rennick^2", 11, 160, 140),
            ("1 Orchard University, Lisbon, Portugal, 2 Harbor Polytechnic, Faro, Portugal", 9, 160, 160),
            ("Abstract", 12, 160, 200), ("OPEN ACCESS", 8, 40, 230), ("Citation: Castellan M, Rennick T,", 7, 40, 245),
            ("Duarte A, Moreau L, Vries K, et al.", 7, 40, 254), ("(2031) Quiet lanterns route sparse", 7, 40, 263)]
    paper = read(tmp_path, rows + paragraph(220, x=160, width=70))
    assert paper.authors == ["Mira Castellan", "Tobias Rennick"]


def test_a_scans_stamp_is_no_title_and_a_label_or_a_unit_is_no_author(tmp_path):
    """A scanned paper whose only text is the publisher's stamp has no title to read (it fails with
    that cause, not with the stamp as its title); a manuscript's 'Key Points:' label and a unit
    ('K/kyr') under its placeholder byline are nobody."""
    stamp = read(tmp_path, [("© 2031 Lantern Publishing Group http://www.lantern.example/optics", 9, "c", 16)])
    assert stamp.title == ""
    rows = [("Quiet Lanterns for Sparse Routing in Long Documents", 14, 72, 68), ("=list all authors here=", 10, 72, 123),
            ("=number= =Affiliation Address=", 8, 72, 152), ("Key Points:", 10, 72, 195),
            ("• We route quiet lanterns by 0.3 K/kyr over the long documents we tried", 10, 72, 214)]
    assert read(tmp_path, rows + paragraph(300)).authors == []


def test_an_editorial_sidebars_anonymous_reviewers_leave_the_byline_named(tmp_path):
    """ReScience and JOSS print 'Reviewed by / Anonymous Reviewers' in a sidebar of the header: the
    paper is not an anonymous submission, and a 'Plain Language Summary' heads its abstract."""
    rows = [("Quiet Lanterns for Sparse Routing in Long Documents", 17, 72, 90),
            ("Mira Castellan^1, Tobias Rennick^2", 11, 72, 130), ("^1 Orchard University, Lisbon, Portugal", 9, 72, 145),
            ("^2 Harbor Polytechnic, Faro, Portugal", 9, 72, 157), ("Reviewed by", 8, 40, 190), ("Anonymous Reviewers", 8, 40, 199),
            ("Plain Language Summary", 14, 200, 215)]
    paper = read(tmp_path, rows + paragraph(235, x=200, width=60))
    assert paper.author_count == 2 and paper.institutions == ["Orchard University", "Harbor Polytechnic"]
    assert paper.abstract.startswith("Recent efforts to route quiet lanterns")
