"""A plain `pip install .` ships every package of the source tree (the list in pyproject.toml is explicit)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_every_package_folder_is_in_the_wheel_list():
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(init.parent.relative_to(ROOT).parts) for init in (ROOT / "pipeline").rglob("__init__.py")}
    assert found <= listed, f"not shipped: {sorted(found - listed)}"


def test_the_stand_in_and_the_benchmarks_are_not_in_the_runtime_package():
    listed = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    assert not (ROOT / "pipeline" / "standin.py").exists() and not any(p.startswith("benchmarks") for p in listed)


@pytest.mark.slow  # child processes
def test_pipeline_bench_runs_the_benchmarks_in_a_checkout_and_says_where_they_are_elsewhere(tmp_path):
    import shutil
    import subprocess
    import sys

    shown = subprocess.run([sys.executable, "-m", "pipeline.bench", "extract", "--help"], cwd=tmp_path,
                           capture_output=True, text=True, check=True).stdout
    assert "--truth" in shown
    alone = tmp_path / "installed" / "pipeline"  # the shim as a wheel installs it: no benchmarks/ beside the package
    alone.mkdir(parents=True)
    shutil.copy(ROOT / "pipeline" / "bench.py", alone / "bench.py")
    run = subprocess.run([sys.executable, str(alone / "bench.py")], capture_output=True, text=True)
    assert run.returncode == 1 and "source checkout" in run.stderr and len(run.stderr.splitlines()) == 1
