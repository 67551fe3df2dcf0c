"""Write pipeline/data/federations.txt: the registry's universities of universities (the University of
London over King's College London and LSE; a state university system over its campuses), whose members
are organisations in their own right and never read as their units. Run after build_registry.py.

A parent counts when at least three of its education members are named as universities or colleges
themselves and do not carry the parent's own name ('Kyoto University Hospital' is Kyoto University's)."""

from __future__ import annotations

import re
import sqlite3
from collections import Counter
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "pipeline" / "data"
MEMBER = re.compile(r"\bUniversit|\bCollege\b(?!\s+of\b)")


def main() -> None:
    db = sqlite3.connect(f"file:{DATA / 'ror.sqlite'}?mode=ro", uri=True)
    names = dict(db.execute("SELECT id, name FROM orgs"))
    members = Counter(parent for parent, name in db.execute(
        "SELECT parent, name FROM orgs WHERE parent IS NOT NULL AND type = 'education'")
        if MEMBER.search(name) and names.get(parent, "\x00") not in name)
    rors = dict(db.execute("SELECT id, ror FROM orgs"))
    lines = sorted(f"{rors[p]}  {names[p]}" for p, n in members.items() if n >= 3)
    header = "# ROR ids of universities of universities (scripts/federations.py); their members are never their units\n"
    (DATA / "federations.txt").write_text(header + "\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(lines)} federations -> {DATA / 'federations.txt'}")


if __name__ == "__main__":
    main()
