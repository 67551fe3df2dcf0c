"""The institutions field's doubts from page 1's header, and short forms read as the registry's
name: what the rules missed is flagged, what they read right is not (every text is invented)."""

from __future__ import annotations

from pipeline.extract.pdf import extract
from pipeline.metadata import read_metadata
from pipeline.metadata.confidence import LOW, doubts, glued_names, unread_organisations
from pipeline.names import institutions as inst
from tests.pages import paper_page

TITLE = "Quiet Gradients for Long Lanterns"


def institutions_doubt(kept, header, authors=("Ana Ruiz", "Bo Lind"), anonymous=False):
    header = f"{TITLE}\n{header}" if header else TITLE
    return doubts(TITLE, list(authors), len(authors), anonymous, list(kept), [], "x" * 200, header=header)["institutions"]


def test_a_registered_organisation_no_kept_name_covers_is_flagged():
    doubt = institutions_doubt(["University of Oslo"], "Ana Ruiz   Bo Lind\nNorwegian Institute of Public Health\nUniversity of Oslo")
    assert doubt.confidence < LOW and "Norwegian Institute of Public Health" in doubt.reason


def test_units_beside_a_kept_name_and_a_wrapped_name_are_not_flagged():
    header = "Ana Ruiz   Bo Lind\nDepartment of Informatics, University of Oslo\nKing Abdullah University of\nScience and Technology"
    kept = ["University of Oslo", "King Abdullah University of Science and Technology"]
    assert unread_organisations(f"{TITLE}\n{header}", kept) == []
    assert institutions_doubt(kept, header).confidence >= LOW


def test_none_read_while_the_header_prints_an_organisation_or_a_marked_note_is_flagged():
    assert "Kyoto University" in institutions_doubt([], "Ana Ruiz* Bo Lind\n* Kyoto University, Japan").reason
    note = institutions_doubt([], "Ana Ruiz* Bo Lind†\n* QGL. ana@qgl.example.org")
    assert note.confidence < LOW and "QGL" in note.reason


def test_none_read_with_nothing_organisation_like_printed_is_said_but_not_flagged():
    doubt = institutions_doubt([], "Ana Ruiz   Bo Lind\nPreliminary draft, do not cite")
    assert doubt.confidence == LOW and doubt.reason


def test_a_persons_name_run_into_an_organisation_is_flagged_but_an_academy_institute_is_not():
    assert glued_names(["Ana Ruiz-Sola University of Oslo"]) == ["Ana Ruiz-Sola University of Oslo"]
    assert glued_names(["Institute of Automation, Chinese Academy of Sciences", "University of Oslo"]) == []
    assert institutions_doubt(["Ana Ruiz-Sola University of Oslo"], "University of Oslo").confidence < LOW


def test_neither_authors_nor_institutions_read_is_flagged_only_when_the_header_prints_more_than_the_title():
    assert institutions_doubt([], "Copyright notice of a society, printed where authors stand", authors=()).confidence < LOW
    assert institutions_doubt([], "", authors=()).confidence >= LOW


def test_a_short_form_printed_alone_is_read_as_the_registry_name_with_the_short_form_kept():
    assert inst.registry_forms(["KAUST"], "Ana Ruiz\nKAUST") == ["King Abdullah University of Science and Technology (KAUST)"]
    # printed in full elsewhere on the page, a company, a town that is not in the name: left as printed
    assert inst.registry_forms(["KAUST"], "KAUST\nKing Abdullah University of Science and Technology") == ["KAUST"]
    assert inst.registry_forms(["Samsung", "KAUST Thuwal", "QGLX"], "") == ["Samsung", "KAUST Thuwal", "QGLX"]


def test_a_page_with_a_short_form_alone_reads_the_registry_name(tmp_path):
    path = tmp_path / "short.pdf"
    paper_page(path, TITLE, "Ana Ruiz^1 and Bo Lind^1", ["^1 Department of Lanterns, KAUST"])
    paper = read_metadata(extract(path))
    assert paper.institutions == ["King Abdullah University of Science and Technology (KAUST)"]
    assert paper.confidence["institutions"].confidence >= LOW


