"""One exit path: a user's mistake in any command ends in one line naming the file and the cause,
exit 2 (usage) or 1 (a paper failed), and never a traceback."""

from __future__ import annotations

from pathlib import Path

import make_samples
import pytest

from pipeline.cli import main

CASSETTE = make_samples.ROOT / "tests" / "cassettes" / "samples.yaml"
DEAD = ["--base-url", "http://127.0.0.1:9/v1", "--api-key", "k"]  # never reached: the mistake is found first


@pytest.fixture
def bad_files(tmp_path: Path) -> dict[str, Path]:
    files = {
        "missing.yaml": None,
        "missing.json": None,
        "missing.pdf": None,
        "broken.yaml": "a: [\n",
        "not-a-prompt.yaml": "system: 1\n",
        "not-a-cassette.yaml": "interactions: 5\n",
        "broken.json": "{bad",
        "not-a-report.json": '{"a": 1}',
        "not-a-pdf.pdf": "plain text, no PDF header",
    }
    made = {}
    for name, text in files.items():
        path = tmp_path / name
        if text is not None:
            path.write_text(text)
        made[name] = path
    return made


def _commands(f: dict[str, Path], samples: Path, out: Path) -> list[tuple[str, list[str], str, int]]:
    """(what is wrong, argv, the file the line must name, exit code)."""
    pdf = str(samples / make_samples.SAMPLES[0].file)
    replay = ["--cassette", str(CASSETTE)]
    rows = []
    for label, name in (("missing prompt", "missing.yaml"), ("malformed prompt", "broken.yaml"),
                        ("prompt off the schema", "not-a-prompt.yaml")):
        prompt = ["--prompt", str(f[name])]
        rows += [
            (f"run: {label}", ["run", str(samples), "-o", str(out), *prompt, *replay], name, 2),
            (f"run --batch: {label}", ["run", str(samples), "-o", str(out), "--batch", *prompt, *DEAD], name, 2),
            (f"record: {label}", ["record", str(samples), "--cassette", str(out / "c.yaml"), *prompt, *DEAD], name, 2),
            (f"rerun: {label}", ["rerun", pdf, "-o", str(out), *prompt, *replay], name, 2),
            (f"compare: {label}", ["compare", str(samples), "--prompt", str(f[name]), "--prompt", str(f[name]),
                                   "-o", str(out), *replay], name, 2),
            (f"regress: {label}", ["regress", str(samples), *replay, *prompt], name, 2),
            (f"inspect --llm: {label}", ["inspect", pdf, "--llm", *prompt, *replay], name, 2),
        ]
    for label, name in (("missing cassette", "missing.yaml"), ("malformed cassette", "broken.yaml"),
                        ("cassette off the format", "not-a-cassette.yaml")):
        cas = ["--cassette", str(f[name])]
        rows += [
            (f"run: {label}", ["run", str(samples), "-o", str(out), *cas], name, 2),
            (f"rerun: {label}", ["rerun", pdf, "-o", str(out), *cas], name, 2),
            (f"compare: {label}", ["compare", str(samples), "--model", "a", "--model", "b", "-o", str(out), *cas], name, 2),
            (f"regress: {label}", ["regress", str(samples), *cas], name, 2),
            (f"inspect --llm: {label}", ["inspect", pdf, "--llm", *cas], name, 2),
        ]
    for label, name in (("missing golden", "missing.json"), ("malformed golden", "broken.json"),
                        ("golden that is not a report", "not-a-report.json")):
        rows.append((f"regress: {label}", ["regress", str(samples), *replay, "--golden", str(f[name])], name, 2))
    for label, name, code in (("missing PDF", "missing.pdf", 2), ("a file that is not a PDF", "not-a-pdf.pdf", 1)):
        path = str(f[name])
        rows += [
            (f"rerun: {label}", ["rerun", path, "-o", str(out), *replay], name, code),
            (f"inspect: {label}", ["inspect", path], name, code),
        ]
    rows += [
        ("run: missing input", ["run", str(f["missing.pdf"]), "-o", str(out), *replay], "missing.pdf", 2),
        ("compare: missing input", ["compare", str(f["missing.pdf"]), "--model", "a", "--model", "b", "-o", str(out),
                                    *replay], "missing.pdf", 2),
        ("regress: missing input", ["regress", str(f["missing.pdf"]), *replay], "missing.pdf", 2),
        ("status: no run store", ["status", str(out / "none")], "none", 2),
        ("cancel: no run store", ["cancel", str(out / "none")], "none", 2),
    ]
    return rows


def _ids() -> list[str]:
    fake = {name: Path(name) for name in ("missing.yaml", "missing.json", "missing.pdf", "broken.yaml",
                                          "not-a-prompt.yaml", "not-a-cassette.yaml", "broken.json",
                                          "not-a-report.json", "not-a-pdf.pdf")}
    return [row[0] for row in _commands(fake, Path("in"), Path("out"))]


@pytest.mark.parametrize("case", _ids())
def test_a_user_mistake_is_one_line_naming_the_file(case, bad_files, sample_dir, tmp_path, capsys):
    row = next(r for r in _commands(bad_files, sample_dir, tmp_path / "out") if r[0] == case)
    _, argv, named, code = row
    assert main(argv) == code
    captured = capsys.readouterr()
    lines = [line for line in captured.err.splitlines() if line.strip()]
    assert "Traceback" not in captured.err + captured.out
    problem = [line for line in lines if named in line]
    assert problem, captured.err
    assert len(lines) == 1, captured.err  # one line, not a story


@pytest.mark.parametrize("command", ["run", "rerun", "compare", "regress", "record", "inspect"])
def test_a_malformed_config_file_is_one_line_for_every_command(command, bad_files, sample_dir, tmp_path, monkeypatch,
                                                                capsys):
    monkeypatch.setenv("PAPERBRIEF_CONFIG", str(bad_files["broken.yaml"]))
    pdf = str(sample_dir / make_samples.SAMPLES[0].file)
    argv = {
        "run": ["run", str(sample_dir), "-o", str(tmp_path / "out"), "--cassette", str(CASSETTE)],
        "rerun": ["rerun", pdf, "-o", str(tmp_path / "out"), "--cassette", str(CASSETTE)],
        "compare": ["compare", str(sample_dir), "--model", "a", "--model", "b", "-o", str(tmp_path / "out"),
                    "--cassette", str(CASSETTE)],
        "regress": ["regress", str(sample_dir), "--cassette", str(CASSETTE)],
        "record": ["record", str(sample_dir), "--cassette", str(tmp_path / "c.yaml"), *DEAD],
        "inspect": ["inspect", pdf, "--llm", "--cassette", str(CASSETTE)],
    }[command]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert [line for line in err.splitlines() if line.strip()] == [f"paperbrief: {bad_files['broken.yaml']}: "
                                                                     f"not valid YAML at line 2"]
