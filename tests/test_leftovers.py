"""The retired metadata pass leaves nothing behind: no `metadata_usage` field (old reports still load),
no `metadata_answers` table (an append-only migration drops it), and `metadata_source` is a closed set."""

from __future__ import annotations

import json
import sqlite3

import pytest

from pipeline.cli import main
from pipeline.models import MetadataSource, Paper
from pipeline.render.report import load_report
from pipeline.run import store as store_module
from pipeline.run.store import RunStore

PAPER = {"file": "a.pdf", "sha256": "0" * 64, "title": "A Title", "authors": ["Ann Lee"], "author_count": 1,
         "institutions": ["Riverside College of Arts"], "abstract": "We study things."}
OLD_USAGE = {"prompt_tokens": 120, "completion_tokens": 30}


def _tables(path) -> set[str]:
    with sqlite3.connect(path) as db:
        return {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}


def _applied(path) -> list[str]:
    with sqlite3.connect(path) as db:
        return [row[0] for row in db.execute("SELECT name FROM migrations ORDER BY name")]


def test_a_paper_from_an_old_report_loads_without_its_metadata_usage():
    paper = Paper.model_validate({**PAPER, "metadata_usage": OLD_USAGE, "metadata_source": "rules+model"})
    assert "metadata_usage" not in paper.model_dump()
    assert paper.metadata_source is MetadataSource.RULES_AND_MODEL


def test_metadata_source_is_a_closed_set_written_as_the_same_strings():
    assert [s.value for s in MetadataSource] == ["rules", "rules+model", "model"]
    assert json.loads(Paper.model_validate(PAPER).model_dump_json())["metadata_source"] == "rules"
    with pytest.raises(ValueError):
        Paper.model_validate({**PAPER, "metadata_source": "metadata pass"})


def test_an_old_report_json_with_metadata_usage_is_read_and_rewritten_without_it(samples, tmp_path, fake_model):
    out = tmp_path / "out"
    live = ["--base-url", fake_model.base_url, "--api-key", "k"]
    assert main(["run", str(samples), "-o", str(out), *live]) == 0
    written = json.loads((out / "report.json").read_text())
    assert {r["paper"]["metadata_source"] for r in written["results"]} <= {"rules", "rules+model", "model"}
    for result in written["results"]:
        result["paper"]["metadata_usage"] = OLD_USAGE  # as a report from the metadata-pass days carried it
    (out / "report.json").write_text(json.dumps(written, ensure_ascii=False))
    old = load_report(out)
    assert old is not None and len(old.results) == len(written["results"])
    assert all(isinstance(r.paper.metadata_source, MetadataSource) for r in old.results)
    assert main(["run", str(samples), "-o", str(out), *live]) == 0  # everything stored: nothing is sent again
    assert "metadata_usage" not in (out / "report.json").read_text()


def test_a_new_store_has_no_metadata_table_and_keeps_every_migration_name(tmp_path):
    path = tmp_path / "runs.sqlite"
    RunStore(path).close()
    assert "metadata_answers" not in _tables(path)
    assert _applied(path) == [name for name, _ in store_module.MIGRATIONS]
    assert "003_metadata" in _applied(path) and _applied(path)[-1] == "005_drop_metadata"


def test_a_store_from_the_metadata_pass_days_loses_the_table_and_keeps_its_runs(tmp_path):
    path = tmp_path / "runs.sqlite"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE migrations (name TEXT PRIMARY KEY, applied_at TEXT)")
    for name, migrate in store_module.MIGRATIONS[:4]:
        migrate(db)
        db.execute("INSERT INTO migrations VALUES (?, 'then')", (name,))
    db.execute("INSERT INTO metadata_answers VALUES ('s', 'p', 'm', '{}', 1, 1, 'then')")
    runs_before = {row[1] for row in db.execute("PRAGMA table_info(runs)")}
    db.commit()
    db.close()
    RunStore(path).close()
    assert "metadata_answers" not in _tables(path) and "runs" in _tables(path)
    with sqlite3.connect(path) as db:
        assert {row[1] for row in db.execute("PRAGMA table_info(runs)")} == runs_before
    RunStore(path).close()  # opened again: the drop is not run twice
    assert _applied(path).count("005_drop_metadata") == 1
