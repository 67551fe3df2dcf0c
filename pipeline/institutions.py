"""Affiliation strings -> organisation names: the organisation, not its department or address.

Used by the metadata stage (and by grounding and the checks). Kept apart because it is pure string
work with its own vocabulary and its own tests. The benchmark does not use `fold`: it folds names
its own way, so a change here cannot make the score more lenient.

Each entry is read by `read_entry`: its parts are cleaned, then the stages of `_STAGES` are tried
in order and the first that names an organisation decides; every name kept and every part
passed over carries the name of the rule that decided it (see `inspect --explain`).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from importlib import resources
from typing import NamedTuple

from . import registry
from .rules import in_force

# Words that make a phrase an organisation on their own (any case), and company names (as printed:
# a surname such as "Ai" or "Apple" must not make an author line an affiliation).
_STRONG_WORDS = re.compile(
    r"\b(universit(?:y|ies|ät|é|à|at|ad|e)|polytechnic|polytechnique|politecnico|institute of technology|"
    r"inc\.?|corp\.?|corporation|ltd\.?|llc|gmbh|co\.,? ltd|company|group|labs|laboratories|"
    r"research|academy|hospital|foundation|college|école|ecole|school of medicine|"
    r"technologies|technology co|ai lab|fondazione|fundaci[oó]n|funda[cç][aã]o|stiftung|hochschule|universiteit|"
    r"universitet|universidade|universidad|instituto|istituto|consiglio nazionale|max planck|fraunhofer)\b|"
    r"\b(CNRS|INRIA|Inria|CSIC|CNR|CEA|INRAE|INSERM)\b|(大学|学院|研究院|研究所|公司|实验室|集团|医院)|"
    r"(?-i:\b[A-Z][a-z]+ (?:AB|AG|Oy|SpA|S\.p\.A\.|N\.V\.)(?=$|[\s,.]))", re.I,
)
_BRAND_NAMES = (
    r"DeepMind|Microsoft|Google|Meta|Amazon|Apple|NVIDIA|Nvidia|Alibaba|Tencent|Huawei|"
    r"Baidu|ByteDance|OpenAI|Anthropic|Samsung|IBM|Intel|Adobe|Salesforce|Sony|Qualcomm|Xiaomi|Kuaishou|"
    r"SenseTime|Meituan|Moonshot AI|Zhipu AI|MiniMax|StepFun|DeepSeek|iFLYTEK|JD\.com|NetEase|Ant Group|"
    r"Megvii|Shanghai AI Lab(?:oratory)?|Mistral AI|Cohere|Hugging Face|Bosch|Siemens|Toyota|Naver|Kakao"
)
# only where a phrase starts: "Apple Inc." and "2 Apple" name a company, "Ruth Apple" a person
_BRANDS = re.compile(rf"(?:^|[,;:(\d*†‡§]\s*)({_BRAND_NAMES})\b")
_BRAND_WORD = re.compile(rf"\b({_BRAND_NAMES})\b")


def companies_in(text: str) -> list[str]:
    """Company names anywhere in the text, as printed ('<CODE-Name> <Brand>', a group's code name before its company, names the company)."""
    return [m.group(1) for m in _BRAND_WORD.finditer(text)]


class _Top:
    """A university by its word, or by the acronym-and-town form ('<AB> <Town>', '<ABC> <Town>')."""

    @staticmethod
    def search(text: str):
        return _TOP_WORDS.search(text) or _TOP_ACRONYM.match(text.strip())


class _Strong:
    """Either vocabulary: one `search` for callers."""

    @staticmethod
    def search(text: str):
        return _STRONG_WORDS.search(text) or _BRANDS.search(text) or _TOP_ACRONYM.match(text.strip())


_STRONG = _Strong()
# Organisations that other strong words in the same entry are usually a part of.
_TOP_WORDS = re.compile(r"\b(universit(?:y|ies|ät|é|à|at|ad|e)|polytechnic|polytechnique|politecnico|institute of technology)\b|大学", re.I)
_TOP = _Top()
_CORP = re.compile(r"\b(inc|corp|corporation|ltd|llc|gmbh|co|company|plc|s\.a|b\.v)\b\.?|公司|集团", re.I)
# Words that make a phrase an organisation when no stronger phrase stands beside it.
_WEAK = re.compile(r"\b([Ii]nstitutes?|[Ii]nstitutions?|[Ll]ab|[Ll]aboratory|[Cc]ent(?:er|re)s?|[Mm]inistry|[Cc]ouncil|[Aa]gency|"
                   r"AI|\.ai|[Tt]echnology|Tech|School(?! of)|[Ss]ystems|[Nn]etworks|[Rr]obotics)\b|\.ai\b")
# Phrases naming a unit inside an organisation.
_UNIT = re.compile(
    r"^(the\s+)?(department|dept\.?|school|faculty|college of|division|key lab|state key|"
    r"national key|lab(oratory)? (of|for)|institute (of|for)|center for|centre for|program|"
    r"graduate school|research center|research centre|engineering research|unit|chair)|"
    r"\b(division|department)$", re.I,
)
_COUNTRIES = {
    "china", "pr china", "p.r. china", "p. r. china", "usa", "u.s.a.", "us", "u.s.", "united states",
    "united states of america", "uk", "u.k.", "united kingdom", "england", "scotland", "germany",
    "france", "italy", "spain", "japan", "korea", "south korea", "republic of korea", "singapore",
    "canada", "australia", "india", "switzerland", "netherlands", "the netherlands", "israel",
    "austria", "belgium", "sweden", "denmark", "norway", "finland", "hong kong", "hong kong sar",
    "taiwan", "iran", "brazil", "russia", "portugal", "greece", "ireland", "poland", "czech republic",
    "new zealand", "mexico", "turkey", "saudi arabia", "uae", "united arab emirates", "qatar",
}
_US_STATE = re.compile(r"^[A-Z]{2}(\s+\d{5}(-\d{4})?)?$")
_POSTCODE = re.compile(r"\d{3,}|\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b|\b[A-Z]-\d{4}\b")
_PLACEHOLDER = re.compile(r"\banonymous\b|\bindependent researcher\b|^no (?:institutes?|institutions?|affiliations?|"
                          r"organi[sz]ations?) (?:given|provided|listed)\b|\b(?:affiliations?|institutions?) (?:withheld|"
                          r"omitted|removed|hidden)\b|匿名", re.I)
# a whole name that stands where an institution would and names none (Springer's anonymous template)
_PLACEHOLDER_NAME = re.compile(
    r"^(?:the\s+)?(?:no (?:institutes?|institutions?|affiliations?|organi[sz]ations?) (?:given|provided|listed)|"
    r"anonymous(?:[ -][\w()]+){0,4}|(?:authors?|affiliations?|institutions?) (?:withheld|omitted|removed|hidden)(?: for [\w -]+)?|"
    r"independent(?: researchers?)?|none|n/?a|unknown|affiliations?|institutions?|匿名\w{0,4})\.?$", re.I)


def is_placeholder(name: str) -> bool:
    """'No Institute Given', 'Anonymous Institution', 'Anonymous Authors': text that stands where
    an institution would and names none, in any reading (the rules', the model's, a brief's)."""
    return bool(_PLACEHOLDER_NAME.match(re.sub(r"^[\s\d*∗†‡§¶#,]+", "", name).strip()))
_ABBREVIATIONS = [(re.compile(r"\bUniv\.?(?=\s|$)", re.I), "University"), (re.compile(r"\bInst\.(?=\s|$)"), "Institute"),
                  (re.compile(r"\bTech\.(?=\s|$)"), "Technology"), (re.compile(r"\bNat\.(?=\s|$)"), "National")]


def _is_unit(part: str) -> bool:
    """'Department of X', 'School of Y', 'Research Division': a part of an organisation
    (but an academy's institute, 'Institute of <Subject>, <Country> Academy of Sciences', is not)."""
    part = part.strip()
    return bool(_UNIT.search(part)) and not (_ACADEMY.search(part) and _INSTITUTE_OF.search(part))


# Capitals that label a page, never an organisation: 'DOI' in a sidebar, 'IEEE' after a member grade (labels, not corpus text)
_LABELS = {"DOI", "ISSN", "ISBN", "URL", "PDF", "HTML", "ORCID", "IEEE", "ACM", "PACS", "MSC", "JEL", "ABSTRACT"}


def stands_alone(name: str) -> bool:
    """An organisation that is nobody's unit: a university, a company, a national laboratory, or
    one the table knows (a named institute or 'X NLP Group' may be a university's)."""
    return bool(_TOP.search(name) or _CORP.search(name) or companies_in(name)
                or re.search(r"\bNational Laborator", name) or known(name))


def looks_like_affiliation(text: str) -> bool:
    """True for text that names an organisation, a unit of one, or is a bare acronym (KAIST, MIT)."""
    text = text.strip()
    if text.upper() in _LABELS:
        return False
    return bool(_STRONG.search(text) or _WEAK.search(text) or _UNIT.search(text) or _ACRONYM.match(text)
                or _NAMED_INSTITUTE.match(text))


_ACRONYM = re.compile(r"^[A-Z][A-Z&*]{2,7}$")  # 'KAIST', 'AT&T', and an agency's 'A*STAR'
_ACRONYM_WITH_CAMPUS = re.compile(r"^[A-Z][A-Z&*]{2,7}(?:\s*\([A-Z][A-Za-z]{1,10}\))?$")
_STAR_IN_NAME = re.compile(r"(?<=[A-Z])\*(?=[A-Z]{2})")  # 'A*STAR': a star between capitals is a letter of the name
# '<ABCD>', '<LAB>-CNRS', '<lab>-<Name>', 'Inria': a research body named by its own short name
_NAMED_INSTITUTE = re.compile(  # '<ABC>-<Town>', '<ABCDE> (<XY>)': a short name, its campus in brackets
    r"^(?:[A-Z]{3,}|[a-z]+-[A-Z]\w+|[A-Z]{2,}-[A-Z]{2,}|[A-Z]{3,}-[A-Z][a-z]+|Inria|INRIA)(?:\s*\([A-Z][A-Za-z]{1,10}\))?$")
# '<AB> <Town>', '<ABC> <Town>': an acronym and its town; an acronym and an organisation word is a lab
# or a company's academy ('<ABCD> Academy', '<ABC> Research'), not a university
_TOP_ACRONYM = re.compile(
    r"^[A-Z]{2,4} (?!(?:Academy|Research|Labs?|Laborator\w*|Institute|Group|Cent(?:er|re)|Foundation|College|"
    r"School|Hospital|Technologies|Systems|Networks|Robotics|Council|Agency|Ministry)$)[A-Z][a-zäöüéè]+$")



def reads_as_organisation(name: str) -> bool:
    """Whether a name carries any sign of an organisation: its vocabulary, a company, a row of the
    table or an entry of the registry, or an acronym the registry knows (an agency's '<Subject>
    Superintendence', a town alone and a person's name in capitals carry none)."""
    name = name.strip()
    if len(name.split()) == 1:
        return True  # one word: a company's own name ('Airbus') as often as anything
    return looks_like_affiliation(name) or bool(re.search(r"\bAi\b|\bState$|[\u4e00-\u9fff]", name)
                                                or companies_in(name) or known(name) or registry.knows(name)
                                                or any(registry.knows(w) for w in re.findall(r"\b[A-Z]{3,}\b", name)))


def company_labs(entries: list[str]) -> list[str]:
    """Named labs printed before the company that keeps them ('<Name> AI, <Brand> Inc.'): the
    company alone is kept, but the paper may mean the lab, so the reading is doubtful."""
    labs = []
    for entry in (piece for e in entries for piece in _split_joined(e)):
        kept = organisation_of(entry)
        if not any(_CORP.search(k) or companies_in(k) for k in kept):
            continue
        parts = [_trim(p) for p in _split_parts(_strip_noise(entry))]
        labs += [p for p in parts if p and (_WEAK.search(p) or _STRONG.search(p)) and not _is_unit(p)
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
    for entry in (piece for e in entries for piece in _split_joined(e)):
        reading = read_entry(entry)
        dropped += reading.dropped
        for name, rule in reading.kept:
            key = fold(name)
            if key and not any(_repeats(name, other) for other, _ in seen.values()):
                seen[key] = (name, rule)
            else:
                dropped.append((name, "duplicate"))
    kept, lifted = _lift_units(list(seen.values()))
    return kept, dropped + lifted


def _lift_units(names: list[tuple[str, str]]) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """'<Name> Shenzhen International Graduate School' is <Name> University's: the unit is read
    as the university, once (dropped when the university is printed too). A university the
    registry files under a system ('University of <State>, <Campus>') is not a unit, nor is a
    medical centre ('<Town> Medical Center'): only schools, colleges, institutes and labs."""
    out: list[tuple[str, str]] = []
    dropped: list[tuple[str, str]] = []
    for name, rule in names:
        unit_word = _LIFTED_UNIT_WORD.search(name)
        up = registry.lifted(name) if unit_word and not (_TOP.search(name) or _hand_row(name)) else None
        if up is not None:
            dropped.append((name, "unit-lifted"))
            name, rule = up.name, "unit-lifted-to-organisation"
        if not any(_repeats(name, other) for other, _ in out):
            out.append((name, rule))
        elif up is None:
            dropped.append((name, "duplicate"))
    return out, dropped


_LIFTED_UNIT_WORD = re.compile(r"\b(?:School|Faculty|College|Institute|Laborator(?:y|ies)|Lab|Department)\b|研究生院|学院|研究院")


def _split_joined(entry: str) -> list[str]:
    """'<Town> Lab/<Town> University', 'X University and the Y Institute': two organisations
    printed as one entry."""
    pair = re.fullmatch(r"(\S+)\s+&\s+(\S+)", entry.strip())
    if pair and any(_ACRONYM.match(p) for p in pair.groups()):
        return list(pair.groups())  # '<ABCD> & <UName>': two organisations, each by its short name
    slash = re.split(r"\s*/\s*(?=[A-Z])", entry.strip(), maxsplit=1)
    if len(slash) == 2 and _TOP.search(slash[1]) and re.fullmatch(r"[A-Z][\w-]+(?: [A-Z][\w-]+)?", slash[0]) \
            and slash[0].lower() not in _COUNTRIES:
        return [slash[0], *_split_joined(slash[1])]  # '<Name>/ Université de <Town>': an institute and its university
    for joint in (r"\s*/\s*(?=[A-Z\u4e00-\u9fff])", r"\s+and the\s+(?=[A-Z])"):
        pieces = re.split(joint, entry, maxsplit=1)
        if len(pieces) > 1 and all(_STRONG.search(p) or _WEAK.search(p) or _NAMED_INSTITUTE.match(p.strip()) for p in pieces):
            return [q for p in pieces for q in _split_joined(p)]
    return [entry]


_GENERIC_ALONE = re.compile(r"^(the\s+)?(university|institute|college|school|academy|laboratory|lab|department|inc\.?|ltd\.?)$", re.I)
_ACADEMY = re.compile(r"\bAcademy of (?:\w+ )?Sciences?\b|科学院")
_INSTITUTE_OF = re.compile(r"^(?:the\s+)?Institut(?:e|ion) (?:of|for)\b|研究所$")


def _academy_institutes(parts: list[str]) -> list[str]:
    """'Institute of <Subject>, <Country> Academy of Sciences' is one organisation: an academy's
    institutes are what papers name, the academy alone is too coarse."""
    out: list[str] = []
    for part in parts:
        if out and _ACADEMY.search(part) and _INSTITUTE_OF.search(out[-1]):
            out[-1] = f"{out[-1]}, {part}"
        else:
            out.append(part)
    return out


# University systems whose campuses are named after a comma: 'University of <State>, <Campus>'
_SYSTEMS = re.compile(
    r"^(?:the )?(?:University of (?:California|Illinois|Wisconsin|Massachusetts|Maryland|Colorado|Missouri|"
    r"Nebraska|Hawai[i']i?|Minnesota|North Carolina|Texas|Tennessee)|"
    r"Chinese University of Hong Kong|Harbin Institute of Technology|"
    r"Shandong University)$", re.I)  # not Purdue, Indiana, Penn State: their main campus's town is an address
_CAMPUS = re.compile(r"^(?:[A-Z][a-z]+(?:[ -][A-Z][a-z]+)?)$")


def _campuses(parts: list[str]) -> list[str]:
    """Join a university system to the campus named right after it."""
    out: list[str] = []
    for part in parts:
        if out and _SYSTEMS.match(out[-1]) and _CAMPUS.match(part) and part.lower() not in _COUNTRIES:
            out[-1] = f"{out[-1]}, {part}"
        else:
            out.append(part)
    return out


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
    entry = _strip_noise(entry)
    if not entry:
        return EntryReading([], [])
    if _PLACEHOLDER.search(entry):
        return EntryReading([], [(entry, "placeholder")])
    parts = _campuses([_CHINESE_UNIT_AFTER_UNIVERSITY.sub(r"\1", _trim(p)) for p in _split_parts(entry)])
    if _is_place(parts):
        return EntryReading([], [(entry, "address-line")])  # 'Town, Country' read as an entry of its own
    parts, dropped = _clean_parts(parts)
    parts = _academy_institutes(parts)
    kept: list[tuple[str, str]] = []
    for stage in _STAGES:
        kept = stage(parts)
        if kept:
            break
    return EntryReading(_dedupe_kept(kept), dropped + _passed_over(parts, kept))


def _clean_parts(parts: list[str]) -> tuple[list[str], list[tuple[str, str]]]:
    """Drop a page's labels, addresses and bare generic words ('University' alone)."""
    dropped = [(p, "page-label") for p in parts if p.strip().upper() in _LABELS]
    kept = []
    for i, part in enumerate(p for p in parts if p.strip().upper() not in _LABELS):
        if not part:
            continue
        if _is_address(part, first=i == 0):
            dropped.append((part, "address"))
        elif _GENERIC_ALONE.match(part):
            dropped.append((part, "generic-word"))
        else:
            kept.append(part)
    return kept, dropped


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
        if _is_unit(part):
            rule = "unit-of-organisation"
        elif _STRONG.search(part) or _WEAK.search(part):
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
    strong_parts = [p for p in parts if _STRONG.search(p) and not _is_unit(p)]
    strong = [_inner_org(p) for p in strong_parts]
    ranked = [(p, "university-over-units") for p in strong if _TOP.search(p)] \
        or [(p, "company-over-labs") for p in strong if _is_company(p)] \
        or [(p, "organisation-word") for p in strong]
    ranked = [(p, rule) for p, rule in ranked if not _school_short_name(p, parts)]
    rules = dict(ranked)
    named = _institutes_beside_university(parts, list(rules))
    out = []
    for part in parts:  # in printed order
        inner = _inner_org(part) if part in strong_parts else part
        if part in strong_parts and inner in rules:
            out.append((inner, rules[inner]))
        elif part in named:
            out.append((inner, "institute-beside-university"))
    return out


def _is_company(name: str) -> bool:
    """A company by its legal form ('Inc.', 'Co., Ltd.') or by its brand ('<Brand> Group')."""
    return bool(_CORP.search(name) or companies_in(name))


def _school_short_name(part: str, parts: list[str]) -> bool:
    """An acronym-and-word part before another organisation is a school's short name ('<ABC>
    Medicine, <Name> University'); the same form printed last is a university ('KU Leuven')."""
    if _TOP_WORDS.search(part) or not _TOP_ACRONYM.match(part.strip()):
        return False
    return any(_TOP_WORDS.search(q) or _NAMED_INSTITUTE.match(q) for q in parts[_index(parts, part) + 1:])


def _institutes_beside_university(parts: list[str], strong: list[str]) -> list[str]:
    """Research institutes by their own short name, beside a university kept: printed after it
    ('<University>, <LAB>, <SCHOOL>') or hyphenated ('<LAB>-CNRS'). An acronym before the
    university is its own school ('<ABC>, <Name> University')."""
    if not any(_TOP.search(p) for p in strong):
        return []
    first_top = next((i for i, p in enumerate(parts) if _TOP.search(p)), len(parts))
    return [p for i, p in enumerate(parts) if _NAMED_INSTITUTE.match(p) and p not in strong and not _is_unit(p)
            and (i > first_top or "-" in p or _STRONG.search(p))]


def _bracketed_in_unit(parts: list[str]) -> list[tuple[str, str]]:
    """'Key Laboratory of X (<Name> University)': a unit naming its organisation in brackets."""
    return [(_inner_org(p), "organisation-in-brackets") for p in parts if _is_unit(p) and _parenthesised_org(p)]


def _university_of_unit(parts: list[str]) -> list[tuple[str, str]]:
    """'AI Institute of <Name> University': a unit naming its university after 'of'."""
    return [(u, "university-named-in-unit") for u in (_university_inside(p) for p in parts if _is_unit(p)) if u]


def _last_weak(parts: list[str]) -> list[tuple[str, str]]:
    """'<Name> Head and Neck Center, <Name> Medical Center': with weak words only, the unit
    comes first and the organisation last."""
    weak = [p for p in parts if _WEAK.search(p) and not _is_unit(p)]
    return [(weak[-1], "weak-word-last")] if weak else []


def _known_after_units(parts: list[str]) -> list[tuple[str, str]]:
    """'<ABC>, <DEF>, <GHI>, <Known>': short units, then the organisation the table knows."""
    others = [p for p in parts if not _is_unit(p)]
    known_parts = [p for p in others if known(p)]
    if len(others) > 1 and known_parts and known_parts[-1] == others[-1]:
        return [(others[-1], "known-after-units")]
    return []


def _acronym_after_unit(parts: list[str]) -> list[tuple[str, str]]:
    """'<ABC>, <UNIVXYZ>', 'Department of X, <ABC>': an acronym after a unit is its organisation
    (not in a line with numbers, where it is a postcode's or a room's)."""
    after_unit = [p for i, p in enumerate(parts) if i > 0 and _ACRONYM_WITH_CAMPUS.match(p)]
    if after_unit and not any(re.search(r"[\d:]", p) for p in parts):
        return [(p, "acronym-after-unit") for p in after_unit]
    return []


def _first_known(parts: list[str]) -> list[tuple[str, str]]:
    """The first part the table or the registry knows."""
    found = [p for p in parts if not _is_unit(p) and known(p)]
    return [(found[0], "known-part")] if found else []


def _first_other(parts: list[str]) -> list[tuple[str, str]]:
    """The first part that is not a unit (a department alone names no organisation)."""
    others = [p for p in parts if not _is_unit(p)]
    return [(others[0], "first-non-unit")] if others else []


# Tried in order; the first stage that names an organisation decides the entry.
_STAGES = (_by_rank, _bracketed_in_unit, _university_of_unit, _last_weak, _known_after_units,
           _acronym_after_unit, _first_known, _first_other)


# '<X>大学<Y>实验室' -> '<X>大学'; '<X>大学<Town>研究院<Y>实验室' -> '<X>大学<Town>研究院': a Chinese name run into
# its unit without a break is cut after its last organisation-level word
_CHINESE_UNIT_AFTER_UNIVERSITY = re.compile(r"^([\u4e00-\u9fff]*(?:大学|研究院|研究所))[\u4e00-\u9fff]+?(?:实验室|学院|系|中心|研究室)$")
_TEAM_END = re.compile(r"\s+Team$")


def _undouble(entry: str) -> str:
    """'X, Y X, Y X, Y': one affiliation printed once per author column, read as one run."""
    words = entry.split()
    for k in range(len(words) // 2, 1, -1):
        if len(words) % k == 0:
            size = len(words) // k
            chunks = {" ".join(words[i:i + size]) for i in range(0, len(words), size)}
            if len(chunks) == 1:
                return chunks.pop()
    return entry


def _strip_noise(entry: str) -> str:
    entry = _undouble(entry)
    if _TEAM_END.search(entry) and companies_in(entry):
        entry = companies_in(entry)[0]  # '<Brand> <Name> Team': the company signs through its team
    entry = re.sub(r"\(?e-?mail[^)]*\)?", " ", entry, flags=re.I)
    entry = re.sub(r"\S+@\S+", " ", entry)
    entry = re.sub(r"^[\s\d*∗†‡§¶#,\u2460-\u2473，]+", "", entry)
    entry = re.sub(r"^[（(]([^()（）]+)[）)]$", r"\1", entry.strip())  # '（清澜大学 计算机学院）': the bracket is not the name
    entry = _STAR_IN_NAME.sub("\x1e", entry)  # kept through the marks' removal
    entry = re.sub(r"[*∗†‡§¶#]+", " ", entry).replace("\x1e", "*")
    for pattern, full in _ABBREVIATIONS:
        entry = pattern.sub(full, entry)
    return re.sub(r"\s+", " ", entry).strip(" ,;")


_COMPANY_FORM = re.compile(r"\b(?:Co|Corp|Pvt|Pte)\.?,\s*(?:Ltd|Limited|LLC|Inc)\b\.?", re.I)


def _split_parts(entry: str) -> list[str]:
    """Split on commas and semicolons that are not inside parentheses or a company form
    ('Co., Ltd.' stays whole); 'and the' joins units."""
    entry = _COMPANY_FORM.sub(lambda m: m.group(0).replace(",", "\x1f"), entry)
    entry = re.sub(r"\s+/\s+", ", ", entry)  # '<Name> Institute / <Town>': an organisation and its town
    # '<Name> Business School – University of <Town>' splits at the dash
    # (but 'Université <Town> III – <Person>', a university named after a person, is one name)
    entry = re.sub(r"\s+[–—-]\s+(?=[^,;]*" + _TOP_WORDS.pattern + ")", ", ", entry, flags=re.I)
    parts, depth, current = [], 0, []
    for ch in entry:
        depth += ch == "("
        depth -= ch == ")"
        if ch in ",;，、；" and depth <= 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    parts = [p.replace("\x1f", ",") for p in parts]
    out = []
    for part in parts:
        for piece in re.split(r"\s+and\s+the\s+", part):
            out.extend(re.split(r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])", piece))
    return out


def _trim(part: str) -> str:
    """Drop edge punctuation but keep the full stop of 'Inc.', 'Ltd.', 'Co.'."""
    part = re.sub(r"\s*\((?:UMR|CNRS|UPR|EA|FRE|USR)[^)]*\)", "", part).strip(" ;:,")  # '<LAB> (UMR CNRS <number>)': a unit code
    if part.endswith(".") and not re.search(r"\b(Inc|Ltd|Co|Corp|Ltda|S\.A|B\.V)\.$", part):
        part = part.rstrip(".").strip()
    return part




def is_place(text: str) -> bool:
    """A country or a US state code alone ('Singapore', 'Portugal', 'CA'): never a name."""
    return text.strip(" .,").lower() in _COUNTRIES or bool(_US_STATE.match(text.strip()))


def _index(parts: list[str], part: str) -> int:
    return parts.index(part) if part in parts else len(parts)


def _is_place(parts: list[str]) -> bool:
    """'Town, Country' and nothing else: no organisation is named."""
    if len(parts) != 2 or parts[1].lower().strip(" .") not in _COUNTRIES:
        return False
    town = parts[0].strip()
    return not (_STRONG.search(town) or _WEAK.search(town) or _ACRONYM.match(town) or _NAMED_INSTITUTE.match(town)) \
        and 1 <= len(town.split()) <= in_force().town_max_words and all(w[:1].isupper() for w in town.split())


def _is_address(part: str, first: bool = False) -> bool:
    low = part.lower().strip(" .")
    if low in _COUNTRIES or _US_STATE.match(part.strip()):
        return True
    if first:
        return False
    if _STRONG.search(part) or _WEAK.search(part) or _NAMED_INSTITUTE.match(part) or known(part):
        return False  # 'CMS, Caltech': a known organisation's short name is not a town
    if _POSTCODE.search(part):
        return True
    words = part.split()
    return len(words) <= in_force().town_max_words and all(w[:1].isupper() for w in words) and not _is_unit(part)


def _parenthesised_org(part: str) -> str:
    match = re.search(r"\(([^)]+)\)", part)
    return match.group(1) if match and _STRONG.search(match.group(1)) else ""


def _university_inside(unit: str) -> str:
    """'AI Institute of <Name> University', 'School of X of the University of Y': the university a
    unit names after 'of' (the shortest such tail), or ''."""
    cuts = [m.end() for m in re.finditer(r"\bof\s+", unit)]
    for cut in reversed(cuts):
        tail = unit[cut:]
        if tail[:1].isupper() or tail.lower().startswith("the "):
            if _TOP_WORDS.search(tail) and not _is_unit(tail):
                return tail
    return ""


def _inner_org(part: str) -> str:
    """'Key Laboratory of X (<Name> University)' names <Name> University; so does a wrapped
    '... Technologies (<Name> University)'. A university's own bracket, its campus ('(<Town>)'), stays."""
    outside = re.sub(r"\([^)]*\)", " ", part)
    if _is_unit(part) or not _TOP.search(outside):
        return _parenthesised_org(part) or part
    return part


def _dedupe_kept(kept: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Each organisation of one entry once (its first rule kept)."""
    out: list[tuple[str, str]] = []
    for name, rule in kept:
        if not any(_repeats(name, o) for o, _ in out):
            out.append((name, rule))
    return out


FOLD_CACHE = 16384  # distinct phrases folded per process: a page's parts are folded again by each check


@functools.lru_cache(maxsize=FOLD_CACHE)
def fold(name: str) -> str:
    """Comparison key: accents, case, spaces and punctuation folded; common abbreviations expanded
    (cached: the rules, the checks and the registry fold the same phrases again and again)."""
    for pattern, full in _ABBREVIATIONS:
        name = pattern.sub(full, name)
    name = unicodedata.normalize("NFKD", name)
    name = "".join(ch for ch in name if not unicodedata.combining(ch))
    name = re.sub(r"^the\s+", "", name.strip(), flags=re.I)
    return re.sub(r"[\W_]+", "", name.casefold())


def _same(a: str, b: str) -> bool:
    if a == b:
        return True
    short, long_ = sorted((a, b), key=len)
    return bool(short) and short in long_ and len(short) >= in_force().same_name_share * len(long_)


def _campus_of(name: str, other: str) -> bool:
    """'X (<Town>)' beside 'X' is another campus, not a repeat ('X (XU)', an acronym, is a repeat)."""
    match = re.fullmatch(r"(.+?)\s*\(([^)]+)\)", name.strip())
    return bool(match) and fold(match.group(1)) == fold(other) and not re.fullmatch(r"[A-Z][A-Z&.\-]{2,}", match.group(2))


def _repeats(name: str, other: str) -> bool:
    """Whether two printed names stand for one organisation."""
    return _same(fold(name), fold(other)) and not (_campus_of(name, other) or _campus_of(other, name))


# ---- well-known organisations: short forms and Chinese names (pipeline/data/organisations.yaml) ----


class KnownOrganisation:
    """One row of the table: the usual name, its short forms and its common Chinese names."""

    __slots__ = ("name", "short", "chinese")

    def __init__(self, name: str, short: list[str], chinese: list[str]) -> None:
        self.name, self.short, self.chinese = name, list(short), list(chinese)

    @property
    def names(self) -> list[str]:
        return [self.name, *self.short]


@functools.lru_cache(maxsize=1)
def _table() -> tuple[dict[str, KnownOrganisation], dict[str, KnownOrganisation]]:
    """(by folded Latin name or short form, by Chinese name), read once from the package data."""
    import yaml

    text = resources.files("pipeline").joinpath("data/organisations.yaml").read_text(encoding="utf-8")
    rows = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # the C loader: 10x faster
    latin: dict[str, KnownOrganisation] = {}
    chinese: dict[str, KnownOrganisation] = {}
    for name, short, zh in rows:
        org = KnownOrganisation(name, short, zh)
        for form in org.names:
            latin.setdefault(fold(form), org)
        for form in zh:
            chinese.setdefault(fold(form), org)
    return latin, chinese


def _hand_row(name: str) -> KnownOrganisation | None:
    latin, chinese = _table()
    key = fold(name)
    return latin.get(key) or chinese.get(key)


def known(name: str) -> KnownOrganisation | None:
    """The table's row for a name in any of its forms (Latin or Chinese), else the registry's one
    organisation of that name (its name and Chinese label; a shared name is nobody's)."""
    row = _hand_row(name)
    if row is not None:
        return row
    org = registry.identify(name)
    return KnownOrganisation(org.name, [], [org.zh] if org.zh else []) if org is not None else None


@functools.cache
def _chinese_names() -> tuple[str, ...]:
    return tuple(sorted((c for org in _table()[1].values() for c in org.chinese), key=len, reverse=True))


def chinese_names() -> list[str]:
    """Every Chinese name the table knows, longest first (for finding them inside a sentence);
    sorted once per process, not once per paper."""
    return list(_chinese_names())


# ---- short forms read as the registry's name ----

_SHORT_FORM = re.compile(r"^[A-Z][\w&-]{2,11}$")  # one token: '<ABCDE>', '<Uname>'
_ACRONYM_AND_TOWN = re.compile(r"^([A-Z][A-Z&-]{1,7})\s+([A-Z][\w-]+)$")  # '<ABCD> <Town>': the acronym and its own town
_SHORT_KINDS = (registry.KIND["alias"], registry.KIND["acronym"])


def registry_forms(names: list[str], page_text: str) -> list[str]:
    """A short form printed alone ('<ABCDE>', '<ABCD> <Town>') read as the registry's name, the
    printed form kept in brackets: readers and the scorer know the organisation by either. Only a
    form that narrows to one organisation by what page 1 prints, and never a company (its brand
    is its name)."""
    context: registry.Context | None = None
    out = []
    for name in names:
        if _SHORT_FORM.match(name) or _ACRONYM_AND_TOWN.match(name):
            context = context or registry.Context(page_text)
            org = _spelt_out(name, context)
            if org is not None and fold(org.name) not in context.folded:
                name = f"{_without_country(org)} ({name})"
        out.append(name)
    return out


def _spelt_out(name: str, context: registry.Context) -> registry.Organisation | None:
    """The one non-company organisation a short form stands for, or None."""
    town = _ACRONYM_AND_TOWN.match(name)
    short = town.group(1) if town and not registry.knows(name) else name
    org = registry.identify(short, context)
    if org is None or org.type == "company" or not set(org.keys(*_SHORT_KINDS)) & {fold(short)}:
        return None
    if short != name and fold(town.group(2)) not in fold(org.name):
        return None  # '<ABCD> <Town>' is that organisation only when the town is in its name
    return org


def _without_country(org: registry.Organisation) -> str:
    """'Microsoft (United States)': the registry's country is no part of the printed name."""
    forms = [re.escape(f) for f in registry.country_forms(org.country)]
    return re.sub(rf"\s*\((?:{'|'.join(forms)})\)$", "", org.name) if forms else org.name


def entry_parts(entry: str) -> list[str]:
    """An entry's comma-separated parts, markers, emails and edge punctuation gone (for the checks)."""
    return [p for p in (_trim(p) for p in _split_parts(_strip_noise(entry))) if p]


def is_unit_or_generic(part: str) -> bool:
    """A department, a school, a bare 'University' or 'Inc.': no organisation of its own."""
    return _is_unit(part) or bool(_GENERIC_ALONE.match(part.strip())) or is_place(part)


def has_organisation_word(part: str) -> bool:
    """A word that makes a phrase an organisation, or the acronym-and-town form ('<ABC> <Town>')."""
    return bool(_STRONG.search(part))


# ---- where page 1 prints affiliations ----

# a sentence about the paper, not an affiliation: thanks, sponsorship, funding, a compute donation
_NOT_AFFILIATION_LINE = re.compile(
    r"\b(?:sponsor(?:s|ed|ship)?|supported (?:in part )?by|funded by|funding|grants?\b|granted|thanks?|thanking|"
    r"thankful|grateful|acknowledg\w*|courtesy of|donat(?:ed|ion)s?|provided by|gifts? from|compute (?:credits|time)|"
    r"credits? from|in (?:collaboration|partnership) with)\b|资助|支持|感谢|致谢", re.I)
_LINK = re.compile(r"(?:https?://|www\.)\S+|\b[\w.-]+\.(?:com|org|io|ai|net|edu|github\.io)/\S*", re.I)


def affiliation_text(header: str) -> str:
    """The header block without what names an organisation only in passing: a line that thanks,
    sponsors or funds (a sponsor is no affiliation), and links. Author lines, affiliation lines,
    their footnotes and correspondence lines stay, e-mail addresses with them."""
    lines = []
    for line in header.splitlines():
        cells = [c for c in re.split(r"\s{3,}", line) if not _NOT_AFFILIATION_LINE.search(c)]  # cells apart, as the header prints them
        lines.append(_LINK.sub(" ", "   ".join(cells)))
    return "\n".join(line for line in lines if line.strip())


# ---- usual forms of one name ----

# university systems whose campuses are known by a short form: 'UC Berkeley' is 'University of California, Berkeley'
_SYSTEM_SHORT = {"UC": "University of California", "UT": "University of Texas at", "UMass": "University of Massachusetts",
                 "UNC": "University of North Carolina at", "UW": "University of Wisconsin–"}
_SYSTEM_SHORT_FORM = re.compile(rf"^(?:[Tt]he\s+)?({'|'.join(_SYSTEM_SHORT)})\s+([A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)$")
_SYSTEM_FULL_FORM = re.compile(
    r"^(?:[Tt]he\s+)?(University of California|University of Texas|University of Massachusetts|University of North Carolina|"
    r"University of Wisconsin)\s*(?:,|at|[-–])\s*([A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)$")


def usual_forms(name: str) -> list[str]:
    """Other forms a reader takes for the same organisation, by spelling alone: the name and its
    bracketed acronym apart ('Full Name (ACR)'), a university system's campus spelt out or short
    ('UC Berkeley' <-> 'University of California, Berkeley'). The registry adds the rest."""
    name = re.sub(r"\s+", " ", name).strip()
    forms: list[str] = []
    bracket = re.fullmatch(r"(.+?)\s*\(([^()]+)\)", name)
    if bracket:
        forms += [bracket.group(1), bracket.group(2)]
    for form in [name, *forms]:
        short = _SYSTEM_SHORT_FORM.match(form)
        if short:
            forms.append(f"{_SYSTEM_SHORT[short.group(1)]}, {short.group(2)}".replace(" at,", " at").replace("–,", "–"))
            forms.append(f"{_SYSTEM_SHORT[short.group(1)].removesuffix(' at').rstrip('–')}, {short.group(2)}")
        full = _SYSTEM_FULL_FORM.match(form)
        if full:
            system = next(k for k, v in _SYSTEM_SHORT.items() if v.removesuffix(" at").rstrip("–") == full.group(1))
            forms += [f"{system} {full.group(2)}", f"{full.group(1)}, {full.group(2)}"]
    return [f for f in dict.fromkeys(forms) if f and fold(f) != fold(name)]


_ACADEMY_OR_MINISTRY = re.compile(r"\b(?:Academy|Academia|Ministry)\b|\bCAS\b|科学院|部$", re.I)
_INSTITUTE_HEAD = re.compile(r"^(?!(?:the\s+)?(?:department|dept\b|school|faculty|division|college))"
                             r"[^,]*\b(?:Institutes?|Laborator(?:y|ies)|Labs?|Cent(?:er|re)s?)\b[^,]*,\s*(?P<tail>.+)$", re.I)


def institute_of_academy(name: str) -> bool:
    """'Institute of Computing Technology, Chinese Academy of Sciences', '<X> Research Center,
    Ministry of Education': an institute, laboratory or centre of an academy or a ministry, which
    is named at its own level (a university's lab is lifted to the university instead)."""
    match = _INSTITUTE_HEAD.match(re.sub(r"\s*\([^()]*\)\s*$", "", name.strip()))
    return bool(match) and bool(_ACADEMY_OR_MINISTRY.search(match.group("tail")))