def test_an_organisation_cut_where_its_line_ended_is_flagged_but_a_cut_unit_is_not():
    header = "Ana Ruiz   Bo Lind\nKestrel Valley Institute Partnership and Halden Plant Reference\nLaboratory, Halden, Norway"
    doubt = institutions_doubt(["Kestrel Valley Institute Partnership and Halden Plant Reference"], header)
    assert doubt.confidence < LOW and "Laboratory" in doubt.reason
    whole = ["Kestrel Valley Institute Partnership and Halden Plant Reference Laboratory"]
    assert institutions_doubt(whole, header).confidence >= LOW  # read whole
    unit = "Ana Ruiz   Bo Lind\nCentre for Quiet Signal\nLaboratory, Department of Physics, Halden University, Norway"
    assert institutions_doubt(["Halden University"], unit).confidence >= LOW  # a unit of the organisation after it


def test_a_chinese_unit_named_after_an_organisation_read_beside_it_is_flagged():
    doubt = institutions_doubt(["海川大学", "海川智能感知国家实验室"], "甲乙 丙丁\n海川大学\n海川智能感知国家实验室")
    assert doubt.confidence < LOW and "海川智能感知国家实验室" in doubt.reason
    joint = institutions_doubt(["海川大学", "海川大学（土木学院）-某某"], "甲乙 丙丁\n海川大学（土木学院）-某某联合中心")
    assert joint.confidence < LOW
    # a university whose short name is a city's, beside another organisation of that city: two organisations
    assert institutions_doubt(["北京大学", "北京航空航天大学"], "甲乙 丙丁\n北京大学\n北京航空航天大学").confidence >= LOW
    city = ["北京大学", "北京市规划和自然资源委员会"]
    assert institutions_doubt(city, "甲乙 丙丁\n" + "\n".join(city)).confidence >= LOW


def test_entries_printed_with_no_organisation_read_from_them_are_flagged():
    def doubt(kept, entries):
        return doubts(TITLE, ["Ana Ruiz", "Bo Lind"], 2, False, kept, [], "x" * 200, entries=entries,
                      header=f"{TITLE}\nAna Ruiz   Bo Lind\n" + "\n".join(entries))["institutions"]

    assert doubt([], ["Kestrel Works, Halden, Norway"]).confidence < LOW  # printed, none read
    assert doubt([], ["2018202067"]).confidence == LOW  # a student's number names nobody: said, not flagged
    unit_only = ["Halden University, Halden, Norway", "Department of Light 4242 HU Station, Texas 77843-4242, USA"]
    flagged = doubt(["Halden University"], unit_only)
    assert flagged.confidence < LOW and "Department of Light" in flagged.reason
    assert doubt(["Halden University"], unit_only[:1] + ["Department of Light"]).confidence >= LOW  # a unit alone, no address


def test_a_title_pages_funders_contact_lines_and_a_teams_signature_raise_no_doubt():
    funding = ("Ana Ruiz   Bo Lind\nDepartment of Light, Orchard University, Lisbon, Portugal\n"
               "Funding: This work was supported by the Tidewater Lantern Fund and by\nUniversity of Oslo.")
    assert institutions_doubt(["Orchard University"], funding).confidence >= LOW
    unfunded = funding.replace("Funding: This work was supported by", "Visiting:")
    assert institutions_doubt(["Orchard University"], unfunded).confidence < LOW  # the same name, as an affiliation
    contact = doubts(TITLE, ["Ana Ruiz", "Bo Lind"], 2, False, ["Orchard University"],
                     ["phone: (415) 502-7326 fax: (415) 381-3431", "Orchard Lantern Center MC1207"], "x" * 200, header=TITLE)
    assert contact["institutions"].confidence >= LOW
    team = doubts(TITLE, [], None, False, [], [], "x" * 200, header=f"{TITLE}\nQwen Team")  # a team signs, no one is named
    assert team["institutions"].confidence >= LOW


