"""The world's research organisations (ROR, CC0) as the vocabulary for names.

Whether a phrase is an organisation, what an acronym stands for, which organisation a school
belongs to and what an institution is called in Chinese are facts; they come from the registry
table shipped as package data (`data/ror.sqlite`, built by `scripts/build_registry.py`). The table
is opened lazily, read-only, as an index: a reader process pays for the pages it touches, never
for the whole table. Registry text is data: it is compared and shown escaped, never executed.

An acronym or a name shared by several organisations identifies none of them by itself: only
something else the page prints (another of its forms, its country, its parent) narrows it to one.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import re
import sqlite3
from collections.abc import Iterable
from importlib import resources

from ..extract.text import for_matching
from .folding import fold
from .vocabulary import mapping  # printed country forms the registry's English names do not cover

# kinds of name form, strongest first (the build script stores the number)
KIND = {"name": 0, "alias": 1, "label": 2, "acronym": 3, "qualified": 4}
ACRONYM = KIND["acronym"]
# the table stores folded keys: the reader's folding must give this probe the stored value
FOLD_PROBE = "The Université Côte d'Azur, Univ. Tech. — 清华大学 (THU)"
_DATA = "data/ror.sqlite"


@dataclasses.dataclass(frozen=True)
class Organisation:
    """One active ROR organisation: its names (folded keys by kind), type, country and parent."""

    id: int
    ror: str
    name: str
    type: str
    country: str
    parent_id: int | None
    zh: str
    forms: tuple[tuple[int, str], ...]

    def keys(self, *kinds: int) -> list[str]:
        """Its folded name forms, of the given kinds (all when none is given)."""
        return [key for kind, key in self.forms if not kinds or kind in kinds]


class _Closed(Exception):
    pass


_files = contextlib.ExitStack()  # keeps an extracted copy alive when the package is zipped


@functools.cache
def _db() -> sqlite3.Connection:
    """The table, opened once per process, read-only (immutable: no locks, no journal)."""
    path = _files.enter_context(resources.as_file(resources.files("pipeline") / _DATA))
    db = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True, check_same_thread=False)
    db.execute("PRAGMA cache_size = -1024")  # 1 MB of pages at most: the index, not the table
    stored = db.execute("SELECT value FROM meta WHERE key = 'fold_probe'").fetchone()
    if stored is None or stored[0] != fold(FOLD_PROBE):
        raise RuntimeError("pipeline/data/ror.sqlite was built with another fold(): run scripts/build_registry.py")
    return db


def key_hash(key: str) -> int:
    """The index key of a folded form: 4 bytes of BLAKE2b (the few collisions are confirmed away)."""
    return int.from_bytes(hashlib.blake2b(key.encode("utf-8"), digest_size=4).digest(), "big", signed=True)


def _org(row: tuple) -> Organisation:
    """A row back into an organisation; its own name's folded form is not stored twice."""
    forms = ((KIND["name"], fold(row[2])), *((int(item[0]), item[1:]) for item in row[7].split()))
    return Organisation(row[0], row[1], row[2], row[3], row[4], row[5], row[6], forms)


@functools.lru_cache(maxsize=8192)
def by_id(org_id: int) -> Organisation | None:
    row = _db().execute("SELECT * FROM orgs WHERE id = ?", (org_id,)).fetchone()
    return _org(row) if row else None


def by_ror(ror: str) -> Organisation | None:
    """The organisation of a ROR id ('00cmhce21', as in https://ror.org/00cmhce21), if it is in the table."""
    row = _db().execute("SELECT * FROM orgs WHERE ror = ?", (ror,)).fetchone()
    return _org(row) if row else None


@functools.lru_cache(maxsize=8192)
def _matches(key: str) -> tuple[tuple[Organisation, int], ...]:
    if len(key) < 2:
        return ()
    rows = _db().execute("SELECT org, kind FROM forms WHERE hash = ? ORDER BY org", (key_hash(key),)).fetchall()
    orgs = [(by_id(org), kind) for org, kind in rows]
    return tuple((org, kind) for org, kind in orgs if org is not None and key in org.keys())  # a hash collision is no match


