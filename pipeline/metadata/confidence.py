"""How far each field read by the rules can be trusted, from plausibility checks alone.

Each check names its reason, so a doubtful field can be left out of the report with that reason
in report.json (and sent to the grounded LLM pass when an endpoint is configured) instead of
printing junk. Institutions are checked one by one: an implausible name is dropped from the list
and named in the doubt.
"""

from __future__ import annotations

import re

from .. import institutions as inst
from .. import registry
from ..models import LOW_CONFIDENCE, FieldDoubt
from .title import cut_title, is_multiword

LOW = LOW_CONFIDENCE
TITLE_MAX_WORDS = 40  # a longer title is the abstract read as one
TITLE_MAX_CHARS = 300  # likewise in characters
PERSON_MAX_WORDS = 5  # an author name with more words is not a person's
ORG_MAX_WORDS = 12  # an organisation's name with more words is a sentence or a run of entries
SENTENCE_MIN_WORDS = 6  # a name this long with a sentence's words is a sentence
ABSTRACT_MIN_CHARS = 120  # printed width: a shorter abstract is a fragment
# How far a field is trusted when a check fails (all below LOW: the field is not printed as read)
FAILED_CHECK = 0.2  # a check on the title, authors or abstract failed
NOT_ORGANISATIONS = 0.3  # names were dropped as not organisations
GLUED_OR_UNREAD = 0.35  # a person's name run into an organisation, or organisations left unread
NO_SIGN_OR_UNCOUNTED = 0.4  # no sign of an organisation, more affiliations cited than read, or nothing read
COMPANY_LAB = 0.45  # a company printed with its lab: which one the paper means is unsure
_WIDE = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")
_VENUE = re.compile(r"\b(journal|proceedings|conference|transactions|letters|contents lists|homepage|volume|vol\.)\b|^articles?$", re.I)
_SENTENCE = re.compile(r"[。！？]|\b(?:we|our|this paper|is|are|was|were|to)\b", re.I)
_DEPARTMENT = re.compile(r"^(?:the\s+)?(?:department|dept\.?|school|faculty|division) (?:of|for)\b(?!.*,)", re.I)
_NOT_ORG = re.compile(r"^[a-z]+\s|[:=@]|\d{3,}|^\W|\b(?:include|includes|to [A-Z]{2,})\b|^[A-Z]\.\s?[A-Z][a-z]+$")  # 'Y. Tong': a person


def title_doubt(title: str) -> str:
    """Why a title is implausible, or '' when it looks like one."""
    if not title:
        return "no title found on page 1"
    words = len(title.split()) + len(_WIDE.findall(title)) // 2
    if words > TITLE_MAX_WORDS or len(title) > TITLE_MAX_CHARS:
        return "too long for a title (likely the abstract)"
    if _VENUE.search(title):
        return "reads like a journal name or running header"
    if re.match(r"^(fig\.|figure|table)\s*\d", title, re.I):
        return "reads like a figure caption"
    if not is_multiword(title):
        return "a single word"
    if cut := cut_title(title):
        return f"cut at a line break ({cut})"
    return ""


def author_doubt(authors: list[str], count: int | None, anonymous: bool) -> str:
    if count is None or anonymous:
        return ""
    if count == 0:
        return "no author names found"  # often an anonymous submission: said, but not doubted
    odd = [a for a in authors if len(a.split()) > PERSON_MAX_WORDS or re.search(r"[\d@:;()\[\]]", a)]
    if odd:
        return f"names that do not look like people: {', '.join(odd[:3])}"
    return ""


def institution_doubts(names: list[str], authors: list[str]) -> tuple[list[str], list[str]]:
    """(names kept, names dropped): a kept name looks like an organisation, not a date, a sentence,
    a fragment, a person or a department alone."""
    people = {inst.fold(a) for a in authors}
    kept, dropped = [], []
    for name in names:
        bad = (
            _NOT_ORG.search(name) or len(name.split()) > ORG_MAX_WORDS or inst.fold(name) in people
            or (len(name.split()) > SENTENCE_MIN_WORDS and _SENTENCE.search(name)) or _DEPARTMENT.match(name)
        )
        (dropped if bad else kept).append(name)
    return kept, dropped


