"""How far each field read by the rules can be trusted, from plausibility checks alone.

Each check names its reason, so a doubtful field can be left out of the report with that reason
in report.json (and sent to the grounded LLM pass when an endpoint is configured) instead of
printing junk. Institutions are checked one by one: an implausible name is dropped from the list
and named in the doubt.
"""

from __future__ import annotations

import re

from .. import institutions as inst
from ..models import LOW_CONFIDENCE, FieldDoubt
from .title import is_multiword

LOW = LOW_CONFIDENCE
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
    if words > 40 or len(title) > 300:
        return "too long for a title (likely the abstract)"
    if _VENUE.search(title):
        return "reads like a journal name or running header"
    if re.match(r"^(fig\.|figure|table)\s*\d", title, re.I):
        return "reads like a figure caption"
    if not is_multiword(title):
        return "a single word"
    return ""


def author_doubt(authors: list[str], count: int | None, anonymous: bool) -> str:
    if count is None or anonymous:
        return ""
    if count == 0:
        return "no author names found"  # often an anonymous submission: said, but not doubted
    odd = [a for a in authors if len(a.split()) > 5 or re.search(r"[\d@:;()\[\]]", a)]
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
            _NOT_ORG.search(name) or len(name.split()) > 12 or inst.fold(name) in people
            or (len(name.split()) > 6 and _SENTENCE.search(name)) or _DEPARTMENT.match(name)
        )
        (dropped if bad else kept).append(name)
    return kept, dropped


def abstract_doubt(abstract: str) -> str:
    if not abstract:
        return "no abstract found"
    if len(abstract) + len(_WIDE.findall(abstract)) < 120:
        return "too short for an abstract"
    if re.match(r"[a-z]{2,}\b(?![-’'])", abstract):
        return "starts mid-sentence (likely body text, not the abstract)"
    return ""


def doubts(title: str, authors: list[str], count: int | None, anonymous: bool,
           kept: list[str], dropped: list[str], abstract: str, cited: int = 0, labs: list[str] = (),
           entries: int = 0) -> dict[str, FieldDoubt]:
    """One FieldDoubt per field: its confidence and, when low, why. `entries` counts the affiliation
    entries as printed (two entries of one university are one name but two numbers)."""
    author_reason = author_doubt(authors, count, anonymous)
    out = {
        "title": _doubt(title_doubt(title)),
        "authors": FieldDoubt(confidence=LOW, reason=author_reason) if count == 0 and author_reason else _doubt(author_reason),
        "abstract": _doubt(abstract_doubt(abstract)),
    }
    if dropped:
        out["institutions"] = FieldDoubt(confidence=0.3, reason=f"dropped as not organisations: {'; '.join(dropped)}")
    elif [n for n in kept if not inst.reads_as_organisation(n)]:
        plain = [n for n in kept if not inst.reads_as_organisation(n)]
        out["institutions"] = FieldDoubt(confidence=0.4, reason=f"no sign of an organisation in: {'; '.join(plain)}")
    elif labs:
        out["institutions"] = FieldDoubt(confidence=0.45, reason=f"a company is printed with its lab ({'; '.join(labs)}); which one the paper means is unsure")
    elif cited > max(len(kept), entries) and not anonymous:
        out["institutions"] = FieldDoubt(confidence=0.4, reason=f"the authors cite affiliation {cited}, but only {max(len(kept), entries)} were read")
    elif not kept and count:
        out["institutions"] = FieldDoubt(confidence=LOW, reason="none printed on page 1 that the rules could read")
    else:
        out["institutions"] = FieldDoubt(confidence=1.0)
    return out


def _doubt(reason: str) -> FieldDoubt:
    return FieldDoubt(confidence=0.2 if reason else 1.0, reason=reason)
