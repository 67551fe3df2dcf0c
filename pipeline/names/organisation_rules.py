"""Affiliation entries -> organisation names: the organisation, not its department or address.

Each entry is read by `read_entry`: its parts are cleaned (affiliation_entries), then the stages of
`_STAGES` are tried in order and the first that names an organisation decides; every name kept and
every part passed over carries the name of the rule that decided it (see `inspect --explain`)."""

from __future__ import annotations

import re
from typing import NamedTuple

from . import registry
from .affiliation_entries import ZH_SCHOOL, academy_institutes, campuses, split_joined, split_parts, strip_noise, trim, without_chinese_unit
from .folding import fold
from .organisation_parts import (
    dedupe_kept,
    inner_org,
    institutes_beside_university,
    is_address,
    parenthesised_org,
    place_codes,
    registered_beside,
    repeats,
    town_and_country,
    university_inside,
)
from .organisation_table import hand_row, known
from .unit_lifting import lift_units
from .vocabulary import (
    ACRONYM,
    ACRONYM_WITH_CAMPUS,
    CORP,
    GENERIC_ALONE,
    NAMED_INSTITUTE,
    PLACEHOLDER,
    STRONG,
    TOP,
    TOP_ACRONYM,
    TOP_WORDS,
    UNIT,
    WEAK,
    companies_in,
    countries,
    is_placeholder,
    is_unit,
    page_labels,
    reads_as_prose,
)


def stands_alone(name: str) -> bool:
    """An organisation that is nobody's unit: a university, a company, a national laboratory, or
    one the table knows (a named institute or 'X NLP Group' may be a university's)."""
    return bool(TOP.search(name) or CORP.search(name) or companies_in(name)
                or re.search(r"\bNational Laborator", name) or known(name))


def looks_like_affiliation(text: str) -> bool:
    """True for text that names an organisation, a unit of one, or is a bare acronym (KAIST, MIT)."""
    text = text.strip()
    if text.upper() in page_labels():
        return False
    return bool(STRONG.search(text) or WEAK.search(text) or UNIT.search(text) or ACRONYM.match(text)
                or NAMED_INSTITUTE.match(text))


def reads_as_organisation(name: str) -> bool:
    """Whether a name carries any sign of an organisation: its vocabulary, a company, a row of the
    table or an entry of the registry, or an acronym the registry knows (an agency's '<Subject>
    Superintendence', a town alone, a person's name in capitals, a grant's name and a Chinese
    phrase with no organisation word carry none)."""
    name = name.strip()
    if _FUNDING_NAME.search(name) or not re.search(r"[^\W\d_]{2}", name):
        return False  # 'Research Funds for the <Subject>': a grant a note names; 't t': a figure's axis, letters alone
    if re.search(r"[\u4e00-\u9fff]", name):  # a Chinese phrase by its organisation word, or a name the table knows
        return bool(STRONG.search(name) or WEAK.search(name) or _CHINESE_BODY.search(name) or companies_in(name) or known(name))
    if len(name.split()) == 1:  # one word: a company's own name ('Airbus') as often as anything, but not 'PGv' (a code's end)
        return not re.fullmatch(r"[A-Za-z]{1,3}", name) or name.isupper()
    return looks_like_affiliation(name) or bool(re.search(r"\bAi\b|\bState$", name)
                                                or companies_in(name) or known(name) or registry.knows(name)
                                                or not _capitals_byline(name)
                                                and any(registry.knows(w) for w in re.findall(r"\b[A-Z]{3,}\b", name)))


def _capitals_byline(name: str) -> bool:
    """'XIUCAI DING AND HAU-TIENG WU': people's names in capitals joined by AND or commas (amsart's
    byline), whose words the registry may know as acronyms ('AND', 'MIRA') without naming anyone."""
    parts = [p for p in re.split(r"\s+AND\s+|\s*,\s*", name.strip()) if p]
    return name.isupper() and len(parts) >= 2 and all(re.fullmatch(r"[A-Z][A-Z.'-]*(?: [A-Z][A-Z.'-]*){1,3}", p) for p in parts)


_FUNDING_NAME = re.compile(r"\b(?:Funds?|Grants?|Programme)\b")
# public bodies a Chinese affiliation names besides the vocabulary's organisation words
_CHINESE_BODY = re.compile(r"(?:中心|科学院|银行|局|部|委员会|协会|学会|基金会|出版社|学校)$")


def company_labs(entries: list[str]) -> list[str]:
    """Named labs printed before the company that keeps them ('<Name> AI, <Brand> Inc.'): the
    company alone is kept, but the paper may mean the lab, so the reading is doubtful."""
    labs = []
    for entry in (piece for e in entries for piece in split_joined(e)):
        kept = organisation_of(entry)
        if not any(CORP.search(k) or companies_in(k) for k in kept):
            continue
        parts = [trim(p) for p in split_parts(strip_noise(entry))]
        labs += [p for p in parts if p and (WEAK.search(p) or STRONG.search(p)) and not is_unit(p)
                 and not any(p in k or k in p for k in kept)]
    return labs