_CELL_GAP = re.compile(r"\s{3,}")  # header_block puts three spaces between a line's cells
_NOTE_LETTER = re.compile(r"^(?:[a-z]\)?|\d*\))\s+")  # 'b College of ...', '1) 上海交通大学': a marker read as a word
_CONNECTIVE = {"of", "and", "for", "de", "the", "at", "in", "du", "des", "di", "der", "für", "la", "le", "&", "y", "e", "on", "an"}
MAX_NAME_WORDS = 8  # an organisation's name printed in the header is shorter; longer is a sentence


def _is_name(part: str) -> bool:
    """A printed name: capitals but for connectives, no digits ('<Name> University', not 'the grant <number>')."""
    words = part.split()
    return (len(words) <= MAX_NAME_WORDS and not re.search(r"\d", part) and bool(re.match(r"[A-Z\u4e00-\u9fff]", part))
            and all(w[:1].isupper() or w.lower() in _CONNECTIVE or not w[:1].isalpha() or _WIDE.match(w) for w in words))


def _registered(part: str) -> bool:
    """The registry names one organisation so (two words at least: one word matches too much)."""
    bare = re.sub(r"\s*\([^)]*\)$", "", part)
    words = [w for w in bare.split() if w.lower() not in _CONNECTIVE]
    return (len(words) > 1 or bool(_WIDE.search(bare))) and registry.identify(bare) is not None


def _kept_forms(kept: list[str]) -> list[tuple[set[str], str]]:
    """Each kept name's folded forms (whole, without and as its bracketed short form) and itself folded."""
    out = []
    for name in kept:
        forms = {inst.fold(re.sub(r"\s*\([^)]*\)$", "", name)), inst.fold(name)}
        forms |= {inst.fold(m) for m in re.findall(r"\(([^()]+)\)$", name)}
        out.append(({f for f in forms if f}, inst.fold(name)))
    return out


def _covers(text: str, kept: list[tuple[set[str], str]]) -> bool:
    """A kept name (or its bracketed short form) printed in this text, or the text a piece of a
    kept name (a name wrapped over two lines)."""
    folded = inst.fold(text)
    return any(folded in whole or any(f in folded for f in forms) for forms, whole in kept)


_MARKED_NOTE = re.compile(r"^[*∗†‡§¶]\s*\S[^@]{0,60}?\s\S+@\S+\.\w+$")  # '∗ <ABCD>. name@<abcd>.<domain>': an author's affiliation note


def unread_organisations(header: str, kept: list[str]) -> list[str]:
    """Organisations page 1's header prints in a cell no kept name accounts for. With names kept,
    only what the registry knows counts; with none, an organisation word or an author's marked
    note with an address is enough."""
    found, forms = [], _kept_forms(kept)
    for cell in (c for line in header.splitlines() for c in _CELL_GAP.split(line)):
        if _covers(cell, forms):
            continue
        if not kept and _MARKED_NOTE.match(cell.strip()):
            found.append(re.sub(r"\S+@\S+", "", cell).strip(" *∗†‡§¶."))
            continue
        for part in inst.entry_parts(_NOTE_LETTER.sub("", cell.strip())):
            if not _is_name(part) or inst.is_unit_or_generic(part) or _covers(part, forms) or part in found:
                continue
            if _registered(part) or (not kept and inst.has_organisation_word(part)):
                found.append(part)
    return found


def _below_title(header: str, title: str) -> bool:
    """Whether the header prints anything besides the title (where authors would stand)."""
    folded = inst.fold(title)
    return any(inst.fold(line) not in folded for line in header.splitlines() if inst.fold(line))


