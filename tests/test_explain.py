"""The rules explain themselves: every decision of the reader names the rule that made it, and
`inspect --explain` prints them (pages drawn here, every name invented)."""

from __future__ import annotations

import json

import pytest
from pages import paper_page

from pipeline.cli import main
from pipeline.names.institutions import organisation_of, read_entry

pytest.importorskip("reportlab")

TITLE = "Sparse Lanterns for Long Documents"
AFFILIATIONS = ["1 Department of Lantern Studies, Orchard University", "2 Kestrel Labs Inc.",
                "3 Institute for Lantern Research, Q*STAR"]


@pytest.fixture
def page(tmp_path):
    path = tmp_path / "p.pdf"
    paper_page(path, TITLE, "Mira Castellan^1 Tobias Rennick^2 Ada Quill^3", AFFILIATIONS)
    return path


def test_inspect_explain_names_a_rule_for_each_institution(page, capsys):
    assert main(["inspect", str(page), "--explain"]) == 0
    out = capsys.readouterr().out
    shown = next(line for line in out.splitlines() if line.startswith("institutions: ") and "(rule: " not in line)
    names = shown.removeprefix("institutions: ").split(", ")
    assert names == ["Orchard University", "Kestrel Labs Inc.", "Q*STAR"]
    for name in names:
        assert f'institutions: kept "{name}" (rule: ' in out
    assert 'title: kept "Sparse Lanterns for Long Documents" (rule: largest-text)' in out
    assert 'author_count: kept "3" (rule: names-in-header)' in out


def test_inspect_json_explain_lists_the_decisions_and_a_dropped_unit_names_its_rule(page, capsys):
    assert main(["inspect", str(page), "--json", "--explain"]) == 0
    shown = json.loads(capsys.readouterr().out)
    kept = {d["value"]: d["rule"] for d in shown["decisions"] if d["field"] == "institutions" and d["kept"]}
    assert set(kept) == set(shown["institutions"]) and all(kept.values())
    dropped = {d["value"]: d["rule"] for d in shown["decisions"] if d["field"] == "institutions" and not d["kept"]}
    assert dropped["Department of Lantern Studies"] == "unit-of-organisation"
    assert dropped["Institute for Lantern Research"] == "unit-of-organisation"


def test_without_explain_no_decisions_are_printed(page, capsys):
    assert main(["inspect", str(page), "--json"]) == 0
    assert "decisions" not in json.loads(capsys.readouterr().out)


def test_a_company_ranks_over_its_lab_named_by_an_acronym_and_a_word():
    """'<ABCD> Academy, <Brand> Group': the lab's name is not the acronym-and-town form of a
    university, and the company, not its lab, is the organisation."""
    reading = read_entry("KOVA Academy, Alibaba Group")
    assert reading.kept == [("Alibaba Group", "company-over-labs")]
    assert reading.dropped == [("KOVA Academy", "lab-of-company")]
    assert organisation_of("Lantern Research Institute, Kestrel Labs Inc.") == ["Kestrel Labs Inc."]


def test_the_acronym_and_town_form_still_reads_as_a_university():
    assert organisation_of("Department of Lantern Studies, ZQ Tarvel") == ["ZQ Tarvel"]


def test_an_agency_short_name_with_a_star_is_its_institute_organisation():
    """'<Institute for X>, <A*BCD>': the star is a letter of the agency's name, not a note mark."""
    reading = read_entry("Institute for Lantern Research, Q*STAR")
    assert reading.kept == [("Q*STAR", "acronym-after-unit")]
    assert organisation_of("Institute for Lantern Research, Q*STAR, Singapore") == ["Q*STAR"]
    assert organisation_of("Orchard University*") == ["Orchard University"]  # a note mark after a name still goes


def test_placeholder_and_address_entries_name_their_rule():
    assert read_entry("Anonymous Institution").dropped == [("Anonymous Institution", "placeholder")]
    assert read_entry("Tarvel, Portugal").dropped == [("Tarvel, Portugal", "address-line")]


def test_inspect_llm_explain_reads_the_pdf_once_and_names_the_rules_beside_the_models_reading(sample_dir, capsys,
                                                                                            monkeypatch):
    import make_samples

    from pipeline.extract import readers

    starts = []
    real = readers.PdfReaders.__init__
    monkeypatch.setattr(readers.PdfReaders, "__init__", lambda self, *a, **k: starts.append(1) or real(self, *a, **k))
    pdf = sample_dir / make_samples.SAMPLES[0].file
    cassette = make_samples.ROOT / "tests" / "cassettes" / "samples.yaml"
    assert main(["inspect", str(pdf), "--llm", "--explain", "--json", "--cassette", str(cassette)]) == 0
    shown = json.loads(capsys.readouterr().out)
    kept = {d["value"] for d in shown["decisions"] if d["field"] == "institutions" and d["kept"]}
    assert kept == set(shown["rules"]["institutions"]) and all(d["rule"] for d in shown["decisions"])
    assert shown["model"] is not None and len(starts) == 1  # one read, through the one read path
