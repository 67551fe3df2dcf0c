"""What a field of its kind must be: why a title, an author list or a list of organisations read from
page 1 is not one (a running head as the title, the title's second line as an author, an affiliation
line with its markers as one institution). decide.py weighs the two readings with these faults."""

from __future__ import annotations

import re

from ..names import institutions as inst
from ..names import registry
from ..names.vocabulary import Pattern, either, word_set
from ..rules import in_force
from .authors import TEAM_RE
from .confidence import title_doubt
from .forms import CJK, forms

# what a field of its kind must not be (the reasons report.json keeps)
RUNNING_HEAD = "a running head, venue or template line, not a title"
TITLE_FRAGMENT = "a fragment of the title the other reading has whole"
AUTHOR_LINE = "the author line, not a title"
NOT_A_TITLE = "not a title"
NOT_A_PERSON = "not a person's name"
PART_OF_TITLE = "part of the title, not an author"
ORGANISATION_AS_AUTHOR = "an organisation, not an author"
NAMES_RUN_TOGETHER = "several names run together"
SEVERAL_ORGANISATIONS = "several organisations run together"
MARKERS_KEPT = "affiliation markers copied into the name"
PERSON_AS_ORGANISATION = "a person, not an organisation"
ADDRESS_ALONE = "an address or a place, not an organisation"
NO_ORGANISATION = "no sign of an organisation"
RUN_INTO = "the other reading's organisation with other words run into it"
TITLE_AS_ORGANISATION = "words of the title, not an organisation"
TEAM_AS_ORGANISATION = "a team's name, not an organisation"
PROSE_AS_ORGANISATION = "words of a sentence or a figure, not an organisation"
NOTHING = "nothing read"

_VENUE_LINE = re.compile(
    r"^(?:preprint|arxiv|under review|published as|accepted (?:at|to|as|for|by|in)|to appear|appears? in|in proceedings|"
    r"proceedings of|technical report|tech(?:nical)? rep|in submission|submitted to|camera[- ]ready|journal of|transactions on)\b"
    r"|^(?:draft|working paper|manuscript|(?:research |original |review )?article|letter|review|short paper)\W*$"
    r"|\b(?:conference|symposium|workshop) (?:on|paper)\b|\bvol(?:ume)?\.?\s*\d|\bno\.\s*\d|\bissn\b|\bdoi\b|©|\bcopyright\b"
    r"|学报|期刊|杂志|第\s*\S{1,4}\s*[卷期]|文章编号|挑战赛|研讨会|论文集|年会|大会|中图分类号|文献标识码"
    r"|\(\s*(?:19|20)\d\d\s*\)\s*\d|\d{4}\s*年\s*\d{1,2}\s*月|\|\s*\d+\s*$|^\d+\s*\|"
    r"|\bauthor(?:\(s\)| guidelines| instructions)|\brunning (?:title|head)|^(?:[A-Z][a-z]{0,5}\.\s*){2,}$",
    re.I)
_EMAIL_OR_LINK = re.compile(r"@|https?:|www\.")
MARKS = re.compile(r"^[\s\d*∗†‡§¶⋆,]+|[\s\d*∗†‡§¶⋆,]+$")
_GLUED_MARKER = re.compile(r"[A-Za-z.)\u4e00-\u9fff][\d*∗†‡§¶]{1,3}\s+\S|^[\d*∗†‡§¶]{1,2}\s*[A-Z\u4e00-\u9fff]|"
                           r"\s\d{1,2}\s+[A-Z]|[a-z][*∗†‡§¶\d]{1,2}$|^[a-z]\)?\s+[A-Z]|^[)\]）】,.;:、]")
_ORG_END = Pattern(lambda: rf"(?:{either('decide_name_ends')})$")
_ORG_WORD = Pattern(lambda: rf"\b(?:{either('decide_organisation_words')})|{either('chinese_organisation_heads')}")
_FIELD_WORD = Pattern(lambda: rf"\b(?:{either('field_words')})\b|匿名")
_CELL_GAP = re.compile(r"\s{3,}|;|；")
_ADDRESS = re.compile(r"^\d+[\w\s,.-]*\b(?:street|st\.|road|rd\.|avenue|ave\.|boulevard|blvd|drive|way|lane)\b|"
                      r"^(?:p\.?o\.? box|room|building|floor)\b|\b\d{5,6}\b", re.I)


# ---- what a field of its kind must be -------------------------------------------------------------


