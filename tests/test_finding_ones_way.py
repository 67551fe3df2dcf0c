"""Finding one's way: `paperbrief init` writes a commented paperbrief.yaml with every key,
`paperbrief config` shows the settings in force and where each came from (never the key), and
`paperbrief log` shows what the run store holds."""

from __future__ import annotations

import re
from pathlib import Path

import make_samples
import yaml

from pipeline.cli import main
from pipeline.settings import ConfigFile, Settings


def test_init_writes_every_key_commented_with_its_default_and_never_overwrites(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["init"]) == 0
    text = Path("paperbrief.yaml").read_text(encoding="utf-8")
    assert (yaml.safe_load(text) or {}) == {}  # all commented out: the file changes nothing
    for key in ConfigFile.model_fields:
        at = text.index(f"\n# {key}:")
        reason = text[:at].rsplit("\n", 1)[1]
        assert reason.startswith("# ") and len(reason) > 10, key  # one line of reason above each key
    uncommented = yaml.safe_load(re.sub(r"(?m)^# (?=[a-z_]+:|  )", "", text))
    assert set(uncommented) == set(ConfigFile.model_fields)
    config = ConfigFile.model_validate(uncommented)  # every key as written is a valid setting
    assert config.timeout == Settings().timeout and config.rules == Settings().rules
    Path("paperbrief.yaml").write_text("timeout: 5\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["init"]) == 2
    assert "already exists" in capsys.readouterr().err and Path("paperbrief.yaml").read_text() == "timeout: 5\n"


def test_config_says_where_each_setting_came_from_and_never_prints_the_key(tmp_path, monkeypatch, capsys):
    config = tmp_path / "paperbrief.yaml"
    config.write_text("timeout: 120\nconcurrency: 2\n", encoding="utf-8")
    monkeypatch.setenv("PAPERBRIEF_CONFIG", str(config))
    monkeypatch.setenv("OPENAI_API_KEY", "sk-do-not-print-0000")
    monkeypatch.setenv("PAPERBRIEF_MODEL", "qwen-plus")
    assert main(["config", "--concurrency", "3"]) == 0
    said = capsys.readouterr().out
    rows = {line.split()[0]: line for line in said.splitlines()}
    assert "sk-do-not-print" not in said
    assert rows["api_key"].endswith("set  (env OPENAI_API_KEY)")
    assert rows["timeout"].endswith(f"120.0  (file {config})")
    assert rows["concurrency"].endswith("3  (flag --concurrency)")
    assert rows["model"].endswith("qwen-plus  (env PAPERBRIEF_MODEL)")
    assert rows["attempts"].endswith("6  (default)")
    assert set(rows) == {"api_key", *ConfigFile.model_fields}


def test_log_shows_what_the_run_store_holds(samples, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["run", str(samples), "-o", str(out), "--cassette", str(make_samples.CASSETTE)]) == 0
    capsys.readouterr()
    assert main(["log", str(out), "--limit", "2"]) == 0
    said = capsys.readouterr().out.splitlines()
    n = len(make_samples.SAMPLES)
    assert said[0].startswith(f"{out / 'runs.sqlite'}: {n} brief(s) of {n} paper(s), {n} passing;") and "$" in said[0]
    assert said[1].startswith("prompts: brief v") and said[2] == f"models: gpt-4o-mini ({n})"
    assert len([line for line in said if "  ok    " in line]) == 2 and said[-1].startswith(f"... {n - 2} older")
    assert main(["log", str(tmp_path / "nowhere")]) == 2
