"""Doubts about what the rules kept or left from the affiliations: a name cut where its line
ended, a Chinese unit named after an organisation read beside it, and an entry with a unit and an
address but no organisation read from it.

Each is read wrong without any sign the plausibility checks see: each piece on its own looks like
an organisation, or like nothing at all. What gives them away is the text around them.
"""

from __future__ import annotations

import re

from ..names import institutions as inst
from ..names import registry

# a word that ends an organisation's name, printed alone (not 'Department': a unit, whatever it was)
_ORG_WORD_ALONE = re.compile(r"^(?:the\s+)?(?:laborator(?:y|ies)|labs?|institutes?|college|academy|university|cent(?:er|re)|"
                             r"hospital|foundation)$", re.I)


def _unit_or_word(part: str) -> bool:
    """A department or a bare organisation word, but not a country: what follows a unit's name."""
    return inst.is_unit_or_generic(part) and not inst.is_place(part)


_CHINESE = re.compile(r"[\u4e00-\u9fff]")
_CHINESE_ORG_END = re.compile(r"(?:大学|学院|研究院)$")
_CHINESE_UNIT_END = re.compile(r"(?:实验室|研究中心|中心|研究所|研究院)$")


def cut_at_line_end(header: str, kept: list[str]) -> list[str]:
    """Organisation words that open a header line on their own ('Laboratory, <Town>, <Country>')
    while no kept name ends with them, and only an address follows: the organisation they end
    was cut where the line above ended. (A unit cut so is followed by its organisation.)"""
    ends = {name.split()[-1].lower() for name in kept if name.split()}
    cut = []
    for line in header.splitlines():
        first, *rest = [part.strip() for part in line.strip().split(",")]
        if not rest or not _ORG_WORD_ALONE.match(first) or first.split()[-1].lower() in ends or first in cut:
            continue
        if not any(inst.has_organisation_word(part) or _unit_or_word(part) or "@" in part for part in rest):
            cut.append(first)
    return cut


def units_named_after(kept: list[str]) -> list[str]:
    """Kept Chinese names that are a unit of another kept organisation: they begin with its whole
    name ('清华大学（<学院>）-<公司>' beside '清华大学'), or with its short name and end as a
    laboratory or a centre does ('清华<…>国家实验室'), and the registry does not know them as an
    organisation of their own."""
    units = []
    for name in kept:
        if not _CHINESE.search(name) or registry.identify(name) is not None:
            continue
        for other in kept:
            if other == name or not _CHINESE_ORG_END.search(other):
                continue
            stem = _CHINESE_ORG_END.sub("", other)
            if name.startswith(other) or (len(stem) >= 2 and name.startswith(stem) and _CHINESE_UNIT_END.search(name)):
                units.append(name)
                break
    return units


def entries_without_organisation(entries: list[str]) -> list[str]:
    """Entries that name a unit and an address down to the country, but no organisation ('Department
    of <Subject> <mail stop>, <Town>, <State> <code>, USA'): whole entries whose organisation the
    rules could not read."""
    found = []
    for entry in entries:
        reading = inst.read_entry(entry)
        if reading.kept or not any(rule == "unit-of-organisation" for _, rule in reading.dropped):
            continue
        if any(inst.is_place(part) for part, rule in reading.dropped if rule == "address"):
            found.append(entry)
    return found


_SUBJECT = re.compile(r"^(?:(?:Computer|Computing|Information|Data|Systems?|Science|Sciences|Engineering|Electrical|Mechanical|Civil|"
                      r"Mathematics|Mathematical|Physics|Chemistry|Biology|Statistics|Artificial|Intelligence|and|&)\s+)+"
                      r"(?:Laboratory|Lab|Department|Division|Group|Section)$")


def subject_units(kept: list[str]) -> list[str]:
    """Kept names that are a unit named by its subject alone ('Computer Science Laboratory'): which
    organisation keeps it is not read."""
    return [name for name in kept if _SUBJECT.match(name) and registry.identify(name) is None]


def acronym_joined(kept: list[str]) -> list[str]:
    """'Sciences Po & CEPR': a name and an organisation's acronym joined by '&', two organisations."""
    return [name for name in kept if re.search(r"\S\s+&\s+[A-Z]{3,6}$", name)]

