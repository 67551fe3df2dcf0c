"""Small rooms: no module of the package is over 400 lines (one stage's one responsibility per module)."""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "pipeline"
LIMIT = 400


def test_no_module_is_over_400_lines():
    sizes = {str(p.relative_to(PACKAGE)): len(p.read_text(encoding="utf-8").splitlines()) for p in PACKAGE.rglob("*.py")}
    over = {name: n for name, n in sizes.items() if n > LIMIT}
    assert not over, f"modules over {LIMIT} lines: {over}"


def test_the_decision_is_split_by_responsibility():
    """decide.py weighs the two readings; what a field must be and an organisation's forms are modules of their own."""
    for name in ("decide.py", "field_checks.py", "forms.py"):
        assert (PACKAGE / "metadata" / name).is_file()
