"""The ROR registry as the vocabulary: lookups, units lifted to their university, shared acronyms,
the names it lets grounding and the brief check match, and the table in a reader and in a wheel."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from pipeline.brief.grounding import Page
from pipeline.brief.validate import check
from pipeline.models import Paper
from pipeline.names import institutions as inst
from pipeline.names import registry

ROOT = Path(__file__).resolve().parent.parent
BODY = "论文，使用一种新方法，解决了一个老问题，达成了更好的效果。"


def paper(institutions, header="", title="Lumen"):
    return Paper(file="x.pdf", sha256="0" * 64, title=title, authors=["A B"], author_count=1,
                 institutions=institutions, abstract="Lumen works.", header_text=header or "\n".join(institutions))


def institution_check(text, p):
    return next(r for r in check(text, p) if r.name == "institution")


def test_a_name_an_acronym_and_a_chinese_label_find_one_organisation():
    by_name = registry.identify("Peking University")
    assert by_name is not None and by_name.country == "CN" and by_name.zh == "北京大学"
    assert registry.identify("北京大学") == by_name
    assert registry.identify("KAIST").name == "Korea Advanced Institute of Science and Technology"
    assert registry.identify("UChicago").name == "University of Chicago"  # an alias


def test_an_unknown_name_is_nobody():
    assert registry.identify("Quillfeather Institute of Imaginary Studies") is None
    assert not registry.knows("Quillfeather Institute of Imaginary Studies")
    assert registry.candidates("") == []


def test_a_shared_acronym_is_nobody_until_the_page_narrows_it():
    assert len(registry.candidates("CCC")) > 10
    assert registry.identify("CCC") is None
    assert registry.identify("CCC", registry.Context("A B, CCC, Department of Physics")) is None
    narrowed = registry.identify("CCC", registry.Context("A B\nComprehensive Cancer Center Vienna (CCC)"))
    assert narrowed is not None and narrowed.name == "Comprehensive Cancer Center Vienna"


def test_a_country_narrows_a_shared_company_name():
    assert registry.identify("Microsoft") is None  # ROR lists one per country
    org = registry.identify("Microsoft", registry.Context("Microsoft Research, Redmond, WA, USA"))
    assert org is not None and org.country == "US"


def test_a_universitys_school_is_lifted_to_the_university():
    assert inst.organisations(["Tsinghua Shenzhen International Graduate School"]) == ["Tsinghua University"]
    # the university printed too: one name, not the school beside its university
    assert inst.organisations(["Tsinghua Shenzhen International Graduate School", "Tsinghua University"]) == ["Tsinghua University"]
    # a university the registry files under a system keeps its own name
    assert inst.organisations(["University of California, Berkeley"]) == ["University of California, Berkeley"]


def test_a_lab_named_after_its_university_is_lifted_and_an_institute_with_its_own_name_is_not():
    # the registry files both under a university: a lab that carries the university's acronym is
    # the university's; an institute under a name of its own is an organisation in its own right
    assert inst.organisations(["MIT CSAIL"]) == ["Massachusetts Institute of Technology"]
    assert inst.organisations(["The Florey Institute of Neuroscience and Mental Health"]) == [
        "The Florey Institute of Neuroscience and Mental Health"]


def test_an_organisation_the_registry_files_under_nobody_keeps_its_name_beside_a_university():
    # an independent institute or hospital printed before the university in one entry is one more
    # organisation; a unit the registry files under the university, a facility a university hosts
    # and the ministry a key laboratory answers to are not
    assert inst.organisations(["South Australian Health and Medical Research Institute, The University of Adelaide, "
                               "Adelaide, SA, Australia"]) == [
        "South Australian Health and Medical Research Institute", "The University of Adelaide"]
    assert inst.organisations(["Clinical Biochemistry, The Hospital for Sick Children, University of Toronto, Toronto, "
                               "ON, Canada"]) == ["The Hospital for Sick Children", "University of Toronto"]
    assert inst.organisations(["Institute of Infectious Disease and Molecular Medicine, University of Cape Town, "
                               "Cape Town, South Africa"]) == ["University of Cape Town"]
    assert inst.organisations(["ARC Centre of Excellence in Cognition and its Disorders, University of Western Australia"]) == [
        "University of Western Australia"]
    assert inst.organisations(["Key Laboratory of Machine Perception, Ministry of Education, Peking University"]) == [
        "Peking University"]
    # a hospital named after the university beside it is the university's own
    assert inst.organisations(["Department of Radiology, Tongji Hospital, Tongji University, Shanghai, China"]) == [
        "Tongji University"]
    # the hospital printed once with its university and once alone is one organisation
    assert inst.organisations(["Huadong Hospital Affiliated to Fudan University, Shanghai, China",
                               "Nodules Center, Huadong Hospital, Shanghai, China"]) == ["Huadong Hospital Affiliated to Fudan University"]


def test_a_school_named_by_a_university_the_paper_prints_is_that_university():
    # '<Name> School of Medicine' beside '<Name> University', in either order; a university the
    # registry knows under a school-like name ('Boston College') stays its own
    assert inst.organisations(["Orchard University, Lisbon", "Orchard School of Medicine, Lisbon"]) == ["Orchard University"]
    assert inst.organisations(["Orchard Medical School", "Orchard University"]) == ["Orchard University"]
    assert inst.organisations(["Orchard School of Medicine"]) == ["Orchard School of Medicine"]
    assert inst.organisations(["Boston College", "Boston University"]) == ["Boston College", "Boston University"]


def test_entries_run_together_split_where_a_country_ends_one():
    # markers lost, entries read as one: the country ends an entry when an organisation follows;
    # a country followed by nothing that names one ('Hong Kong SAR') ends nothing
    assert inst.organisations(["Department of Light, Orchard University, Lisbon, Portugal, Lantern Works Ltd, Porto, "
                               "Portugal, Department of Routing, Tidewater Hospital, Faro, Portugal"]) == [
        "Orchard University", "Lantern Works Ltd", "Tidewater Hospital"]
    assert inst.organisations(["Orchard University, Kowloon, China, Hong Kong SAR"]) == ["Orchard University"]


def test_a_comma_before_a_registered_names_last_word_is_one_name():
    # a line break read as a comma: '<Name> Engineering, University' is the university the registry knows;
    # an unknown name before a bare 'University' is not made one, nor is a postcode
    assert inst.organisations(["College of Computing, Harbin Engineering, University, Harbin, 150001, China"]) == [
        "Harbin Engineering University"]
    assert "Kestrel University" not in inst.organisations(["Department of Light, Kestrel, University, Halden, Norway"])
    assert inst.organisations(["School of Light, Nanchang University, Nanchang, 330031, University, China"]) == [
        "Nanchang University"]


def test_a_college_the_registry_names_so_is_an_organisation_and_a_college_of_a_subject_is_not():
    # 'College of <Name> & <Name>' is one of the registry's full names for a university: alone in its entry it is
    # the organisation; 'College of Engineering' alone names none
    assert inst.organisations(["College of William & Mary, Williamsburg, Virginia, USA"]) == ["College of William & Mary"]
    assert inst.organisations(["College of Engineering, Williamsburg, Virginia, USA"]) == []


def test_a_spanish_or_portuguese_university_outranks_its_school_and_lab():
    # 'Universidad', 'Universidade' (no 't') are universities: a school's short name before them is the school's
    assert inst.organisations(["Kestrel Imaging Laboratory (KIL), ETSI Luz, Universidad de Halden, Halden, Spain"]) == [
        "Universidad de Halden"]
    assert inst.organisations(["Kestrel Imaging Laboratory (KIL), EPS Luz, Universidade de Halden, Halden, Portugal"]) == [
        "Universidade de Halden"]


def test_a_wrapped_entrys_last_line_of_town_and_state_names_no_organisation():
    # '<Town>, CA 94553' on a line of its own ends the entry above; a short name the table knows before a state
    # or a country is an organisation, not a town
    assert inst.organisations(["Department of Light, Orchard University, Halden", "Martinez, CA 94553."]) == [
        "Orchard University"]
    assert inst.organisations(["Caltech, CA 91125"]) == ["Caltech"]
    assert inst.organisations(["Caltech, USA"]) == ["Caltech"]


def test_an_organisation_the_registry_names_so_is_no_town_and_a_note_after_an_entry_is_no_part_of_it():
    # '<Name>, <Town>, <Country>' where the registry gives an organisation exactly that name (a facility, a
    # nonprofit) is that organisation, not a town; a note's text set on the entry's line goes
    assert inst.organisations(["Helmholtz-Zentrum Dresden-Rossendorf, Dresden, Germany"]) == [
        "Helmholtz-Zentrum Dresden-Rossendorf"]
    assert inst.organisations(["The Carpentries, USA"]) == ["The Carpentries"]
    assert inst.organisations(["Orchard University ¶ Corresponding author"]) == ["Orchard University"]


def test_a_name_in_capitals_is_no_organisation_unless_the_registry_knows_it():
    assert not inst.reads_as_organisation("YOAV ZURIEL")
    assert inst.reads_as_organisation("Alberta Machine Intelligence Institute")
    assert inst.reads_as_organisation("Technion")


def test_grounding_accepts_the_registrys_other_forms_of_a_printed_organisation():
    page = Page("Ada Lovelace\nKorea Advanced Institute of Science and Technology\nada@example.org")
    assert page.prints("KAIST")
    assert Page("Ada Lovelace\nKAIST, Daejeon").prints("Korea Advanced Institute of Science and Technology")
    assert Page("Ada Lovelace\nPeking University").prints("北京大学")
    assert not Page("Ada Lovelace\nPeking University").prints("清华大学")
    assert not Page("Ada Lovelace, CCC").prints("Comprehensive Cancer Center Vienna")  # a shared acronym alone


def test_the_chinese_label_of_a_paper_institution_is_accepted_and_another_rejected():
    p = paper(["Westlake University"])
    result = institution_check(f"西湖大学发布了Lumen{BODY}", p)
    assert result.ok and not result.detail
    wrong = institution_check(f"复旦大学发布了Lumen{BODY}", p)
    assert not wrong.ok and "Fudan University" in wrong.detail
    unknown = institution_check(f"清湖大学发布了Lumen{BODY}", p)
    assert not unknown.ok and "无法核实" in unknown.detail  # a Chinese name nobody can verify is not published


def test_an_acronym_the_registry_gives_to_the_paper_institution_is_accepted():
    p = paper(["Korea Advanced Institute of Science and Technology"])
    assert institution_check(f"KAIST发布了Lumen{BODY}", p).ok


def test_the_table_opens_lazily_in_a_reader_process(tmp_path):
    import registry_reader

    from pipeline.extract.readers import PdfReaders

    pdf = tmp_path / "x.pdf"
    pdf.write_bytes(b"%PDF-1.4\n")

    async def go():
        readers = PdfReaders(1)
        try:
            return await readers.read(registry_reader.lookup, pdf, "Tsinghua University")
        finally:
            readers.pool.shutdown()

    opened_before, name, before_kb, after_kb = asyncio.run(go())
    assert not opened_before  # starting a reader does not open the table
    assert name == "Tsinghua University"
    table_kb = (ROOT / "pipeline/data/ror.sqlite").stat().st_size // 1024
    assert after_kb - before_kb < table_kb // 4  # a few pages of the index, not the table


@pytest.mark.slow
def test_a_wheel_installed_in_a_fresh_venv_finds_the_table(tmp_path):
    # the test extra brings setuptools, so the wheel builds without an isolated build env; the venv
    # gets no pip of its own: this pip installs into it (--python)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w",
                    str(tmp_path / "dist"), str(ROOT)], check=True, capture_output=True)
    wheel = next((tmp_path / "dist").glob("*.whl"))
    assert "pipeline/data/ror.sqlite" in zipfile.ZipFile(wheel).namelist()
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", str(tmp_path / "venv")],
                   check=True)
    python = tmp_path / "venv/bin/python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps", "--no-index",
                    "--force-reinstall", str(wheel)], check=True, capture_output=True)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    code = ("import pipeline, pipeline.names.registry as r; assert 'site-packages' in pipeline.__file__, pipeline.__file__; "
            "print(r.identify('北京大学').name)")
    out = subprocess.run([str(python), "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "Peking University"