def test_none_read_with_a_name_like_line_under_the_byline_is_flagged():
    """'Hadley Wickham' / 'Lanternworks': a one-word company under its author's name carries no organisation
    word; with nothing read, that line may be the organisation, so the reading is doubted."""
    doubt = institutions_doubt([], "Ana Ruiz\nLanternworks", authors=("Ana Ruiz",))
    assert doubt.confidence < LOW and "Lanternworks" in doubt.reason
    assert institutions_doubt([], "Ana Ruiz\nDraft of 3 May, do not cite", authors=("Ana Ruiz",)).confidence == LOW


def test_an_organisation_in_small_capitals_read_as_lower_case_is_flagged_when_unread():
    doubt = institutions_doubt([], "Ana Ruiz and Bo Lind\nnorthern lantern university, tromsø, norway — www.nlu.example")
    assert doubt.confidence < LOW and "Northern Lantern University" in doubt.reason


def test_two_organisations_joined_by_and_in_one_name_are_flagged():
    kept = ["Trinity College Dublin and Quiet Lantern Diagnostic Laboratory"]
    doubt = institutions_doubt(kept, "Ana Ruiz\nSchool of Optics, Trinity College Dublin and Quiet Lantern Diagnostic Laboratory")
    assert doubt.confidence < LOW and "second organisation" in doubt.reason
    one = institutions_doubt(["Trinity College Dublin"], "Ana Ruiz\nSchool of Physics and Optics, Trinity College Dublin")
    assert one.confidence >= LOW


def test_a_publishers_name_a_doi_a_funding_note_and_a_sentences_end_raise_no_doubt():
    """What a title page prints besides its affiliations names no organisation the rules missed: the
    conference series' publisher, the paper's DOI, a funding note's sentence, the end of a sentence
    under a scanned byline; a drug company's 'Pharmaceuticals' is an organisation's name."""
    assert institutions_doubt(["Orchard University"], "Ana Ruiz\nOrchard University\nIOP Publishing").confidence >= LOW
    dropped = doubts(TITLE, ["Ana Ruiz"], 1, False, ["Orchard University"],
                     ["DOI: 10.21105/jose.00037", "This work was supported in part by Lantern Trust"], "x" * 200,
                     header=f"{TITLE}\nAna Ruiz\nOrchard University")["institutions"]
    assert dropped.confidence >= LOW
    assert institutions_doubt([], "Ana Ruiz\nTechnology.", authors=("Ana Ruiz",)).confidence == LOW
    assert institutions_doubt(["Lantern Pharmaceuticals"], "Ana Ruiz\nLantern Pharmaceuticals").confidence >= LOW


def test_a_unit_named_by_its_subject_an_acronym_joined_by_and_and_a_code_are_flagged():
    """'Computer Science Laboratory' names a unit, not who keeps it; 'Lantern Po & QGLR' is two
    organisations; 'PGv' (a postcode's end) is no organisation's name."""
    for kept in (["Orchard University", "Computer Science Laboratory"], ["Lantern Po & QGLR"], ["Orchard University", "PGv"]):
        doubt = institutions_doubt(kept, "Ana Ruiz\n" + "\n".join(kept))
        assert doubt.confidence < LOW, kept
    assert institutions_doubt(["Orchard University"], "Ana Ruiz\nOrchard University").confidence >= LOW


def test_a_room_and_a_sentences_middle_dropped_from_the_entries_raise_no_doubt():
    for piece in ("C-355", "meaning of lantern words  Castel and Rennick"):
        doubt = doubts(TITLE, ["Ana Ruiz"], 1, False, ["Orchard University"], [piece], "x" * 200,
                       header=f"{TITLE}\nAna Ruiz\nOrchard University")["institutions"]
        assert doubt.confidence >= LOW, piece


