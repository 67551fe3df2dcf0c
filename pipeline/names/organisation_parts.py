"""What one part of an affiliation entry is, and when two printed names are one organisation: the
tests organisation_rules' stages are built from (a town and its country, an address, a unit that names
its university or carries its organisation in brackets; a name repeated, a campus that is not)."""

from __future__ import annotations

import re

from ..rules import in_force
from . import registry
from .folding import fold
from .organisation_table import hand_row, known
from .vocabulary import (
    ACRONYM,
    NAMED_INSTITUTE,
    POSTCODE,
    STREET,
    STRONG,
    TOP,
    TOP_WORDS,
    US_STATE,
    WEAK,
    countries,
    institute_of_academy,
    is_unit,
)


def town_and_country(parts: list[str]) -> bool:
    """'Town, Country', 'Town, State, Country', 'Town, ST 12345' and nothing else, or a city's code
    and a country's code ('NKG, CN', as ACM prints places): no organisation is named."""
    if len(parts) == 2 and place_codes(parts):
        return True
    if len(parts) == 3 and (US_STATE.match(parts[1].strip()) or _STATE_NAME.match(parts[1].strip())):
        parts = [parts[0], parts[2]]  # '<Town>, <State>, USA'
    us_town = len(parts) == 2 and US_STATE.match(parts[1].strip(" ."))  # '<Town>, CA 94553': a wrapped entry's last line
    if len(parts) != 2 or (parts[1].lower().strip(" .") not in countries() and not us_town):
        return False
    town = parts[0].strip()
    return not (STRONG.search(town) or WEAK.search(town) or ACRONYM.match(town) or NAMED_INSTITUTE.match(town) or hand_row(town)
                or _registered_by_name(town)) \
        and 1 <= len(town.split()) <= in_force().town_max_words and all(w[:1].isupper() for w in town.split()) \
        and not registry.multinational(town)  # 'Airbus, Munich, Germany': a company, its town, its country


_CITY_CODE = re.compile(r"^[A-Z]{3}$")
_STATE_NAME = re.compile(r"^(?:[A-Z][a-z]+)(?: [A-Z][a-z]+)?$")  # 'California', 'New Jersey' (with a country after it)


def _registered_by_name(part: str) -> bool:
    """The registry gives an organisation exactly this name ('<Name>-Zentrum <Town>', 'The Carpentries'),
    not only a key a town shares ('Canberra' is a company's key, not its name)."""
    org = registry.identify(part)
    return org is not None and fold(part) in org.keys(registry.KIND["name"], registry.KIND["alias"])


def place_codes(parts: list[str]) -> bool:
    """'NKG, CN': a city's three-letter code and a country's ISO code, as ACM prints places (but
    'MIT, US' is an organisation the hand table knows, and its country)."""
    city, country = (p.strip(" .") for p in parts)
    return bool(_CITY_CODE.match(city)) and registry.country_name(country) is not None and hand_row(city) is None


def is_address(part: str, first: bool = False) -> bool:
    low = part.lower().strip(" .")
    if low in countries() or US_STATE.match(part.strip()) or STREET.match(part.strip()):
        return True
    if first:
        return False
    if STRONG.search(part) or WEAK.search(part) or NAMED_INSTITUTE.match(part) or known(part):
        return False  # 'CMS, Caltech': a known organisation's short name is not a town
    if POSTCODE.search(part):
        return True
    words = part.split()
    return len(words) <= in_force().town_max_words and all(w[:1].isupper() for w in words) and not is_unit(part)


def parenthesised_org(part: str) -> str:
    match = re.search(r"\(([^)]+)\)", part)
    return match.group(1) if match and STRONG.search(match.group(1)) else ""


# where a unit's name says whose it is: 'of', and as other languages say it ('da', 'de la', 'dell\'', 'di', 'der')
_OF = re.compile(r"\b(?:of|da|do|de(?:\s+la)?|del|della|dell['’]|di|der|des|du)\s*(?<=\s|['’])")


_ROMANCE_UNIVERSITY = re.compile(r"(?:the\s+)?Universi(?:dad|dade|tà|té)\b", re.I)  # 'Universidade de <Town>'


def university_inside(unit: str) -> str:
    """'AI Institute of <Name> University', 'School of X of the University of Y', 'Faculdade de
    Medicina da Universidade de <Town>': the university a unit names after 'of' or its like (the
    shortest such tail), or ''."""
    cuts = [m.end() for m in _OF.finditer(unit)]
    for cut in reversed(cuts):
        tail = unit[cut:]
        if tail[:1].isupper() or tail.lower().startswith("the "):
            if (TOP_WORDS.search(tail) or _ROMANCE_UNIVERSITY.match(tail)) and not is_unit(tail):
                return tail
    return ""


def inner_org(part: str) -> str:
    """'Key Laboratory of X (<Name> University)' names <Name> University; so does a wrapped
    '... Technologies (<Name> University)'. A university's own bracket, its campus ('(<Town>)'), stays."""
    if university := _university_inside(part):
        return university
    outside = re.sub(r"\([^)]*\)", " ", part)
    if is_unit(part) or not TOP.search(outside):
        return parenthesised_org(part) or part
    school = _SCHOOL_OF_UNIVERSITY.match(part)  # 'Informatics School of <Name> University': the university
    return school.group(1) if school and known(school.group(1)) else part


def _university_inside(part: str) -> str:
    """The university a unit's name ends with, in any language, when the registry knows that
    university and not the whole name (a university's hospital the registry lists is its own organisation)."""
    university = university_inside(part)
    if not university or registry.identify(part) is not None:
        return ""
    return university if registry.identify(university) is not None else ""


