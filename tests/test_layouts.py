"""Layout rules on purpose-built fixture papers: each test is one hard case from real papers."""

from __future__ import annotations

import dataclasses

import make_samples

from pipeline.extract.pdf import extract
from pipeline.metadata import read_metadata
from pipeline.names.institutions import fold

BASE = make_samples.SAMPLES[0]  # one column, numbered superscript affiliations


def read(tmp_path, **changes):
    sample = dataclasses.replace(BASE, **changes)
    path = tmp_path / "paper.pdf"
    make_samples.write_pdf(sample, path)
    return read_metadata(extract(path))


def test_three_line_title_is_joined(tmp_path):
    title = ("Cartographers of the Latent Sea: Learning Navigable Maps of Representation Space "
             "for Retrieval, Planning and Control in Partially Observed Environments")
    paper = read(tmp_path, title=title)
    assert paper.title == title


def test_fifteen_authors_over_three_lines(tmp_path):
    names = [f"{first} {last}" for first, last in zip(
        ["Ada", "Bram", "Cleo", "Dov", "Emil", "Faye", "Gil", "Hugo", "Iris", "Jon", "Kai", "Lia", "Milo", "Nia", "Otto"],
        ["Abbot", "Brook", "Crane", "Dale", "Evans", "Frost", "Grant", "Hale", "Irving", "Joyce", "Kemp", "Lowe", "Moss", "Nash",
         "Oakes"], strict=True)]
    authors = [(n, str(1 + i % 2)) for i, n in enumerate(names)]
    paper = read(tmp_path, authors=authors)
    assert paper.authors == names and paper.author_count == 15


def test_equal_contribution_and_corresponding_marks_are_not_affiliations(tmp_path):
    affiliations = [("1", "Northlake University"), ("2", "Brightwave Systems Inc."),
                    ("*", "Equal contribution"), ("†", "Corresponding author")]
    paper = read(tmp_path, affiliations=affiliations, authors=[("Mira Castellan", "1*"), ("Tobias Rennick", "2*†")])
    assert paper.institutions == ["Northlake University", "Brightwave Systems Inc."]
    assert paper.authors == ["Mira Castellan", "Tobias Rennick"]


def test_anonymous_submission_has_no_authors_or_institutions(tmp_path):
    paper = read(tmp_path, authors=[("Anonymous Authors", "1")], affiliations=[("1", "Anonymous Institution, Anonymous City")])
    assert paper.author_count == 0 and paper.institutions == []


def test_names_joined_by_and(tmp_path):
    paper = read(tmp_path, authors=[("Mira Castellan", "1"), ("and Tobias Rennick", "2")])
    assert paper.authors == ["Mira Castellan", "Tobias Rennick"]


def test_department_and_address_are_dropped_university_kept(tmp_path):
    affiliations = [("1", "School of Computer Science, Fudan University, Shanghai 200433, China"),
                    ("2", "Department of Physics, University of Tartu, Estonia")]
    paper = read(tmp_path, affiliations=affiliations)
    assert paper.institutions == ["Fudan University", "University of Tartu"]
    assert paper.affiliation_lines[0].startswith("School of Computer Science")  # raw lines kept


def test_chinese_names_in_chinese_and_english(tmp_path):
    affiliations = [("1", "北京清源大学 信息科学技术学院"), ("2", "Qingyuan University, Beijing, China")]
    paper = read(tmp_path, affiliations=affiliations)
    assert [fold(n) for n in paper.institutions] == [fold("北京清源大学"), fold("Qingyuan University")]


def test_email_line_is_not_an_author_or_institution(tmp_path):
    paper = read(tmp_path, emails=["{mira, tobias}@northlake.edu"])
    assert "northlake.edu" not in " ".join(paper.authors + paper.institutions)
    assert paper.author_count == len(BASE.authors)


def test_team_author_has_no_count(tmp_path):
    paper = read(tmp_path, authors=[("Lantern Team", "")], affiliations=[("", "Brightwave Systems Inc.")])
    assert paper.author_count is None and paper.authors == []
    assert paper.institutions == ["Brightwave Systems Inc."]


def test_a_name_the_layout_gives_no_organisation_word_is_read_by_the_model(tmp_path):
    from pipeline.brief.answer import ModelAnswer
    from pipeline.brief.grounding import NOT_PRINTED, ground

    # the layout gives the affiliation no organisation word, so the rules find none; the model does
    paper = read(tmp_path, affiliations=[("1", "Orchard Quay"), ("2", "Bellwether")],
                 authors=[("Mira Castellan", "1"), ("Tobias Rennick", "2")])
    answer = ModelAnswer(title=paper.title, authors=["Mira Castellan", "Tobias Rennick"],
                         institutions=["Orchard Quay", "Bellwether", "Invented Institute of Nowhere"], brief="x")
    reading, dropped = ground(answer, paper.header_text, paper)
    assert reading.institutions == ["Orchard Quay", "Bellwether"]  # the invented one is not on the page
    assert reading.authors == ["Mira Castellan", "Tobias Rennick"]
    assert [(d.name, d.reason) for d in dropped] == [("Invented Institute of Nowhere", NOT_PRINTED)]


def test_acronym_led_organisation_is_not_an_author(tmp_path):
    paper = read(tmp_path, authors=[("Ada Abbot", "")], affiliations=[("", "ETH Zürich")])
    assert paper.authors == ["Ada Abbot"] and paper.institutions == ["ETH Zürich"]
    paper = read(tmp_path, authors=[("ADA ABBOT", ""), ("BRAM BROOK", "")], affiliations=[("", "Orchard University")])
    assert paper.authors == ["ADA ABBOT", "BRAM BROOK"]


def test_grounding_accepts_usual_forms_of_names_the_page_prints():
    from pipeline.brief.grounding import Page

    page = Page("Mira Castellan 1 KAIST 2 THU 3 Shanghai Innovation Institute 4 清华大学")
    proposed = ["Korea Advanced Institute of Science and Technology", "Tsinghua University", "SII",
                "Peking University", "Invented Lab", "Shanghai Innovation Institute (SII)", "清华大学", "北京大学"]
    assert [p for p in proposed if page.prints(p)] == [
        "Korea Advanced Institute of Science and Technology", "Tsinghua University", "SII",
        "Shanghai Innovation Institute (SII)", "清华大学"]