def organisations(entries: list[str]) -> list[str]:
    """Each distinct organisation once, in printed order; a university's unit that the registry
    lists under it stands for the university."""
    return [name for name, _ in explain_organisations(entries)[0]]


def explain_organisations(entries: list[str]) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """`organisations` with its reasons: ((name, rule) kept, (part, rule) dropped), in printed order."""
    seen: dict[str, tuple[str, str]] = {}
    dropped: list[tuple[str, str]] = []
    for entry in (piece for e in entries for piece in split_joined(e)):
        reading = read_entry(entry)
        dropped += reading.dropped
        for name, rule in reading.kept:
            key = fold(name)
            if key and not any(repeats(name, other) for other, _ in seen.values()):
                seen[key] = (name, rule)
            else:
                dropped.append((name, "duplicate"))
    kept, lifted = lift_units(list(seen.values()))
    return kept, dropped + lifted


class EntryReading(NamedTuple):
    """One affiliation entry read: each organisation kept with the rule that chose it, and each
    part passed over with the rule that passed it over."""

    kept: list[tuple[str, str]]  # (name, rule)
    dropped: list[tuple[str, str]]  # (part as printed, rule)

    @property
    def names(self) -> list[str]:
        return [name for name, _ in self.kept]


def organisation_of(entry: str) -> list[str]:
    """The organisation-level names in one affiliation entry."""
    return read_entry(entry).names


def read_entry(entry: str) -> EntryReading:
    """Read one entry: clean its parts, then try the stages of `_STAGES` in order; the first that
    names an organisation decides, and the rule that decided is kept with each name."""
    entry = strip_noise(entry)
    if not entry:
        return EntryReading([], [])
    if PLACEHOLDER.search(entry):
        return EntryReading([], [(entry, "placeholder")])
    parts = campuses([without_chinese_unit(trim(p)) for p in split_parts(entry)])
    parts = _joined_by_the_registry(parts)
    if town_and_country(parts):
        return EntryReading([], [(entry, "address-line")])  # 'Town, Country' read as an entry of its own
    codes = parts[-2:] if len(parts) > 2 and place_codes(parts[-2:]) else []
    parts, dropped = _clean_parts(parts[:len(parts) - len(codes)])
    dropped += [(code, "address") for code in codes]
    parts = academy_institutes(parts)
    kept: list[tuple[str, str]] = []
    for stage in _STAGES:
        kept = stage(parts)
        if kept:
            break
    return EntryReading(dedupe_kept(kept), dropped + _passed_over(parts, kept))


def _clean_parts(parts: list[str]) -> tuple[list[str], list[tuple[str, str]]]:
    """Drop a page's labels, addresses and bare generic words ('University' alone)."""
    dropped = [(p, "page-label") for p in parts if p.strip().upper() in page_labels()]
    kept = []
    parts = [p for p in parts if p.strip().upper() not in page_labels()]
    for i, part in enumerate(parts):
        if not part:
            continue
        town = i + 1 < len(parts) and _state_code(parts, i + 1) and not hand_row(part.strip())  # '<Town>, VIC, Australia'
        if is_address(part, first=i == 0) or _state_code(parts, i) or town:
            dropped.append((part, "address"))
        elif GENERIC_ALONE.match(part) or is_placeholder(part):
            dropped.append((part, "generic-word"))  # 'University' alone, 'Institution B' (a template's blank)
        elif reads_as_prose(part):
            dropped.append((part, "prose"))  # a teaser figure's words between the byline and the abstract
        elif ZH_SCHOOL.match(part.strip()) and any(_CHINESE_ORGANISATION.search(p) for p in parts if p is not part):
            dropped.append((part, "unit-of-organisation"))  # '沈阳工学院 / 信息与控制工程学院': the university's school
        else:
            kept.append(part)
    return kept, dropped


_CHINESE_ORGANISATION = re.compile(r"[\u4e00-\u9fff]{2,}(?:大学|学院|研究院|研究所)")


def _state_code(parts: list[str], i: int) -> bool:
    """'<Town> 3122, VIC, Australia': a state's or province's code between a town and its country
    (two or three capitals; US states are known by their two letters anywhere)."""
    if not 0 < i < len(parts) - 1 or not re.fullmatch(r"[A-Z]{2,3}", parts[i].strip()) or hand_row(parts[i].strip()):
        return False  # 'IBM Research, Zurich, IBM, Switzerland': a company the table knows is no state
    town = parts[i - 1].strip()
    return parts[i + 1].lower().strip(" .") in countries() and (is_address(town) or not (STRONG.search(town) or WEAK.search(town)))