def title_faults(title: str, authors: list[str], other: str) -> str:
    """Why this is not the paper's title (a running head, a venue line, the author line, a
    fragment of the other reading's title), or ''."""
    if not title.strip():
        return NOTHING
    if _VENUE_LINE.search(title) or _EMAIL_OR_LINK.search(title):
        return RUNNING_HEAD
    if sum(len(key) >= 4 and key in inst.fold(title) for key in {person_key(a) for a in authors}) >= 2:
        return AUTHOR_LINE
    if other and _fragment_of(title, other):
        return TITLE_FRAGMENT
    doubt = title_doubt(title)
    return f"{NOT_A_TITLE} ({doubt})" if doubt else ""


def author_faults(authors: list[str], titles: list[str], organisations: list[str]) -> str:
    """Why this list is not the paper's authors (a name that is no person's, part of the title,
    an organisation, several names run together), or ''."""
    titled = [inst.fold(t) for t in titles if t]
    for name in authors:
        why = _person_fault(name, titled, {inst.fold(o) for o in organisations})
        if why:
            return f"{why}: “{name[:80]}”"
    return ""


def _person_fault(name: str, titles: list[str], organisations: set[str]) -> str:
    bare = MARKS.sub("", name).strip()
    key = inst.fold(bare)
    if not key or re.search(r"[\d@:;()\[\]/|]", bare):
        return NOT_A_PERSON
    if re.search(r",|\band\b|\bAND\b|&|·", bare) or CJK.search(bare) and len(bare.split()) > 1 and min(map(len, bare.split())) >= 2:
        return NAMES_RUN_TOGETHER
    if key in organisations or _ORG_WORD.search(bare) or inst.stands_alone(bare) and not re.search(r"^[A-Z][a-z]+ [A-Z][a-z]+$", bare):
        return ORGANISATION_AS_AUTHOR
    if len(key) >= 6 and any(key in t for t in titles):
        return PART_OF_TITLE
    words = [w for w in bare.split() if w not in word_set("surname_particles")]  # 'van', 'de' (written small; 'Du' is a family name)
    if CJK.search(bare):
        return "" if len(key) <= 6 else NAMES_RUN_TOGETHER
    if len(words) > in_force().person_max_words:
        return NAMES_RUN_TOGETHER
    if inst.is_place(bare) or _VENUE_LINE.search(bare):
        return NOT_A_PERSON
    if len(words) < 2 or re.fullmatch(r"[A-Z]\.?", words[-1]) or _FIELD_WORD.search(bare) or \
            any(w[:1].isalpha() and not w[:1].isupper() for w in words):
        return NOT_A_PERSON  # a given name and a family name, not a word, an initial left alone or a subject
    return ""


def institution_faults(names: list[str], people: list[str], others: list[str] = (), titles: list[str] = ()) -> str:
    """Why this list is not the paper's organisations (several run together with their markers,
    a person, an address alone, words of the title, no organisation at all, another reading's
    organisation with more run into it), or ''."""
    persons = {person_key(p) for p in people}
    faults = [(why, name) for name in names if (why := _organisation_fault(name, persons) or _in_title(name, titles)
                                                or _run_into(name, names, others))]
    faults.sort(key=lambda fault: -severity(fault[0]))
    return f"{faults[0][0]}: “{faults[0][1][:80]}”" if faults else ""


def _in_title(name: str, titles: list[str]) -> str:
    """A title's line read as an organisation ('… Model / Training on Ascend NPU': the second line
    as the byline's organisation): words of the title that no registry knows as one."""
    words = name.split()
    inside = any(re.search(rf"(?<!\w){re.escape(' '.join(words))}(?!\w)", " ".join(t.split())) for t in titles if t)
    return TITLE_AS_ORGANISATION if (len(words) >= 2 or name.islower()) and inside and not inst.known(name) else ""  # 'campus'


def severity(fault: str) -> int:
    """0 for none; 1 for a name with no sign of an organisation (some real ones carry none:
    '<Name> <Name> Biohub'); 2 for anything else."""
    return 0 if not fault else 1 if fault.startswith(NO_ORGANISATION) else 2


def _run_into(name: str, mine: list[str], others: list[str]) -> str:
    """'EURECOM Google Inc.' where the other reading has 'EURECOM' and 'Google Inc.'; 'LLM-Core
    Xiaomi' where it has 'Xiaomi' (and this reading does not list that name on its own)."""
    key, own = inst.fold(name), {inst.fold(m) for m in mine}
    inside = [o for o in others if len(inst.fold(o)) >= 3 and inst.fold(o) != key and inst.fold(o) in key
              and _whole_words_in(o, name) and inst.fold(o) not in own and not forms(o) & forms(name)
              and not _institute_of(name, o) and not _organisation_fault(o, set()) and not _another_registered(name, o)]
    if len(inside) >= 2:
        return SEVERAL_ORGANISATIONS
    return RUN_INTO if inside else ""


