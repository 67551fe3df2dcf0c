"""Doubts that catch the rules' wrong institutions on classes of real papers (IEEE and ICML notes,
academy institutes, glued names, short forms read twice), and leave right readings alone."""

from __future__ import annotations

from pipeline.metadata.confidence import LOW, doubts

TITLE = "Quiet Gradients for Long Lanterns"


def institutions_doubt(kept, header, cited=0, entries=(), labs=()):
    return doubts(TITLE, ["Ana Ruiz", "Bo Lind"], 2, False, list(kept), [], "x" * 200, cited, list(labs),
                  entries=list(entries), header=f"{TITLE}\n{header}")["institutions"]


def test_a_note_run_into_a_name_is_doubted():
    kept = ["Equal contribution Orchard Institute of Technology", "Tidewater Lantern Lab"]
    doubt = institutions_doubt(kept, "*Equal contribution 1Orchard Institute of Technology 2Tidewater Lantern Lab")
    assert doubt.confidence < LOW and "Equal contribution" in doubt.reason


def test_two_organisations_run_together_are_doubted():
    doubt = institutions_doubt(["Shanghai Jiao Tong University Orchard Quiet Institute"],
                               "∗Shanghai Jiao Tong University Orchard Quiet Institute")
    assert doubt.confidence < LOW and "run into" in doubt.reason


def test_one_registered_name_is_not_a_person_run_into_an_organisation():
    doubt = institutions_doubt(["The Chinese University of Hong Kong"], "1The Chinese University of Hong Kong")
    assert doubt.confidence >= LOW


def test_an_academy_kept_for_its_institute_is_doubted():
    header = ("M. Castellan is with the Shenzhen Institutes of Advanced\n"
              "Technology, Chinese Academy of Sciences, Shenzhen 518055, China.")
    doubt = institutions_doubt(["Chinese Academy of Sciences"], header)
    assert doubt.confidence < LOW and "Chinese Academy of Sciences" in doubt.reason


def test_an_academy_after_a_department_is_not_doubted():
    doubt = institutions_doubt(["Chinese Academy of Sciences"], "Department of Quiet Optics, Chinese Academy of Sciences, China")
    assert doubt.confidence >= LOW


def test_an_unread_academy_institute_is_doubted():
    doubt = institutions_doubt(["Orchard University"], "Ana Ruiz   Bo Lind\nSKLQ, ICT, CAS   Orchard University")
    assert doubt.confidence < LOW and "ICT, CAS" in doubt.reason


def test_a_short_form_read_beside_its_name_is_doubted():
    doubt = institutions_doubt(["Orchard Quiet University", "OQU"], "Orchard Quiet University\nOQU / Lanternworks")
    assert doubt.confidence < LOW and "OQU" in doubt.reason


def test_an_unread_company_is_doubted_but_a_publishers_line_is_not():
    unread = institutions_doubt(["Orchard University"], "Orchard University1 Lanternworks Inc.2")
    assert unread.confidence < LOW and "Lanternworks Inc." in unread.reason
    publisher = "Orchard University\nCopyright © 2031 by the Association for\nComputing Machinery, Inc."
    assert institutions_doubt(["Orchard University"], publisher).confidence >= LOW


def test_two_organisations_joined_by_and_are_no_company_lab():
    assert institutions_doubt(["Quietsense Research", "Orchard AI Lab"], "Quietsense Research & Orchard AI Lab",
                              labs=["Quietsense Research &"]).confidence >= LOW
    assert institutions_doubt(["Quietsense"], "Lantern AI, Quietsense Inc.", labs=["Lantern AI"]).confidence < LOW


def test_an_independent_researcher_counts_as_a_cited_affiliation():
    header = "1Orchard University 2Tidewater Institute 3Independent Researcher"
    entries = ["Orchard University", "Tidewater Institute"]
    assert institutions_doubt(["Orchard University", "Tidewater Institute"], header, cited=3, entries=entries).confidence >= LOW
    assert institutions_doubt(["Orchard University", "Tidewater Institute"], header.replace("3Independent Researcher", ""),
                              cited=3, entries=entries).confidence < LOW


def test_a_unit_kept_before_its_university_is_doubted():
    header = "The authors are with the Quiet Systems Laboratory, Stanford Univer\nsity, Stanford, CA 94305."
    doubt = institutions_doubt(["Quiet Systems Laboratory"], header)
    assert doubt.confidence < LOW and "Stanford University" in doubt.reason
    assert institutions_doubt(["Stanford University"], header).confidence >= LOW


def test_a_ministrys_research_center_left_unread_is_doubted():
    header = ("1 Orchard Institute of Light, Shanghai Jiao Tong University\n"
              "2 Engineering Research Center for Quiet Systems, Ministry of Education, China")
    doubt = institutions_doubt(["Shanghai Jiao Tong University"], header)
    assert doubt.confidence < LOW and "Ministry of Education" in doubt.reason


def test_a_legal_form_is_no_company_lab():
    assert institutions_doubt(["Google", "Stanford University"], "1 Google, Inc. 2 Stanford University", labs=["Inc."]).confidence >= LOW


def test_an_authors_own_name_or_a_dois_wrapped_piece_dropped_is_no_doubt_but_a_misread_name_is():
    """'Correspondence: <Author>, <street>' and 'ppat.1013990' (a DOI wrapped onto its own line) are
    dropped rightly; a name that reads as nobody's is still a sign the entries were misread."""
    def doubt(dropped):
        return doubts(TITLE, ["Ana Ruiz", "Bo Lind"], 2, False, ["Orchard University"], dropped, "x" * 200,
                      header=f"{TITLE}\nOrchard University")["institutions"]

    assert doubt(["Bo Lind", "ppat.1013990", "Submission Id: 1606"]).confidence >= LOW
    assert doubt(["Quiet Lantern Works Ltd Orchard"]).confidence < LOW


def test_a_national_library_reads_as_an_organisation():
    doubt = institutions_doubt(["Orchard University", "National Library of Medicine"],
                               "1Orchard University\n2National Library of Medicine")
    assert doubt.confidence >= LOW
