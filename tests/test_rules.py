"""The reading rules' thresholds are declared in one model: paperbrief.yaml's `rules:` overrides
one, the override reaches the reader processes, a misspelt name is refused by name, and
`inspect --explain` lists the thresholds in force (pages drawn here, every name invented)."""

from __future__ import annotations

import json

import pytest
from pages import paper_page

from pipeline import rules
from pipeline.cli import main
from pipeline.rules import Rules, explained
from pipeline.settings import Settings, SettingsError

pytest.importorskip("reportlab")

TITLE = "Sparse Lanterns for Long Documents"
AFFILIATIONS = ["1 Department of Lantern Studies, Orchard University", "2 Kestrel Labs Inc."]


@pytest.fixture(autouse=True)
def defaults_again():
    """An override put in force in this process must not reach the next test."""
    yield
    rules.use(Rules())


@pytest.fixture
def page(tmp_path):
    path = tmp_path / "p.pdf"
    paper_page(path, TITLE, "Mira Castellan^1 Tobias Rennick^2", AFFILIATIONS)
    return path


def _config(tmp_path, monkeypatch, text: str):
    config = tmp_path / "paperbrief.yaml"
    config.write_text(text, encoding="utf-8")
    monkeypatch.setenv("PAPERBRIEF_CONFIG", str(config))


def _inspect_json(page, capsys) -> dict:
    capsys.readouterr()
    assert main(["inspect", str(page), "--json", "--explain"]) == 0
    return json.loads(capsys.readouterr().out)


def test_a_rules_override_changes_what_the_reader_process_reads(page, tmp_path, monkeypatch, capsys):
    by_default = _inspect_json(page, capsys)
    assert len(by_default["header_text"]) > 60
    _config(tmp_path, monkeypatch, "rules:\n  header_limit_chars: 60\n")
    overridden = _inspect_json(page, capsys)
    assert 0 < len(overridden["header_text"]) <= 60  # read in a reader process, with the file's threshold
    assert overridden["title"] == by_default["title"] == TITLE


def test_a_misspelt_rule_is_an_error_naming_it(tmp_path, monkeypatch):
    _config(tmp_path, monkeypatch, "rules:\n  foot_bnad: 0.5\n")
    with pytest.raises(SettingsError, match=r"rules\.foot_bnad"):
        Settings.build()


def test_a_rule_of_the_wrong_type_is_an_error_naming_it(tmp_path, monkeypatch):
    _config(tmp_path, monkeypatch, "rules:\n  foot_band: lower\n")
    with pytest.raises(SettingsError, match=r"rules\.foot_band"):
        Settings.build()


def test_inspect_explain_lists_every_threshold_with_its_value_and_reason(page, tmp_path, monkeypatch, capsys):
    _config(tmp_path, monkeypatch, "rules:\n  foot_band: 0.7\n")
    listed = {rule["name"]: rule for rule in _inspect_json(page, capsys)["rules"]}
    assert set(listed) == set(Rules.model_fields)
    assert listed["foot_band"]["value"] == 0.7 and listed["foot_band"]["default"] == 0.62
    assert all(rule["reason"] for rule in listed.values())
    assert main(["inspect", str(page), "--explain"]) == 0
    printed = capsys.readouterr().out
    assert "thresholds in force:" in printed
    assert "foot_band = 0.7 [default 0.62]" in printed
    assert "brief_max_chars = 600" in printed


def test_every_threshold_declares_its_reason():
    assert all(field.description for field in Rules.model_fields.values())
    assert [rule["name"] for rule in explained(Rules())] == list(Rules.model_fields)
