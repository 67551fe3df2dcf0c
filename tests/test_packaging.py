"""A plain `pip install .` ships every package of the source tree (the list in pyproject.toml is explicit)."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_package_folder_is_in_the_wheel_list():
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(init.parent.relative_to(ROOT).parts) for init in (ROOT / "pipeline").rglob("__init__.py")}
    assert found <= listed, f"not shipped: {sorted(found - listed)}"