_SCHOOL_OF_UNIVERSITY = re.compile(
    r"^(?:[A-Z][\w&-]*\s+){1,4}(?:School|College|Faculty|Institute|Department|Laboratory|Lab|Cent(?:er|re))\s+of\s+"
    r"((?:the\s+)?(?:[A-Z][\w'’-]*\s+){1,3}University)$")


def dedupe_kept(kept: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Each organisation of one entry once (its first rule kept)."""
    out: list[tuple[str, str]] = []
    for name, rule in kept:
        if not any(repeats(name, o) for o, _ in out) and not any(_school_of(name, o) for o, _ in kept):
            out.append((name, rule))
    return out


_A_SCHOOL = re.compile(r"^(?:(?:Medical|Business|Law|Dental|Graduate|Management|Engineering)\s+)?School\b")


def _school_of(name: str, other: str) -> bool:
    """'<University> Medical School' printed with '<University>': the university's school, one organisation."""
    return name != other and name.startswith(other + " ") and bool(_A_SCHOOL.match(name[len(other) + 1:]))


def same_folded(a: str, b: str) -> bool:
    if a == b:
        return True
    short, long_ = sorted((a, b), key=len)
    return bool(short) and short in long_ and len(short) >= in_force().same_name_share * len(long_)


def campus_of(name: str, other: str) -> bool:
    """'X (<Town>)' beside 'X' is another campus, not a repeat ('X (XU)', an acronym, is a repeat)."""
    match = re.fullmatch(r"(.+?)\s*\(([^)]+)\)", name.strip())
    return bool(match) and fold(match.group(1)) == fold(other) and not re.fullmatch(r"[A-Z][A-Z&.\-]{2,}", match.group(2))


_CONNECTIVE = re.compile(r",\s*|\s+of\s+(?:the\s+)?", re.I)
# '<Name> Hospital Affiliated to <Name> University' is '<Name> Hospital' printed with its university
_AFFILIATED_TO = re.compile(r"\s+(?:affiliated|attached)\s+(?:to|with)\s+.+$", re.I)


def repeats(name: str, other: str) -> bool:
    """Whether two printed names stand for one organisation: the same name, or two names the
    registry files as one organisation ('北京交通大学' and 'Beijing Jiaotong University' on a bilingual page)."""
    if campus_of(name, other) or campus_of(other, name):
        return False
    if same_folded(fold(name), fold(other)) or fold(_CONNECTIVE.sub(" ", name)) == fold(_CONNECTIVE.sub(" ", other)):
        return True  # '<Institute>, <Academy>' and '<Institute> of <Academy>' in another note
    if fold(_AFFILIATED_TO.sub("", name)) == fold(_AFFILIATED_TO.sub("", other)):
        return True
    first, second = registry.identify(name), registry.identify(other)
    return first is not None and second is not None and first.id == second.id


def institutes_beside_university(parts: list[str], strong: list[str]) -> list[str]:
    """Research institutes by their own short name, beside a university kept: printed after it
    ('<University>, <LAB>, <SCHOOL>') or hyphenated ('<LAB>-CNRS'). An acronym before the
    university is its own school ('<ABC>, <Name> University'). An academy's institute is no
    university's unit ('Institute of <Subject>, Chinese Academy of Sciences; University of Chinese
    Academy of Sciences' names two). The university's own first word is its town ('IBB University, IBB')."""
    if not any(TOP.search(p) for p in strong):
        return []
    first_top = next((i for i, p in enumerate(parts) if TOP.search(p)), len(parts))
    return [p for i, p in enumerate(parts) if p not in strong and not is_unit(p) and not any(u.startswith(f"{p} ") for u in strong)
            and ((NAMED_INSTITUTE.match(p) and (i > first_top or "-" in p or STRONG.search(p))) or institute_of_academy(p))]


def registered_beside(parts: list[str], kept: list[str]) -> list[str]:
    """'<Name> Health and Medical Research Institute, The University of <Town>', '<Name> Hospital,
    <Name> University': a part the registry knows by its full name as an organisation filed
    under nobody is one in its own right beside the one kept (a unit it files under its
    university, a department, a facility a university hosts, the ministry a key laboratory
    answers to, and a hospital named after the university are not)."""
    if not kept:
        return []
    out = []
    for part in parts:
        if part in kept or part.lstrip().startswith("(") or is_unit(part) or not (STRONG.search(part) or WEAK.search(part)):
            continue
        key = fold(re.sub(r"^the\s+", "", part.strip(), flags=re.I))
        named = [o for o in registry.candidates(part) if key in o.keys(0)]  # its own name, not an alias shared
        org = named[0] if len(named) == 1 else registry.identify(part)
        if org is None or org.parent_id is not None or org.type in ("facility", "government") or key not in org.keys(0, 1, 2):
            continue
        if not any(registry.identify(k) == org or _named_after(part, k) for k in kept):
            out.append(part)
    return out


_COMMON_WORDS = frozenset("the of and for in at university college institute hospital school medicine medical "
                          "national state science sciences technology research center centre".split())


def _named_after(part: str, university: str) -> bool:
    """'Tongji Hospital' beside 'Tongji University': a body named after the university kept is
    its own (its teaching hospital), not one more organisation."""
    words = {w.casefold() for w in re.findall(r"[^\W\d_]+", university)} - _COMMON_WORDS
    return bool(words & {w.casefold() for w in re.findall(r"[^\W\d_]+", part)})