def _another_registered(name: str, inside: str) -> bool:
    """'The Chinese University of Hong Kong, Shenzhen' around 'The Chinese University of Hong Kong':
    the registry knows the whole as an organisation of its own, not the other with words run into it."""
    whole = registry.identify(name)
    return whole is not None and whole != registry.identify(inside)


def _whole_words_in(part: str, name: str) -> bool:
    """`part` in `name` as whole words ('University of Leed' is not inside 'University of Leeds')."""
    words = [re.escape(w) for w in re.findall(r"\w+", part)]
    return not words or bool(re.search(r"(?<!\w)" + r"\W+".join(words) + r"(?!\w)", name, re.I))


_INSTITUTE = re.compile(r"\b(?:Institutes?|Laborator(?:y|ies)|Labs?|Cent(?:er|re)s?)\b|研究所|研究院|实验室|中心", re.I)
_UNIT_HEAD = re.compile(r"^(?:the\s+)?(?:department|dept\b|school|faculty|division|college)", re.I)


def _institute_of(name: str, org: str) -> bool:
    """'Institute of Information Engineering, CAS' around the other reading's 'CAS' (or 'Chinese
    Academy'), '<Engineering Research Center>, Ministry of Education' around 'Ministry of
    Education': an academy's or a ministry's institute is an organisation of its own (the corpus
    keeps it whole), not words run into the other's name."""
    words = [re.escape(w) for w in org.split()]
    rest = re.sub(r"\W+".join(words), " ", name, flags=re.I).strip(" ,;()（）") if words else ""
    return (rest != name.strip(" ,;()（）") and inst.institute_of_academy(name)
            and bool(_INSTITUTE.search(rest)) and not _UNIT_HEAD.match(rest))


def _organisation_fault(name: str, persons: set[str]) -> str:
    text = name.strip()
    if _EMAIL_OR_LINK.search(text):
        return NO_ORGANISATION
    if inst.fold(text) in persons or person_key(text) in persons:
        return PERSON_AS_ORGANISATION
    if len([p for p in _CELL_GAP.split(text) if p.strip() and _ORG_WORD.search(p)]) >= 2 or _run_together(text):
        return SEVERAL_ORGANISATIONS
    if inst.is_place(text) or (_ADDRESS.search(text) and not _ORG_WORD.search(text)) or _POSTCODE.search(text):
        return ADDRESS_ALONE  # or run into the name: '武汉 ４３００７２ 武汉大学…', '<Town> 100084 <University>'
    if _GLUED_MARKER.search(text):
        return MARKERS_KEPT
    if TEAM_RE.search(text) and not inst.companies_in(text.replace("Team", "")):
        return TEAM_AS_ORGANISATION  # '<Brand> Team' signs a report; the company, where page 1 names one, is the organisation
    if inst.is_placeholder(text):
        return NO_ORGANISATION  # 'Institution B': the template's blank
    if inst.reads_as_prose(text) and not _ORG_WORD.search(text):
        return PROSE_AS_ORGANISATION
    if len(text.split()) > 14 or re.search(r"\banonymous\b|匿名", text, re.I) or re.match(r"[a-z]{2,}\s+[a-z]", text) \
            or not inst.reads_as_organisation(text):
        return NO_ORGANISATION
    return ""


_POSTCODE = re.compile(r"(?<![\d.-])[\d０-９]{6,7}(?![\d.-])")  # a six-digit postal code (China, India, Russia), a mark glued on


def _run_together(text: str) -> bool:
    """Two organisations in one name: an organisation's last word followed by another name that
    carries an organisation word ('Tsinghua University2 ModelBest Inc.', '清华大学 北京大学')."""
    words = re.sub(r"(?<=[A-Za-z.])\d{1,2}(?=\s)", "", text).split()
    for cut in range(2, len(words)):
        head, tail = " ".join(words[:cut]), " ".join(words[cut:])
        if _ORG_END.search(head.rstrip(",")) and words[cut][:1].isupper() and not re.match(r"(?:of|for|at)\b", words[cut]) \
                and _ORG_WORD.search(tail) and not tail.startswith("("):
            return True
    cjk = [w for w in text.split() if CJK.search(w)]
    return len(cjk) >= 2 and sum(bool(re.search(r"(?:大学|研究院|研究所|公司)$", w)) for w in cjk) >= 2


def _fragment_of(short: str, whole: str) -> bool:
    """A piece of a longer title: the start of it cut at a line break, or any other part."""
    a, b = inst.fold(short), inst.fold(whole)
    return bool(a) and len(a) < len(b) and a in b


def person_key(name: str) -> str:
    return inst.fold(MARKS.sub("", name))

