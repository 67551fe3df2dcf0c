"""Build pipeline/data/ror.sqlite, the registry table shipped inside the package.

    python scripts/build_registry.py [../shared/registry/ror-merged.jsonl.gz] [-o pipeline/data/ror.sqlite]

Reads the merged ROR copy (CC0; see /work/shared/registry/README.md) and keeps what lookups need:
active organisations with their name, type, country, one parent (only when the record names exactly
one) and Chinese label, and every name form (name, aliases, acronyms, labels in Chinese or a Latin
script) folded the way the reader folds them (`pipeline.names.institutions.fold`). The index holds an
4-byte hash of each folded form; the forms themselves sit once, in the organisation's row, where a
lookup confirms them. So a lookup is one indexed query and the table stays small. The output is
deterministic: same input, same bytes. Rebuild it whenever `fold`
changes (the table records a fingerprint of `fold` that the reader checks).
"""

from __future__ import annotations

import argparse
import collections
import gzip
import json
import re
import sqlite3
import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.names.institutions import fold  # noqa: E402  (the reader's own folding)
from pipeline.names.registry import FOLD_PROBE, KIND, key_hash  # noqa: E402

_TAIL = re.compile(r"^(.*\S)\s*\(([^()]+)\)$")


def _latin_or_chinese(text: str) -> bool:
    """Labels worth a lookup: Chinese, or written in a Latin script (Japanese, Cyrillic, Arabic... are left out)."""
    if re.search(r"[\u4e00-\u9fff]", text):
        return True
    return all(not ch.isalpha() or "LATIN" in unicodedata.name(ch, "") for ch in text)


def _records(source: Path) -> list[dict]:
    with gzip.open(source, "rt", encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle]
    return sorted((r for r in rows if r.get("status") == "active"), key=lambda r: r["id"])


def _countries(rows: list[dict]) -> dict[str, str]:
    """ISO code -> the English name ROR appends to company names ('Microsoft (United States)')."""
    votes: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for r in rows:
        match = _TAIL.match(r["name"])
        if match and r.get("country"):
            votes[r["country"]][match.group(2)] += 1
    return {code: c.most_common(1)[0][0] for code, c in sorted(votes.items()) if c.most_common(1)[0][1] >= 3}


def _forms(r: dict, country_names: set[str]) -> dict[str, int]:
    """Folded form -> its kind (the strongest when one form has several)."""
    out: dict[str, int] = {}

    def add(text: str, kind: str) -> None:
        key = fold(text)
        if len(key) >= 2 and (key not in out or KIND[kind] < out[key]):
            out[key] = KIND[kind]

    add(r["name"], "name")
    for alias in r.get("aliases") or []:
        add(alias, "alias")
    for acronym in r.get("acronyms") or []:
        add(acronym, "acronym")
    for _lang, label in sorted((r.get("labels") or {}).items()):
        if _latin_or_chinese(label):
            add(label, "label")
    for text in [r["name"], *(r.get("aliases") or [])]:
        match = _TAIL.match(text)
        if match and match.group(2) in country_names:  # 'Microsoft (United States)' is printed 'Microsoft'
            add(match.group(1), "qualified")
    return out


def build(source: Path, output: Path) -> dict[str, int]:
    rows = _records(source)
    countries = _countries(rows)
    index = {r["id"]: i + 1 for i, r in enumerate(rows)}
    output.unlink(missing_ok=True)
    db = sqlite3.connect(output)
    db.executescript("""
        PRAGMA page_size = 4096;
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;
        CREATE TABLE countries (code TEXT PRIMARY KEY, name TEXT) WITHOUT ROWID;
        CREATE TABLE orgs (id INTEGER PRIMARY KEY, ror TEXT, name TEXT, type TEXT, country TEXT,
                           parent INTEGER, zh TEXT, forms TEXT);
        CREATE TABLE forms (hash INTEGER, org INTEGER, kind INTEGER, PRIMARY KEY (hash, org)) WITHOUT ROWID;
    """)
    names = set(countries.values())
    n_forms = 0
    for r in rows:
        parents = [x["id"] for x in r.get("relationships") or [] if x.get("type") == "parent" and x.get("id") in index]
        forms = _forms(r, names)
        labels = r.get("labels") or {}
        db.execute("INSERT INTO orgs VALUES (?, ?, ?, ?, ?, ?, ?, ?)", (
            index[r["id"]], r["id"], r["name"], (r.get("types") or [""])[0], r.get("country") or "",
            index[parents[0]] if len(parents) == 1 else None, labels.get("zh", ""),
            " ".join(f"{kind}{key}" for key, kind in sorted(forms.items()) if key != fold(r["name"]))))
        db.executemany("INSERT OR IGNORE INTO forms VALUES (?, ?, ?)",
                       [(key_hash(k), index[r["id"]], kind) for k, kind in sorted(forms.items())])
        n_forms += len(forms)
    db.executemany("INSERT INTO countries VALUES (?, ?)", sorted(countries.items()))
    db.executemany("INSERT INTO meta VALUES (?, ?)", [
        ("source", "ROR (Research Organization Registry), CC0; merged copy, see README 'Where the names come from'"),
        ("fold_probe", fold(FOLD_PROBE)), ("organisations", str(len(rows))), ("forms", str(n_forms))])
    db.commit()
    db.execute("VACUUM")
    db.close()
    return {"organisations": len(rows), "forms": n_forms, "countries": len(countries), "bytes": output.stat().st_size}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("source", type=Path, nargs="?", default=ROOT.parent / "shared/registry/ror-merged.jsonl.gz")
    parser.add_argument("-o", "--output", type=Path, default=ROOT / "pipeline/data/ror.sqlite")
    args = parser.parse_args(argv)
    print(build(args.source, args.output))
    return 0


if __name__ == "__main__":
    sys.exit(main())
