"""No CLI option and no orchestration step is written twice: every argument a command takes is declared
in one place, every command that takes INPUT... finds its PDFs with one step, and the cassette a
command's calls go through is chosen in one place."""

from __future__ import annotations

import ast
from pathlib import Path

from pipeline.cli import main
from pipeline.run import cassette
from pipeline.settings import Settings

PACKAGE = Path(__file__).resolve().parent.parent / "pipeline"


def _declared(folder: Path) -> list[str]:
    """The name of every argument an add_argument call in `folder` declares, once per call."""
    names = []
    for path in folder.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "add_argument":
                names += [a.value for a in node.args if isinstance(a, ast.Constant) and a.value.lstrip("-") not in ("o", "v")]
    return names


def test_every_argument_of_the_commands_is_declared_in_one_place():
    names = _declared(PACKAGE / "cli")
    twice = sorted({n for n in names if names.count(n) > 1} - {"pdf", "output_dir"})  # each: one command's own, differently meant
    assert not twice, f"declared in more than one place: {twice}"


def test_run_and_compare_find_their_pdfs_with_one_step(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("x")
    for argv in (["run", str(tmp_path), "--api-key", "k"], ["compare", str(tmp_path), "--model", "a", "--model", "b"]):
        assert main([*argv, "-o", str(tmp_path / "out")]) == 2
        assert f"{tmp_path}: no PDF files found" in capsys.readouterr().err
    sources = "".join(p.read_text(encoding="utf-8") for p in (PACKAGE / "cli").glob("*.py"))
    assert sources.count("no PDF files found") == 1 and sources.count("discover(") == 1


def test_the_cassette_a_command_uses_is_chosen_in_one_place(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("interactions: []\nversion: 1\n")
    assert type(cassette.for_settings(Settings())).__name__ == "nullcontext"
    with cassette.for_settings(Settings(cassette=path)) as replayed:
        assert isinstance(replayed, cassette.Replay)
    with cassette.for_settings(Settings(cassette=tmp_path / "new.yaml", record=True)) as recording:
        assert isinstance(recording, cassette.Recording)
    runner = (PACKAGE / "run" / "runner.py").read_text(encoding="utf-8")
    assert "cassette.replay(" not in runner and "cassette.record(" not in runner and "nullcontext()" not in runner
