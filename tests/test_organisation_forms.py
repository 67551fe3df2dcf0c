"""How an entry's organisation is named when the registry knows more than the page says: a
university's school printed after the university's own name, a government department printed
with its agency, a university printed with its town, a name that starts with a digit."""

from __future__ import annotations

import pytest
from test_journal_classes import read

from pipeline.metadata.authors import is_person_name
from pipeline.metadata.confidence import unit_before_its_organisation
from pipeline.names import institutions as inst


@pytest.mark.parametrize(("entry", "organisation"), [
    ("The University of Virginia School of Medicine, Charlottesville, Virginia, United States of America", "University of Virginia"),
    ("University of Pittsburgh School of Medicine, Pittsburgh, PA, USA", "University of Pittsburgh"),
])
def test_a_school_printed_after_its_universitys_name_is_the_university(entry, organisation):
    assert inst.organisations([entry]) == [organisation]


def test_an_unknown_universitys_school_is_read_as_printed():
    assert inst.organisations(["University of Lanterns School of Optics"]) == ["University of Lanterns School of Optics"]


def test_a_department_printed_with_its_agency_is_the_department():
    """The registry files the Agricultural Research Service under the US Department of Agriculture
    (whose record spells 'United States' out): the department is read, and the agency beside it
    raises no doubt that an organisation went unread."""
    entry = "US Department of Agriculture, Agricultural Research Service, Columbia, MO, USA"
    assert inst.organisations([entry]) == ["US Department of Agriculture"]
    assert unit_before_its_organisation(["US Department of Agriculture"], entry) == []
    assert unit_before_its_organisation(["Department of Optics"], "Department of Optics, Peking University") != []


@pytest.mark.parametrize(("entry", "organisation"), [
    ("Division of Plant Sciences, University of Missouri, Columbia, MO, USA", "University of Missouri"),
    ("Dept. of Plant Sciences, University of California, Davis, CA, USA", "University of California, Davis"),
])
def test_a_universitys_town_is_not_its_campus_unless_the_registry_says_so(entry, organisation):
    assert inst.organisations([entry]) == [organisation]


def test_a_name_that_starts_with_a_digit_keeps_it():
    assert inst.organisations(["0labs"]) == ["0labs"]
    assert inst.organisations(["1Department of Optics, Orchard University"]) == ["Orchard University"]


@pytest.mark.parametrize(("entry", "organisation"), [
    ("State Key Laboratory of Lantern Optics, Orchard 210096, China", "State Key Laboratory of Lantern Optics"),
    ("National Key Laboratory of Quiet Routing, Orchard, China", "National Key Laboratory of Quiet Routing"),
    ("State Key Lab of Lantern Optics, Orchard University, Orchard, China", "Orchard University"),
])
def test_a_key_laboratory_printed_alone_is_the_organisation(entry, organisation):
    """A Chinese key laboratory is an organisation of its own when the entry names nothing it belongs
    to; printed with its university, the university is read."""
    assert inst.organisations([entry]) == [organisation]


@pytest.mark.parametrize(("entry", "organisations"), [
    ("Lantern Hospital, Orchard Medical School, Belmont", ["Lantern Hospital", "Orchard Medical School"]),
    ("Orchard Medical School, Orchard University, Lisbon", ["Orchard University"]),
    ("Orchard University – Ikuta Campus, Kawasaki, Japan", ["Orchard University"]),  # a campus after a dash: where, not who
    ("1 西湖大学 Westlake University, 杭州 310024", ["西湖大学"]),  # the Chinese name, then its English one: read once
    ("清澜工学院 信息与控制工程学院，辽宁 抚顺", ["清澜工学院"]),  # a school named by its subject beside its college
    ("Lantern-Gesellschaft e.V. and", ["Lantern-Gesellschaft e.V"]),  # notes run on with 'and' before the next number
    ("Institute, Lisbon, Portugal and", []),
    ("CSIRO Division of Land and Water, Canberra, Australia", ["CSIRO"]),  # an acronym the registry knows, then its unit
    ("School of Economics, Queen Mary, University of London, London, UK", ["Queen Mary, University of London"]),
    ("（１ ．西湖大学灯笼学院 ，浙江杭州 ，３１００２４）", ["西湖大学"]),  # a Chinese journal's bracket, full-width mark
    ("1)(西湖大学 杭州 310024), 2)(清澜大学灯笼学院 北京 100049)", ["西湖大学", "清澜大学"]),  # numbered, each bracketed
    ("Institute of Lanterns, Chinese Academy of Sciences; University of Chinese Academy of Sciences",  # an academy's
     ["Institute of Lanterns, Chinese Academy of Sciences", "University of Chinese Academy of Sciences"]),  # institute: no unit
    ("Institute of Lanterns, Chinese Academy of Sciences, University of Chinese Academy of Sciences, Beijing, China",
     ["Institute of Lanterns, Chinese Academy of Sciences", "University of Chinese Academy of Sciences"]),
    ("中国科学院灯笼研究所, 中国科学院大学, 北京 100049", ["中国科学院灯笼研究所", "中国科学院大学"]),
    ("School of Lanterns, University of Chinese Academy of Sciences, Beijing", ["University of Chinese Academy of Sciences"]),
    ("Research Institute of Lantern Networks, Orchard Laboratory, Lisbon 1100, Portugal", ["Orchard Laboratory"]),  # its unit
    # numbered in one bracket, a college's subject school run into its name
    ("（１ ．清澜职业技术学院信息学院 ，浙江杭州 ３１１１１２ ；２ ．西湖大学软件工程学院 ，杭州 ３１００１８）",
     ["清澜职业技术学院", "西湖大学"]),
    ("(1. 西湖大学灯笼学院, 杭州 310024; 2. 清澜大学, 北京 100049)", ["西湖大学", "清澜大学"]),
    # an Italian health authority after its unit; a national research council's institute named at its own level
    ("S. C. Fisica Lanterna Nord, Azienda Sanitaria Lanterna Nord, Lucca, Italy", ["Azienda Sanitaria Lanterna Nord"]),
    ("Istituto di Scienza delle Lanterne 'A. Faro', Consiglio Nazionale delle Ricerche, Pisa, Italy",
     ["Istituto di Scienza delle Lanterne 'A. Faro', Consiglio Nazionale delle Ricerche"]),
    ("Coöperatieve Lanternbank U.A., Utrecht, The Netherlands", ["Coöperatieve Lanternbank U.A"]),  # a Dutch cooperative
    ("# Current Affiliation: Lantern Labs, Boston, USA", ["Lantern Labs"]),  # the note's label is no part of the name
    ("Orchard Myers Squibb, Summit, New Jersey, USA", ["Orchard Myers Squibb"]),  # a town, not the registry's 'SUMMIT'
    ("College of Lanterns, LANTA University, LANTA, Yemen", ["LANTA University"]),  # the university's town, in capitals
])
def test_an_entry_is_read_at_its_organisations_level(entry, organisations):
    """A medical school printed beside its teaching hospital is an organisation of its own (a university
    beside it still outranks it); a campus, a Chinese name's English translation, a school named by
    its subject, a trailing 'and' and an acronym's unit are not. An academy's institute printed in one
    entry with the academy's university is an organisation of its own, a school of that university is not."""
    assert inst.organisations([entry]) == organisations


