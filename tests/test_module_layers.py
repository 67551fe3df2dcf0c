"""The layers: the import contracts in pyproject.toml hold (stages import only the stages below them,
PDFium and the OpenAI SDK each from one place), the registry takes folding without the organisation
rules, the PDF stage takes no constant of the metadata stage, and the word lists load only when names are read."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest


def _modules_after(statement: str) -> set[str]:
    """The project's modules a fresh interpreter holds after running `statement`."""
    probe = f"import sys; {statement}; print(' '.join(m for m in sys.modules if m.startswith('pipeline')))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    return set(out.split())


@pytest.mark.slow  # a fresh interpreter
def test_the_registry_folds_without_importing_the_organisation_rules():
    loaded = _modules_after("import pipeline.names.registry")
    assert "pipeline.names.folding" in loaded
    assert not loaded & {"pipeline.names.institutions", "pipeline.names.organisation_rules", "pipeline.names.organisation_table"}


@pytest.mark.slow  # a fresh interpreter
def test_the_pdf_stage_imports_nothing_of_the_metadata_stage():
    loaded = _modules_after("import pipeline.extract.pdf")
    assert not any(m.startswith("pipeline.metadata") for m in loaded)
    assert "pipeline.rules" in loaded


@pytest.mark.slow  # a fresh interpreter
def test_the_word_lists_are_read_on_first_use_not_on_import():
    probe = ("import sys, pipeline.names.institutions as inst; before = 'yaml' in sys.modules; "
             "inst.organisation_of('Dept. of X, Orchard University'); print(before, 'yaml' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "True"]  # the YAML reader is imported when the lists are first read


@pytest.mark.slow  # lint-imports in a child process (CI runs it too)
def test_the_import_contracts_hold():
    """lint-imports, as CI runs it: a new circular import between stages fails the suite too. In a
    child process: import-linter configures logging, which would silence this process's loggers."""
    root = Path(__file__).resolve().parent.parent
    code = "import sys; from importlinter.cli import lint_imports; sys.exit(lint_imports(no_cache=True, no_logo=True))"
    run = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]


@pytest.mark.slow  # a whole replayed run in a fresh interpreter
def test_a_run_reads_its_pdfs_without_loading_pdfium_in_its_own_process(tmp_path):
    """The readers read the PDFs; the run's own process only names their function. PDFium there
    would cost every run some 8 MB of resident memory for nothing (the throughput bench's peak)."""
    root = Path(__file__).resolve().parent.parent
    probe = ("import sys; from pipeline.cli import main; "
             f"code = main(['run', {str(root / 'inputs')!r}, '-o', {str(tmp_path)!r}, '--cassette', "
             f"{str(root / 'tests' / 'cassettes' / 'samples.yaml')!r}]); "
             "print(code, 'pypdfium2' in sys.modules)")
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert run.stdout.split()[-2:] == ["0", "False"], run.stdout[-2000:] + run.stderr[-2000:]
    assert "论文技术简报" in (tmp_path / "report.md").read_text(encoding="utf-8")  # the PDFs were read and briefed
