"""Watched organisations (paperbrief.yaml's `watch:`): which of a paper's institutions belong to one.

An entry is a name or a ROR id. It is matched through the registry and the hand tables, so a lab
counts for its parent company: the registry's parent links (Microsoft Research Asia -> Microsoft),
the hand table's forms of one organisation ('Huawei Noah's Ark Lab' is a form of Huawei) and
data/organisation_parents.yaml for a lab the registry does not link (DAMO Academy -> Alibaba Group).
An entry neither knows is matched by its name alone, and the caller says so once.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from importlib import resources

from . import registry
from .folding import fold
from .organisation_table import hand_row

_ROR = re.compile(r"^(?:https?://)?(?:ror\.org/)?(0[a-hj-km-np-tv-z0-9]{6}[0-9]{2})$", re.I)
_UP = 6  # parent links followed at most (the registry's chains are short; a loop ends here)


@dataclass(frozen=True)
class Watched:
    """One `watch:` entry as matched: the name the report shows, the keys and registry ids it stands for."""

    entry: str
    name: str
    keys: frozenset[str]
    ids: frozenset[int]
    known: bool

    def matches(self, institution: str) -> bool:
        line = lineage(institution)
        return bool(self.ids & line.ids or self.keys & line.keys) or any(_starts_with(institution, k) for k in self.words)

    @property
    def words(self) -> tuple[str, ...]:
        return (self.name,) if not self.known else (self.name, self.entry)


@dataclass(frozen=True)
class Lineage:
    keys: frozenset[str]  # folded names of the institution and every organisation above it
    ids: frozenset[int]  # registry ids of the same


def resolve(entry: str) -> Watched:
    """A `watch:` entry: a ROR id is the registry's organisation (shown by its name), a name is
    every form the hand table and the registry give it."""
    ror = _ROR.match(entry.strip())
    if ror:
        org = registry.by_ror(ror.group(1).lower())
        if org is not None:
            return Watched(entry, _plain(org.name), frozenset(org.keys()), frozenset({org.id}), True)
        return Watched(entry, entry, frozenset({fold(entry)}), frozenset(), False)
    row = hand_row(entry)
    keys = {fold(entry)} | ({fold(form) for form in [*row.names, *row.chinese]} if row else set())
    orgs = registry.candidates(entry) if len(fold(entry)) > 2 else []  # a short acronym names many: by name only
    ids = {org.id for org in orgs if org.type == "company" or len(orgs) == 1 or _named(org, entry)}
    return Watched(entry, entry, frozenset(keys), frozenset(ids), bool(row or ids))


@functools.lru_cache(maxsize=4096)
def lineage(institution: str) -> Lineage:
    """The institution's names and registry ids, and those of every organisation it belongs to."""
    keys, ids = set(), set()
    todo, seen = [institution], set()
    while todo:
        name = todo.pop()
        if fold(name) in seen or len(seen) > 3 * _UP:
            continue
        seen.add(fold(name))
        keys.add(fold(name))
        row = hand_row(name)
        if row is not None:
            keys |= {fold(form) for form in [*row.names, *row.chinese]}
            todo.append(row.name)
        todo += [parent for lab, parent in _parents().items() if lab in keys]
        org = registry.identify(name)
        for _ in range(_UP):
            if org is None or org.id in ids:
                break
            ids.add(org.id)
            keys.add(fold(_plain(org.name)))
            org = registry.parent(org)
    return Lineage(frozenset(keys), frozenset(ids))


def _plain(name: str) -> str:
    """The registry's name without its country ('Huawei Technologies (China)' -> 'Huawei Technologies')."""
    return re.sub(r"\s*\([^()]*\)$", "", name)


def _named(org: registry.Organisation, entry: str) -> bool:
    return fold(_plain(org.name)) == fold(entry)


def _words(text: str) -> list[str]:
    text = unicodedata.normalize("NFKD", text)
    return re.findall(r"\w+", "".join(ch for ch in text if not unicodedata.combining(ch)).casefold())


def _starts_with(institution: str, name: str) -> bool:
    """'Huawei Technologies Co., Ltd.' starts with the words of 'Huawei': the company under a longer name."""
    want, have = _words(name), _words(institution)
    return bool(want) and have[: len(want)] == want


@functools.cache
def _parents() -> dict[str, str]:
    """Folded lab name -> its company, from data/organisation_parents.yaml."""
    import yaml

    text = resources.files("pipeline").joinpath("data/organisation_parents.yaml").read_text(encoding="utf-8")
    return {fold(lab): company for lab, company in (yaml.safe_load(text) or {}).items()}