def test_an_acm_grid_whose_columns_nearly_touch_is_read_cell_by_cell(tmp_path):
    """Three authors a row, each affiliation wrapped over two lines, the first lines so wide that
    the gaps between them are narrower than a cell gap, though they stand in the gutters of the
    rows above and below."""
    rows = [("Quiet Lanterns for Sparse Routing in Long Documents", 17, "c", 84)]
    for top, names in ((131, ("Mira Castellan", "Tobias Rennick", "Ilse Marrow")), (190, ("Ana Duarte", "Karl Vries", "Lena Moreau"))):
        for x, name in zip((113, 282, 448), names, strict=True):
            rows += [(name, 12, x, top), (f"{name.split()[0].lower()}@orchard.example", 10, x - 15, top + 13)]
        rows += [("School of Optics, Orchard University", 10, x, top + 25) for x in (62, 226, 390)]
        rows += [("of Lantern Technology", 10, x, top + 37) for x in (89, 253, 417)]
    rows += [("ABSTRACT", 11, 54, 260)]
    paper = read(tmp_path, rows + [(line, 9, 54, 275 + 11 * i) for i, line in enumerate(
        ["We study how small lanterns of attention can be lit across long documents without",
         "paying for the whole sequence, and show that a sparse schedule keeps accuracy."])])
    assert paper.institutions == ["Orchard University of Lantern Technology"]
    assert paper.author_count == 6


@pytest.mark.parametrize("token", ["M.S.[", "PhD[", "B.A.", "摘要", "主 持 人：", "Key Points:", "Overview"])
def test_a_degree_a_heading_or_a_label_is_no_persons_name(token):
    assert not is_person_name(token)
    assert is_person_name("Mira Castellan") and is_person_name("林晓岚")


def test_an_academys_institute_is_not_joined_to_the_academys_university():
    """'Institute of X, Chinese Academy of Sciences' is one name, but 中国科学院大学 after a CAS
    institute is a university of its own, not the academy the institute belongs to."""
    assert inst.organisations(["Institute of Lanterns, Chinese Academy of Sciences, Beijing"]) == [
        "Institute of Lanterns, Chinese Academy of Sciences"]
    assert inst.organisations(["中国科学院灯笼研究所, 中国科学院大学, 北京 100049"]) == ["中国科学院灯笼研究所", "中国科学院大学"]



@pytest.mark.parametrize("words", ["Write a story named Lanternia.", "Lanterns ... [No Light]", "story between a lamp and a ship."])
def test_a_teaser_figures_words_are_no_organisation(words):
    """A teaser figure set between the affiliations and the abstract: its boxes' words sit where more
    entries would, but read as a sentence's words (an article, a verb, an ellipsis, a sentence's
    end), which no organisation's name does; the entry beside them is still read."""
    assert inst.organisations([words]) == []
    assert inst.organisations(["Harbor Artificial Intelligence Laboratory", words]) == ["Harbor Artificial Intelligence Laboratory"]
    assert not inst.reads_as_prose("Universidade da Coruña") and not inst.reads_as_prose("Lantern Co., Ltd.")
