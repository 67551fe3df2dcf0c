"""Folding names for comparison: the one key the rules, the checks and the registry table share.

The registry table (data/ror.sqlite) stores keys folded by `fold` and checks a probe on opening
(registry.FOLD_PROBE): a change of folding needs the table rebuilt. The module imports nothing of
the project, so the registry and the rules both take it without a circle."""

from __future__ import annotations

import functools
import re
import unicodedata

# short forms spelt out before folding (and in an entry before it is read)
ABBREVIATIONS = [(re.compile(r"\bUniv\.?(?=\s|$)", re.I), "University"), (re.compile(r"\bInst\.(?=\s|$)"), "Institute"),
                 (re.compile(r"\bTech\.(?=\s|$)"), "Technology"), (re.compile(r"\bNat\.(?=\s|$)"), "National")]
FOLD_CACHE = 16384  # distinct phrases folded per process: a page's parts are folded again by each check


@functools.lru_cache(maxsize=FOLD_CACHE)
def fold(name: str) -> str:
    """Comparison key: accents, case, spaces and punctuation folded; common abbreviations expanded
    (cached: the rules, the checks and the registry fold the same phrases again and again)."""
    for pattern, full in ABBREVIATIONS:
        name = pattern.sub(full, name)
    name = unicodedata.normalize("NFKD", name)
    name = "".join(ch for ch in name if not unicodedata.combining(ch))
    name = re.sub(r"^the\s+", "", name.strip(), flags=re.I)
    return re.sub(r"[\W_]+", "", name.casefold())