def glued_names(kept: list[str]) -> list[str]:
    """Kept names that are an organisation the registry knows with a person's name before it
    ('<Given> <Family> University College <Town>': a name cell run into an affiliation)."""
    glued = []
    for name in kept:
        words = name.split()
        for cut in range(2, len(words) - 1):
            head, tail = " ".join(words[:cut]), " ".join(words[cut:])
            if _is_name(head) and not inst.looks_like_affiliation(head) and not inst.known(head) and head[-1].isalpha() \
                    and registry.identify(tail) is not None:
                glued.append(name)
                break
    return glued


def abstract_doubt(abstract: str) -> str:
    if not abstract:
        return "no abstract found"
    if len(abstract) + len(_WIDE.findall(abstract)) < ABSTRACT_MIN_CHARS:
        return "too short for an abstract"
    if re.match(r"[a-z]{2,}\b(?![-’'])", abstract):
        return "starts mid-sentence (likely body text, not the abstract)"
    return ""


def doubts(title: str, authors: list[str], count: int | None, anonymous: bool,
           kept: list[str], dropped: list[str], abstract: str, cited: int = 0, labs: list[str] = (),
           entries: int = 0, header: str = "") -> dict[str, FieldDoubt]:
    """One FieldDoubt per field: its confidence and, when low, why. `entries` counts the affiliation
    entries as printed (two entries of one university are one name but two numbers)."""
    author_reason = author_doubt(authors, count, anonymous)
    out = {
        "title": _doubt(title_doubt(title)),
        "authors": FieldDoubt(confidence=LOW, reason=author_reason) if count == 0 and author_reason else _doubt(author_reason),
        "abstract": _doubt(abstract_doubt(abstract)),
    }
    if dropped:
        out["institutions"] = FieldDoubt(confidence=NOT_ORGANISATIONS, reason=f"dropped as not organisations: {'; '.join(dropped)}")
    elif [n for n in kept if not inst.reads_as_organisation(n)]:
        plain = [n for n in kept if not inst.reads_as_organisation(n)]
        out["institutions"] = FieldDoubt(confidence=NO_SIGN_OR_UNCOUNTED, reason=f"no sign of an organisation in: {'; '.join(plain)}")
    elif glued := glued_names(kept):
        out["institutions"] = FieldDoubt(confidence=GLUED_OR_UNREAD, reason=f"a person's name run into an organisation: {'; '.join(glued)}")
    elif labs:
        out["institutions"] = FieldDoubt(confidence=COMPANY_LAB, reason=f"a company is printed with its lab ({'; '.join(labs)}); "
                                                                    "which one the paper means is unsure")
    elif cited > max(len(kept), entries) and not anonymous:
        out["institutions"] = FieldDoubt(confidence=NO_SIGN_OR_UNCOUNTED, reason=f"the authors cite affiliation {cited}, "
                                                                             f"but only {max(len(kept), entries)} were read")
    elif unread := unread_organisations(header, kept):
        out["institutions"] = FieldDoubt(confidence=GLUED_OR_UNREAD, reason="page 1 prints organisations none of the names read "
                                                                        f"accounts for: {'; '.join(unread[:3])}")
    elif not kept and count == 0 and not anonymous and _below_title(header, title):
        out["institutions"] = FieldDoubt(confidence=NO_SIGN_OR_UNCOUNTED, reason="neither authors nor institutions read: the header "
                                                                             "may be laid out as the rules do not expect")
    elif not kept and count:
        out["institutions"] = FieldDoubt(confidence=LOW, reason="none printed on page 1 that the rules could read")
    else:
        out["institutions"] = FieldDoubt(confidence=1.0)
    return out


def _doubt(reason: str) -> FieldDoubt:
    return FieldDoubt(confidence=FAILED_CHECK if reason else 1.0, reason=reason)
