"""Why a title, an author list or an abstract read by the rules is implausible (confidence.py weighs
the institutions and gathers every field's doubt)."""

from __future__ import annotations

import re

from ..rules import in_force
from .title import cut_title, is_multiword

_WIDE = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")
_VENUE = re.compile(r"\b(journal|proceedings|conference|transactions|letters|contents lists|homepage|volume|vol\.)\b"
                    r"|^articles?$|^acta\b", re.I)  # 'Acta Physica Sinica'


def title_doubt(title: str) -> str:
    """Why a title is implausible, or '' when it looks like one."""
    if not title:
        return "no title found on page 1"
    words = len(title.split()) + len(_WIDE.findall(title)) // 2
    if words > in_force().title_max_words or len(title) > in_force().title_max_chars:
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


_NICKNAME = re.compile(r"\s\([A-Z][a-z]+\)(?=\s)")  # 'Danfeng (Daphne) Yao': the name the author goes by


def author_doubt(authors: list[str], count: int | None, anonymous: bool) -> str:
    if count is None or anonymous:
        return ""
    if count == 0:
        return "no author names found"  # often an anonymous submission: said, but not doubted
    odd = [a for a in authors if len(a.split()) > in_force().person_max_words
           or re.search(r"[\d@:;()\[\]]", _NICKNAME.sub("", a))
           or len(a.split()) == 1 and not _WIDE.search(a)]  # 'Design', 'Engineering': a word, seldom a person
    if odd:
        return f"names that do not look like people: {', '.join(odd[:3])}"
    return ""


def abstract_doubt(abstract: str) -> str:
    if not abstract:
        return "no abstract found"
    if len(abstract) + len(_WIDE.findall(abstract)) < in_force().abstract_min_chars:
        return "too short for an abstract"
    if re.match(r"[a-z]{2,}\b(?![-’'])", abstract):
        return "starts mid-sentence (likely body text, not the abstract)"
    return ""


def line_under_byline(header: str, authors: list[str], title: str) -> str:
    """Why no organisation read is doubtful: a short capitalised line under the byline that nothing was
    read from ('RStudio' under its author's name), which may name the organisation; '' when none."""
    lines = header.splitlines()
    last = max((i for i, line in enumerate(lines) if any(a and a in line for a in authors)), default=-1)
    for line in lines[last + 1:] if last >= 0 else []:
        words = line.split()
        named = all(w[:1].isupper() or w in ("of", "and", "for", "the", "&") for w in words)  # a name, not a note's phrase
        if 1 <= len(words) <= 6 and named and not re.search(r"\d|@|http|www\.|\.$", line.strip()) \
                and " ".join(words).lower() not in title.lower():  # 'Technology.': a sentence's end, no name
            return f"none read, but '{line.strip()[:60]}' is printed under the byline"
    return ""

