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
from ..rules import in_force

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
    of <Subject> <mail stop>, <Town>, <State> <code>, USA'), or read whole as a town, a region and a
    country: whole entries whose organisation the rules could not read."""
    found = []
    for entry in entries:
        reading = inst.read_entry(entry)
        if not reading.kept and entry.count(",") == 2 and any(rule == "address-line" for _, rule in reading.dropped) \
                and inst.known(entry.split(",")[1].strip()) is None:  # not '<NAME>, <Known>, <Country>' (acmsmall)
            found.append(entry)  # '<Name>, <Town>, <Country>' read as '<Town>, <Region>, <Country>': a company with no organisation word
            continue
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


_CONTACT = re.compile(r"\b(?:phone|tel|fax|telephone)\b\s*[:.]", re.I)  # contact details dropped from an entry: nothing misread
_MAIL_CODE = re.compile(r"\s(?:MC|MS|Box)\s?\d{3,5}$")  # '<Centre> MC1207': a correspondence address's mail code
# 'ppat.1013990': a DOI's last piece on a line of its own; 'Submission Id: 1606': an anonymous copy's number; 'C-355': a room
_IDENTIFIER_PIECE = re.compile(r"(?:doi:?\s*)?[\w./-]*\d{4,}[\w./-]*|(?:submission|paper)\s*(?:id|#|no\.?|number)\s*:?\s*\d+|"
                               r"[A-Z]{1,2}-\d{2,4}", re.I)
_NOTE_PROSE = re.compile(r"\b(?:supported|funded) (?:in part )?by\b|^[a-z]{4,} |^[a-z]+ [a-z]+\b")  # a funding note's, a sentence's middle


def _prose(text: str) -> bool:
    """A sentence of the abstract or a publisher's notice run into the header's entries: many lower-case
    words (or a funding note's, or a sentence's middle), so no organisation's name was misread there."""
    words = re.findall(r"\b[a-z][a-z'-]+\b", text)
    return len(words) >= in_force().prose_dropped_min_words or bool(_NOTE_PROSE.search(text))


def misread_pieces(dropped: list[str], kept: list[str], authors: list[str]) -> list[str]:
    """The pieces dropped from the entries that may be an organisation misread: not prose, an
    author's own name (a correspondence line), an identifier, contact details, a mail code, nor a
    phrase around a name that was kept ('(<ABBR>) of the <University> (<U>)')."""
    people = {inst.fold(a) for a in authors}
    names = [inst.fold(k) for k in kept if len(inst.fold(k)) >= 8]
    return [d for d in dropped if not _prose(d) and inst.fold(d) not in people and not _IDENTIFIER_PIECE.fullmatch(d.strip())
            and not _CONTACT.search(d) and not _MAIL_CODE.search(d) and not any(n in inst.fold(d) for n in names)]