def clear_caches() -> None:
    """Forget the lookups made so far (a benchmark times the lookups with cold caches)."""
    by_id.cache_clear()
    _matches.cache_clear()


def candidates(name: str) -> list[Organisation]:
    """Every organisation one of whose forms this name is, full-name matches first."""
    return [org for org, _ in sorted(_matches(fold(name)), key=lambda m: m[1])]


def multinational(name: str) -> bool:
    """A company the registry files once per country ('Airbus (France)', 'Airbus (Italy)', …) by
    this name: a brand, not a town, even printed alone before one."""
    countries = {o.country for o in candidates(name) if o.type == "company"}
    return len(countries) >= 2


def knows(name: str) -> bool:
    """Whether the registry has an organisation by this name, alias, acronym or label."""
    return bool(_matches(fold(name)))


def parent(org: Organisation) -> Organisation | None:
    return by_id(org.parent_id) if org.parent_id else None


@functools.cache
def _federations() -> frozenset[str]:
    """ROR ids of the universities of universities ('University of London' over King's College
    London, LSE, UCL; a state system over its campuses): their members are organisations in their
    own right, never read as their units. Listed once from the registry by scripts/federations.py."""
    text = (resources.files("pipeline") / "data" / "federations.txt").read_text(encoding="utf-8")
    return frozenset(line.split()[0] for line in text.splitlines() if line.strip() and not line.startswith("#"))


class Context:
    """What page 1 prints, for narrowing a shared name: folded text and folded words."""

    def __init__(self, text: str) -> None:
        self.folded = fold(text)
        self.words = {w.casefold() for w in re.findall(r"[A-Za-z][A-Za-z&]*", for_matching(text))}  # 'ＭＩＴ' is MIT
        # a campus or branch in brackets is part of the short form: 'HKUST(GZ)' prints the acronym 'hkustgz'
        self.words |= {re.sub(r"[\W_]+", "", w).casefold() for w in re.findall(r"\b[A-Z][A-Za-z&]*\s?\([A-Z][A-Za-z]{0,5}\)", text)}
        self.text = text

    def prints_key(self, key: str, kind: int) -> bool:
        """An acronym (or any short form) as a whole word; a longer name anywhere."""
        if (kind == ACRONYM or len(key) <= 5) and key.isascii():
            return key in self.words
        return key in self.folded


def identify(name: str, context: Context | None = None) -> Organisation | None:
    """The one organisation this name means, or None when it is unknown or stays ambiguous.

    A full name (name, alias, label) outranks organisations that only share it as an acronym;
    several left are narrowed by what the page prints besides the name itself."""
    matches = _matches(fold(name)) or (_matches(fold(_US.sub("United States ", name))) if _US.match(name) else ())
    if not matches:
        return None
    best = min(kind for _, kind in matches)
    orgs = [org for org, kind in matches if kind == best or (best < ACRONYM and kind < ACRONYM)]
    if len(orgs) == 1:
        return orgs[0]
    if context is None:
        return None
    narrowed = _narrow(orgs, fold(name), context)
    return narrowed[0] if len(narrowed) == 1 else None


_US = re.compile(r"^(?:the\s+)?U\.?\s?S\.?\s+(?=[A-Z])")  # 'US Department of Agriculture', whose record spells the country out


def _narrow(orgs: list[Organisation], key: str, context: Context) -> list[Organisation]:
    """Keep the organisations the page names otherwise: another form, then country, then parent."""
    for test in (lambda o: any(context.prints_key(k, kind) for kind, k in o.forms if k != key),
                 lambda o: _country_printed(o.country, context),
                 lambda o: (p := parent(o)) is not None and any(context.prints_key(k, kind) for kind, k in p.forms)):
        kept = [o for o in orgs if test(o)]
        if len(kept) == 1:
            return kept
        if kept:
            orgs = kept
    return orgs


