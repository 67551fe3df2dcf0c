"""Prompts you can find: one rule picks the prompt in force (--prompt, then `prompt:` in
paperbrief.yaml, then ./prompts/brief.yaml in the working folder, then the packaged default),
`--help` states it, and `paperbrief prompt` shows, prints and copies it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import make_samples
import pytest

from pipeline.brief.prompts import DEFAULT_PROMPT
from pipeline.cli import build_parser, main

ASK = "请读取下面这篇论文的首页信息，并写一句简报。"


def working_folder(tmp_path: Path, monkeypatch, config: str | None = None) -> Path:
    """A working folder outside the repository, with its own paperbrief.yaml when `config` is given."""
    folder = tmp_path / "work"
    folder.mkdir()
    monkeypatch.chdir(folder)
    if config is not None:
        (folder / "paperbrief.yaml").write_text(config, encoding="utf-8")
        monkeypatch.delenv("PAPERBRIEF_CONFIG")
    return folder


def write_prompt(path: Path, ask: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(DEFAULT_PROMPT.read_text(encoding="utf-8").replace(ASK, ask), encoding="utf-8")
    return path


def test_a_prompt_in_the_working_folder_is_the_one_in_force(samples, tmp_path, monkeypatch, capsys):
    working_folder(tmp_path, monkeypatch)
    write_prompt(Path("prompts/brief.yaml"), "请读取首页并写一句工作目录里的简报。")
    assert main(["rerun", str(samples / "lattice-kv.pdf"), "--dry-run"]) == 0
    assert "工作目录里的简报" in capsys.readouterr().out
    assert main(["prompt", "path"]) == 0
    said = capsys.readouterr().out
    assert said.startswith(str(Path("prompts/brief.yaml").absolute())) and "working folder" in said


def test_the_flag_beats_the_config_which_beats_the_working_folder(tmp_path, monkeypatch, capsys):
    working_folder(tmp_path, monkeypatch, config="prompt: mine.yaml\n")
    write_prompt(Path("prompts/brief.yaml"), "工作目录")
    write_prompt(Path("mine.yaml"), "配置文件")
    write_prompt(Path("flag.yaml"), "命令行")
    assert main(["prompt", "path"]) == 0
    assert "mine.yaml  (file paperbrief.yaml)" in capsys.readouterr().out
    assert main(["prompt", "show", "--prompt", "flag.yaml"]) == 0
    assert "命令行" in capsys.readouterr().out


def test_without_any_the_packaged_default_is_in_force(tmp_path, monkeypatch, capsys):
    working_folder(tmp_path, monkeypatch)
    assert main(["prompt", "path"]) == 0
    assert capsys.readouterr().out == f"{DEFAULT_PROMPT.absolute()}  (packaged default)\n"
    assert main(["prompt", "show"]) == 0
    assert capsys.readouterr().out == DEFAULT_PROMPT.read_text(encoding="utf-8")


def test_prompt_copy_writes_the_default_out_and_never_overwrites(tmp_path, monkeypatch, capsys):
    working_folder(tmp_path, monkeypatch)
    assert main(["prompt", "copy"]) == 0
    copied = Path("prompts/brief.yaml")
    assert copied.read_bytes() == DEFAULT_PROMPT.read_bytes()
    copied.write_text("edited", encoding="utf-8")
    capsys.readouterr()
    assert main(["prompt", "copy"]) == 2
    assert "already exists" in capsys.readouterr().err and copied.read_text(encoding="utf-8") == "edited"
    assert main(["prompt", "copy", "mine.yaml"]) == 0 and Path("mine.yaml").read_bytes() == DEFAULT_PROMPT.read_bytes()
    assert main(["prompt", "path", "extra"]) == 2


def test_help_states_the_rule(capsys):
    for argv in (["--help"], ["run", "--help"], ["prompt", "--help"]):
        with pytest.raises(SystemExit):
            build_parser().parse_args(argv)
        said = " ".join(capsys.readouterr().out.split())
        assert "./prompts/brief.yaml in the working folder" in said and "packaged default" in said


@pytest.mark.slow
def test_the_readme_walkthrough_runs_from_a_folder_outside_the_repository(sample_dir, tmp_path, standin):
    """The README's "Tuning the prompt" steps, as a user types them, in a fresh folder with the
    installed command (the editable install: the packaged default is the checkout's)."""
    folder = tmp_path / "digest"
    shutil.copytree(sample_dir, folder / "papers")
    command = Path(sys.executable).parent / "paperbrief"
    env = {**os.environ, "OPENAI_BASE_URL": standin.base_url, "OPENAI_API_KEY": "k"}
    env.pop("PAPERBRIEF_CONFIG", None)

    def step(line: str) -> str:
        done = subprocess.run(line, shell=True, cwd=folder, env={**env, "PATH": f"{command.parent}:{env['PATH']}"},
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, f"{line}: {done.stderr}"
        return done.stdout

    readme = (make_samples.ROOT / "README.md").read_text(encoding="utf-8")
    walkthrough = readme[readme.index("### Tuning the prompt: a walkthrough"):readme.index("To see the page in a real browser")]
    commands = re.findall(r"`((?:paperbrief|cp) [^`]*)`", walkthrough)
    assert commands, "the walkthrough names its commands"
    for line in commands:
        step(line)
        if line.startswith("cp "):  # the user edits the copy: a new version and a changed system message
            mine = folder / "mine.yaml"
            mine.write_text(mine.read_text(encoding="utf-8").replace(ASK, "请读取首页并写一句周报简报。"), encoding="utf-8")
    assert (folder / "outputs" / "compare.html").is_file() and (folder / "outputs" / "report.md").is_file()