def _passed_over(parts: list[str], kept: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The parts no kept name stands for, each with why: a unit of the organisation kept, a lab
    of the company kept, an organisation outranked by another in the entry, or a part that names
    nothing."""
    keys = [fold(n) for n, _ in kept]
    by_company = any(rule == "company-over-labs" for _, rule in kept)
    out = []
    for part in parts:
        key = fold(part)
        if any(k and (k in key or key in k) for k in keys):
            continue
        if is_unit(part):
            rule = "unit-of-organisation"
        elif STRONG.search(part) or WEAK.search(part):
            rule = "lab-of-company" if by_company else "outranked"
        else:
            rule = "not-an-organisation"
        out.append((part, rule))
    return out


def _by_rank(parts: list[str]) -> list[tuple[str, str]]:
    """One organisation per entry by rank: a university over the units it hosts ('University +
    School'), a company over its labs and divisions ('Research Division, Brightwave Systems Inc.',
    '<Name> Academy, <Brand> Group'); named research institutes printed beside their university
    keep their own entry ('<LAB>-CNRS, Université de <Town>')."""
    strong_parts = [p for p in parts if STRONG.search(p) and not is_unit(p)]
    if not any(TOP.search(p) for p in strong_parts):  # no university: a company the registry files may head the entry
        strong_parts = [p for p in parts if p in strong_parts or _registry_company(p)]
    strong = [inner_org(p) for p in strong_parts]
    ranked = [(p, "university-over-units") for p in strong if TOP.search(p)] \
        or [(p, "company-over-labs") for p in strong if _is_company(p)] \
        or [(p, "organisation-word") for p in strong]
    ranked = [(p, rule) for p, rule in ranked if not _school_short_name(p, parts)]
    rules = dict(ranked)
    named = institutes_beside_university(parts, list(rules)) + registered_beside(parts, list(rules))
    out = []
    for part in parts:  # in printed order
        inner = inner_org(part) if part in strong_parts else part
        if part in strong_parts and inner in rules:
            parent = _parent_printed(inner, parts)
            out.append((parent, "parent-printed-beside") if parent else (inner, rules[inner]))
        elif part in named:
            out.append((inner, "institute-beside-university"))
    return out


def _parent_printed(name: str, parts: list[str]) -> str:
    """The part of the entry the registry files `name` under ('US Department of Agriculture,
    Agricultural Research Service': the department is the agency's), or ''."""
    org = registry.identify(name)
    if org is None or org.parent_id is None:
        return ""
    return next((p for p in parts if p != name and getattr(registry.identify(p), "id", None) == org.parent_id), "")


def _joined_by_the_registry(parts: list[str]) -> list[str]:
    """'University of Technology, Sydney': a name printed with a comma inside it, one organisation the
    registry knows, where the part before the comma is only generic words ('Purdue University, West
    Lafayette' is Purdue University and its town). Or the comma stands before the name's last word
    ('<Name> Sci-Tech, University', where a line break became a comma)."""
    out: list[str] = []
    for part in parts:
        if out and part.strip() and _GENERIC_NAME.fullmatch(out[-1].strip()) \
                and registry.identify(f"{out[-1]} {part}") is not None:
            out[-1] = f"{out[-1]}, {part.strip()}"
        elif out and GENERIC_ALONE.match(part.strip()) and registry.identify(f"{out[-1]} {part}") is not None:
            out[-1] = f"{out[-1].strip()} {part.strip()}"
        elif out and TOP.search(part) and not STRONG.search(out[-1]) and not _CJK.search(part) \
                and registry.identify(f"{out[-1]} {part}") is not None:
            out[-1] = f"{out[-1].strip()}, {part.strip()}"  # 'Queen Mary, University of London': a college of a federal university
        else:
            out.append(part)
    return out


_CJK = re.compile(r"[\u4e00-\u9fff]")
_GENERIC_NAME = re.compile(r"(?:(?:the|university|universities|of|and|for|technology|science|sciences|applied|arts|"
                           r"engineering|institute|college|polytechnic|national|state|school)\s*)+", re.I)


def _organisation_before_its_lab(parts: list[str]) -> list[tuple[str, str]]:
    """'<ACRONYM>, <Town> Research Laboratory': an organisation the registry knows by its short
    name, printed first, then one of its labs, and no university or company after them: the
    organisation is the paper's."""
    first = parts[0].strip() if len(parts) > 1 else ""
    if not NAMED_INSTITUTE.match(first) or registry.identify(first) is None:
        return []
    if any(TOP.search(p) or _is_company(p) for p in parts[1:]):
        return []
    return [(first, "organisation-before-its-lab")]


def _is_company(name: str) -> bool:
    """A company by its legal form ('Inc.', 'Co., Ltd.'), by its brand ('<Brand> Group'), or as
    the registry files it ('<Name> Telecom')."""
    return bool(CORP.search(name) or companies_in(name)) or _registry_company(name)


def _registry_company(name: str) -> bool:
    """A company the registry knows by this full name; one word alone is as often a town."""
    org = registry.identify(name) if len(name.split()) > 1 else None
    return org is not None and org.type == "company" and fold(org.name) == fold(name)


def _school_short_name(part: str, parts: list[str]) -> bool:
    """An acronym-and-word part before another organisation is a school's short name ('<ABC>
    Medicine, <Name> University'); the same form printed last is a university ('KU Leuven')."""
    if TOP_WORDS.search(part) or not TOP_ACRONYM.match(part.strip()):
        return False
    return any(TOP_WORDS.search(q) or NAMED_INSTITUTE.match(q) for q in parts[_index(parts, part) + 1:])


def _bracketed_in_unit(parts: list[str]) -> list[tuple[str, str]]:
    """'Key Laboratory of X (<Name> University)': a unit naming its organisation in brackets."""
    return [(inner_org(p), "organisation-in-brackets") for p in parts if is_unit(p) and parenthesised_org(p)]


def _university_of_unit(parts: list[str]) -> list[tuple[str, str]]:
    """'AI Institute of <Name> University': a unit naming its university after 'of'."""
    return [(u, "university-named-in-unit") for u in (university_inside(p) for p in parts if is_unit(p)) if u]


def _last_weak(parts: list[str]) -> list[tuple[str, str]]:
    """'<Name> Head and Neck Center, <Name> Medical Center': with weak words only, the unit
    comes first and the organisation last."""
    weak = [p for p in parts if WEAK.search(p) and not is_unit(p)]
    return [(weak[-1], "weak-word-last")] if weak else []


def _known_after_units(parts: list[str]) -> list[tuple[str, str]]:
    """'<ABC>, <DEF>, <GHI>, <Known>': short units, then the organisation the table knows."""
    others = [p for p in parts if not is_unit(p)]
    known_parts = [p for p in others if known(p)]
    if len(others) > 1 and known_parts and known_parts[-1] == others[-1]:
        return [(others[-1], "known-after-units")]
    return []


def _acronym_after_unit(parts: list[str]) -> list[tuple[str, str]]:
    """'<ABC>, <UNIVXYZ>', 'Department of X, <ABC>': an acronym after a unit is its organisation
    (not in a line with numbers, where it is a postcode's or a room's)."""
    after_unit = [p for i, p in enumerate(parts) if i > 0 and ACRONYM_WITH_CAMPUS.match(p)]
    if after_unit and not any(re.search(r"[\d:]", p) for p in parts):
        return [(p, "acronym-after-unit") for p in after_unit]
    return []


def _first_known(parts: list[str]) -> list[tuple[str, str]]:
    """The first part the table or the registry knows."""
    found = [p for p in parts if not is_unit(p) and known(p)]
    return [(found[0], "known-part")] if found else []


def _first_other(parts: list[str]) -> list[tuple[str, str]]:
    """The first part that is not a unit (a department alone names no organisation)."""
    others = [p for p in parts if not is_unit(p)]
    return [(others[0], "first-non-unit")] if others else []


def _unit_named_organisation(parts: list[str]) -> list[tuple[str, str]]:
    """'Institute of Science and Technology <Country>', 'Institute for Advanced Study': a name that
    reads as a unit but is, by its full name or another full name the registry gives it ('College of
    <Name> & <Name>'), an organisation the registry lists under nobody."""
    for part in parts:
        org = registry.identify(part) if is_unit(part) else None
        if org is not None and org.parent_id is None and fold(part) in org.keys(registry.KIND["name"], registry.KIND["alias"]):
            return [(part, "organisation-named-as-unit")]
    return []


def _key_lab_alone(parts: list[str]) -> list[tuple[str, str]]:
    """'State Key Lab of <Field>, <Town> <Code>, <Country>': a key laboratory printed as an entry of
    its own, with no university, institute or ministry it belongs to, is the organisation itself."""
    labs = [p for p in parts if _KEY_LAB.search(p)]
    return [(labs[0], "key-lab-alone")] if len(labs) == 1 and len(parts) == 1 else []


_KEY_LAB = re.compile(r"^(?:[A-Z][\w-]*\s+)?(?:State\s+|National\s+)?Key\s+Lab(?:oratory)?\b(?!.*\bMinistry\b)")

# Tried in order; the first stage that names an organisation decides the entry.
_STAGES = (_organisation_before_its_lab, _by_rank, _bracketed_in_unit, _university_of_unit, _last_weak, _known_after_units,
           _acronym_after_unit, _first_known, _first_other, _unit_named_organisation, _key_lab_alone)


def _index(parts: list[str], part: str) -> int:
    return parts.index(part) if part in parts else len(parts)