def _country_printed(code: str, context: Context) -> bool:
    return any(Context(form).folded in context.folded if " " in form else form.casefold() in context.words
               for form in country_forms(code))


def country_name(code: str) -> str | None:
    """The country an ISO code names ('CN' -> China), or None: the code must be printed in capitals."""
    names = _countries().get(code) if re.fullmatch(r"[A-Z]{2}", code) else None
    return names[0] if names else None


def country_forms(code: str) -> list[str]:
    if not code:
        return []
    return [*_countries().get(code, []), *mapping("country_forms").get(code, [])]


@functools.cache
def _countries() -> dict[str, list[str]]:
    return {code: [name] for code, name in _db().execute("SELECT code, name FROM countries")}


def chinese_label(name: str, context: Context | None = None) -> str:
    """The registry's Chinese label for this organisation (or its parent's, for a unit), or ''."""
    org = identify(name, context)
    return org.zh if org is not None else ""


def by_chinese(name: str) -> list[Organisation]:
    """The organisations whose label (Chinese or other) is exactly this name."""
    return [org for org, kind in _matches(fold(name)) if kind != ACRONYM]


def same_organisation(a: str, b: str, context: Context | None = None) -> bool:
    """Whether two names (an acronym and its spelt-out form, a Chinese label and its English
    name) are forms of one registry organisation; an ambiguous name matches nothing."""
    one, other = identify(a, context), identify(b, context)
    if one is not None and other is not None:
        return one.id == other.id
    if one is not None:
        return fold(b) in one.keys() and _unambiguous_for(b, one, context)
    if other is not None:
        return fold(a) in other.keys() and _unambiguous_for(a, other, context)
    return False


# words a university's name shares with any other body's: no sign that a unit is named after it
_COMMON_NAME_WORDS = frozenset("the of and for in at de la del di da des der university universidad universidade "
                               "universite universita universitat institute institut instituto technology college school "
                               "national state polytechnic academy sciences science".split())


def _named_after(up: Organisation, names: str) -> bool:
    """Whether a unit's names carry its parent's acronym or a word of its parent's own name
    ('MIT' in 'MIT CSAIL', 'Tsinghua' in 'Tsinghua Shenzhen International Graduate School')."""
    words = {fold(w) for w in re.findall(r"[^\W\d_]+", names)}
    own = {fold(w) for w in re.findall(r"[^\W\d_]+", up.name)} - _COMMON_NAME_WORDS
    return bool(words & (own | set(up.keys(ACRONYM)))) or any(k in fold(names) for k in up.keys() if len(k) >= 4 and not k.isascii())


def _unambiguous_for(name: str, org: Organisation, context: Context | None) -> bool:
    """A shared acronym stands for `org` only when the page narrows it to `org`."""
    return context is not None and [o.id for o in _narrow(candidates(name), fold(name), context)] == [org.id]


def lifted(name: str, printed: Iterable[str] = (), context: Context | None = None) -> Organisation | None:
    """The parent a unit belongs to ('Tsinghua Shenzhen International Graduate School' belongs to
    Tsinghua University, 'MIT CSAIL' to MIT), when the registry lists exactly one parent, the unit
    is a university's (the parent is an education body), the unit is named after it, and the parent
    is not among the names already printed. An institute under a name of its own ('The Florey
    Institute of Neuroscience and Mental Health', which the registry files under a university) is
    an organisation in its own right."""
    org = identify(name, context)
    up = parent(org) if org is not None else None
    if up is None or up.type != "education" or org.type not in ("education", "facility", "other") or up.ror in _federations():
        return None
    if not _named_after(up, f"{name} {org.name}"):
        return None
    if any(identify(p, context) == up for p in printed):
        return None
    return up
