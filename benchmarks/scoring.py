"""The scorer: its own folding of institution names (apart from the reader's), and per-field right/wrong."""

from __future__ import annotations

import difflib
import re
import unicodedata

from pipeline.models import Paper

# The scorer keeps its own folding, apart from the reader's (institutions.fold), so a change in
# the reader can never make the benchmark more lenient. It follows the corpus README's rules.
_BENCH_ABBREVIATIONS = [(r"\buniv\b\.?", "university"), (r"\binst\b\.", "institute"),
                        (r"\btech\b\.", "technology"), (r"\bnatl?\b\.", "national"), (r"\bdept\b\.", "department")]


def fold_text(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"[\W_]+", "", text.casefold())


def _name_forms(name: str) -> set[str]:
    """A name folded, with and without its bracketed acronym, and the acronym alone."""
    low = re.sub(r"^\s*the\s+", "", name.casefold())
    for pattern, full in _BENCH_ABBREVIATIONS:
        low = re.sub(pattern, full, low)
    forms = {fold_text(low)}
    bracket = re.search(r"\(([^()]*(?:\([^()]*\))?[^()]*)\)\s*$", low)
    if bracket:
        forms |= {fold_text(low[: bracket.start()]), fold_text(bracket.group(1))}
    return {f for f in forms if f}


def _inst_match(a: str, b: str) -> bool:
    for fa in _name_forms(a):
        for fb in _name_forms(b):
            if fa == fb:
                return True
            short, long_ = sorted((fa, fb), key=len)
            if len(short) >= 4 and short in long_ and len(short) >= 0.75 * len(long_):
                return True
            if min(len(fa), len(fb)) >= 8 and difflib.SequenceMatcher(None, fa, fb).ratio() >= 0.92:
                return True
    return False


def score_institutions(found: list[str], truth: list[str]) -> tuple[int, int, int]:
    """(true positives, found, truth) with one-to-one matching."""
    remaining = list(truth)
    hits = 0
    for name in found:
        for other in remaining:
            if _inst_match(name, other):
                remaining.remove(other)
                hits += 1
                break
    return hits, len(found), len(truth)


def right_fields(paper: Paper, expected: dict) -> dict[str, bool]:
    """Whether a paper's title, author count and institutions (every one, exactly) are right."""
    hits, found, want = score_institutions(paper.institutions, expected["institutions"])
    out = {"title": fold_text(paper.title) == fold_text(expected["title"]), "institutions": hits == found == want}
    if expected.get("author_count") is not None:
        out["author_count"] = paper.author_count == expected["author_count"]
    return out


def against_rules(rules: dict[str, Paper], published: dict[str, Paper], truth: dict) -> dict[str, dict[str, int]]:
    """Per field: papers the rules alone read right, papers published right, and papers where a
    right rules reading was replaced by a wrong one (what a weak model must never do)."""
    out: dict[str, dict[str, int]] = {}
    for name, paper in published.items():
        before, after = right_fields(rules[name], truth[name]), right_fields(paper, truth[name])
        for field, right in after.items():
            counts = out.setdefault(field, {"rules": 0, "published": 0, "replaced": 0})
            counts["rules"] += before[field]
            counts["published"] += right
            counts["replaced"] += before[field] and not right
    return out