def test_an_elsevier_journals_name_and_a_note_on_leave_raise_no_doubt_and_an_office_is_an_organisation():
    header = "Ana Ruiz\nContents lists available at ScienceDirect\nKnowledge-Based Systems\nOrchard University"  # also a company's name
    assert institutions_doubt(["Orchard University"], header).confidence >= LOW
    dropped = doubts(TITLE, ["Ana Ruiz"], 1, False, ["Orchard University"], ["on leave at the Lantern School of Optics"], "x" * 200,
                     header=f"{TITLE}\nAna Ruiz\nOrchard University")["institutions"]
    assert dropped.confidence >= LOW
    assert inst.reads_as_organisation("Audit Office of the Lantern Commission")


def test_an_acronym_printed_before_its_own_full_name_raises_no_doubt():
    """'KAIST, Korea Advanced Institute of Science and Technology': the kept acronym spelt out after it
    is the same organisation, no unread one."""
    header = "Ana Ruiz\nKAIST, Korea Advanced Institute of Science and Technology, Daejeon, South Korea"
    assert institutions_doubt(["KAIST"], header).confidence >= LOW


def test_a_phrase_around_a_kept_name_dropped_from_an_entry_raises_no_doubt():
    """'Institute of Lanterns (INLA) of the Universidad Nacional de Orchard (UNO)': the phrase left over
    holds the university the rules kept, so nothing was misread there; a dropped piece naming another
    organisation still raises doubt."""
    kept = ["Universidad Nacional de Orchard"]
    header = f"{TITLE}\nAna Ruiz\nInstitute of Lanterns (INLA) of the Universidad Nacional de Orchard (UNO)"
    around = doubts(TITLE, ["Ana Ruiz"], 1, False, kept, ["(INLA) of the Universidad Nacional de Orchard (UNO)"], "x" * 200,
                    header=header)["institutions"]
    assert around.confidence >= LOW
    other = doubts(TITLE, ["Ana Ruiz"], 1, False, kept, ["Tidewater Lantern Trust"], "x" * 200, header=header)["institutions"]
    assert other.confidence < LOW


def test_a_known_acronym_beside_the_name_read_is_flagged_but_not_one_in_the_title():
    """'<Institute>, KAIST' in one entry: the rules read the institute; the acronym beside it names
    an organisation of its own (the table knows it), so the field is doubted. An acronym the registry
    happens to hold that the title prints ('LSTM') is no affiliation."""
    header = "Sparse LSTM Lanterns\nAna Ruiz\nOrchard Institute of Lanterns, KAIST"
    assert institutions_doubt(["Orchard Institute of Lanterns"], header).confidence < LOW
    assert institutions_doubt(["Orchard Institute of Lanterns", "KAIST"], header).confidence >= LOW
    assert institutions_doubt(["Orchard Institute of Lanterns"], "Sparse LSTM Lanterns\nAna Ruiz\nOrchard Institute of Lanterns"
                              ).confidence >= LOW


def test_an_entry_read_whole_as_a_town_a_region_and_a_country_is_flagged():
    """'1 Sigma Lantern, Paris, France': a company with no organisation word reads like '<Town>,
    <Region>, <Country>', so nothing is kept from it; the entry is doubted, not passed over. An
    acmsmall entry '<NAME>, <Known>, <Country>' is not."""
    def doubt(entries, kept):
        return doubts(TITLE, ["Ana Ruiz"], 1, False, kept, [], "x" * 200, entries=entries,
                      header=f"{TITLE}\nAna Ruiz\n" + "\n".join(entries))["institutions"]
    assert doubt(["Sigma Lantern, Paris, France", "Orchard University, Lisbon, Portugal"], ["Orchard University"]).confidence < LOW
    assert doubt(["ANA RUIZ, KAIST, Korea", "KAIST, Daejeon, Korea"], ["KAIST"]).confidence >= LOW
