"""rerun: a failed try never replaces a published brief, a stored brief needs no endpoint, and the
call settings of `run` (system_in_user among them) reach rerun too."""

from __future__ import annotations

import json
import re

import make_samples

from pipeline.cli import main

CASSETTE = make_samples.ROOT / "tests" / "cassettes" / "samples.yaml"
PAPER = make_samples.SAMPLES[1]


def _entries(out) -> dict[str, dict]:
    return {r["file"]: r for r in json.loads((out / "report.json").read_text())["results"]}


def test_a_failed_rerun_keeps_the_published_brief_and_the_reports_own_model(samples, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["run", str(samples), "-o", str(out), "--cassette", str(CASSETTE)]) == 0
    before = json.loads((out / "report.json").read_text())
    capsys.readouterr()
    # a model the cassette holds no answer for: the new try fails
    assert main(["rerun", str(samples / PAPER.file), "-o", str(out), "--cassette", str(CASSETTE), "--model", "other"]) == 1
    said = capsys.readouterr().out
    assert "the new brief failed" in said and "keeps the earlier one" in said
    after = json.loads((out / "report.json").read_text())
    assert _entries(out)[PAPER.file]["brief"]["ok"]
    assert _entries(out)[PAPER.file]["brief"]["text"] == {r["file"]: r for r in before["results"]}[PAPER.file]["brief"]["text"]
    assert after["model"] == before["model"]
    assert "### " in (out / "report.md").read_text() and PAPER.title.split(":")[0] in (out / "report.md").read_text()


def test_a_rerun_whose_brief_is_stored_needs_no_endpoint(samples, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["run", str(samples), "-o", str(out), "--cassette", str(CASSETTE)]) == 0
    capsys.readouterr()
    assert main(["rerun", str(samples / PAPER.file), "-o", str(out)]) == 0  # no --cassette, no key, no base URL
    assert re.search(r"^0 LLM call\(s\) \(a passing brief of this prompt was in the run store\)", capsys.readouterr().out, re.M)
    assert main(["rerun", str(samples / PAPER.file), "-o", str(out), "--model", "other"]) == 2  # this one must call


def test_rerun_takes_system_in_user_as_run_does(samples, tmp_path, capsys):
    out = tmp_path / "out"
    plain = ["rerun", str(samples / PAPER.file), "-o", str(out), "--dry-run"]
    assert main(plain) == 0
    first = re.search(r"fingerprint (\w+)", capsys.readouterr().out).group(1)
    assert main([*plain, "--system-in-user", "--timeout", "5", "--no-json-mode"]) == 0
    shown = capsys.readouterr().out
    assert re.search(r"fingerprint (\w+)", shown).group(1) != first  # the system text moved: another prompt
    assert "--- system ---" not in shown


def test_status_of_a_folder_without_running_batches_needs_no_endpoint(samples, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["run", str(samples), "-o", str(out), "--cassette", str(CASSETTE)]) == 0
    capsys.readouterr()
    assert main(["status", str(out)]) == 0
    assert f"no provider batches in {out}" in capsys.readouterr().out


def test_a_rerun_of_a_paper_the_report_does_not_hold_is_refused_unless_added(samples, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["run", str(samples), "-o", str(out), "--cassette", str(CASSETTE)]) == 0
    entries = json.loads((out / "report.json").read_text())["results"]
    other = tmp_path / "other"
    other.mkdir()
    (other / "extra.pdf").write_bytes((samples / PAPER.file).read_bytes() + b"\n% another paper's bytes\n")
    assert main(["rerun", str(other / "extra.pdf"), "-o", str(out), "--cassette", str(CASSETTE)]) == 2
    assert "not in the report in" in capsys.readouterr().err
    assert json.loads((out / "report.json").read_text())["results"] == entries  # the report did not grow
    assert main(["rerun", str(samples / PAPER.file), "-o", str(tmp_path / "typo"), "--cassette", str(CASSETTE)]) == 2
    assert "holds no report" in capsys.readouterr().err and not (tmp_path / "typo").exists()
