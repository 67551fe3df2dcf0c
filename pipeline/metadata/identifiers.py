"""The paper's own identifiers as page 1 prints them: its arXiv id (with its version) and its DOI.

Read by rules from page 1's text, never looked up: a reader of the digest gets a link to the
paper without paperbrief touching the network. Page 1 also cites other papers, so an id counts
only where page 1 prints it as the paper's own: arXiv's margin stamp ('arXiv:2401.01234v2 [cs.CL]
3 Jan 2024', the id beside its category), an arXiv link or id in the header above the abstract,
or a DOI written as one (after 'DOI' or in a doi.org link).
"""

from __future__ import annotations

import re

from pydantic import BaseModel

# new style (0704.0001 on, five digits from 1501) and old style ('hep-th/9901001', 'math.AG/0309136')
_NEW = r"(?P<new>(?P<yy>\d{2})(?P<mm>\d{2})\.\d{4,5})"
# the archives of old-style ids (arXiv's own list; 'submit/3071065', a submission's number, is none)
_ARCHIVES = ("astro-ph|cond-mat|gr-qc|hep-ex|hep-lat|hep-ph|hep-th|math-ph|nlin|nucl-ex|nucl-th|physics|quant-ph|math|cs"
             "|q-bio|q-fin|stat|acc-phys|adap-org|alg-geom|ao-sci|atom-ph|bayes-an|chao-dyn|chem-ph|cmp-lg|comp-gas"
             "|dg-ga|funct-an|mtrl-th|patt-sol|plasm-ph|q-alg|solv-int|supr-con")
_OLD = rf"(?P<old>(?:{_ARCHIVES})(?:\.[A-Z]{{2}})?/\d{{7}})"
_VERSION = r"(?P<version>v\d{1,3})?"
_ID = rf"(?:{_NEW}|{_OLD}){_VERSION}"
# the margin stamp: the id, its category in brackets (the date after it is not required: a stamp cut short)
_STAMP = re.compile(rf"\barXiv\s*:\s*{_ID}\s*\[\s*[a-z-]+(?:\.[A-Za-z-]+)?\s*\]", re.I)
# the paper's own id written out in its header: 'arXiv:2401.01234', 'arxiv.org/abs/2401.01234v2', arXiv's DOI
_WRITTEN = re.compile(rf"(?:\barXiv\s*:\s*|arxiv\.org/(?:abs|pdf)/|10\.48550/arXiv\.){_ID}(?![\d/])", re.I)
# a DOI given as one: 'DOI: 10.1109/...', 'doi 10.1145/...', 'https://doi.org/10.1038/...' ('https:\n//doi.org' rejoined)
_DOI = re.compile(r"(?:\bdoi\s*[:：]?\s*(?:https?:\s*//\s*(?:dx\.)?doi\.org/)?|(?:dx\.)?doi\.org/)\s*"
                  r"(?P<doi>10\.\d{4,9}/(?:(?![\"<>\\])[\x21-\x7e])+)", re.I)  # printable ASCII: a link's text
_DOI_TAIL = ".,;:)]}'’”"


class Identifiers(BaseModel):
    """What page 1 says the paper is, for links: '' where it prints nothing."""

    arxiv_id: str = ""  # '2401.01234v2' or 'hep-th/9901001' (with the version when printed)
    doi: str = ""


def read_identifiers(page_text: str, header_text: str = "") -> Identifiers:
    """The arXiv id and the DOI page 1 prints as the paper's own."""
    return Identifiers(arxiv_id=arxiv_id(page_text, header_text), doi=doi(page_text))


def arxiv_id(page_text: str, header_text: str = "") -> str:
    """The stamp's id anywhere on page 1; else an id written in the header (never a citation in the body)."""
    for pattern, text in ((_STAMP, page_text), (_WRITTEN, header_text)):
        for match in pattern.finditer(text):
            found = _valid(match)
            if found:
                return found
    return ""


def _valid(match: re.Match) -> str:
    """The id as printed, when it can be one: a new-style id's month is 01..12 and its year 07 or later."""
    if match.group("new"):
        yy, mm = int(match.group("yy")), int(match.group("mm"))
        if not (1 <= mm <= 12 and yy >= 7) or (len(match.group("new")) == 10 and (yy, mm) < (15, 1)):
            return ""
        return match.group("new") + (match.group("version") or "")
    return match.group("old") + (match.group("version") or "")


def doi(page_text: str) -> str:
    """The first DOI page 1 writes as a DOI (an arXiv DOI is the arXiv id's, not a publisher's)."""
    text = re.sub(r"https?:\s*\n\s*//", "https://", page_text)  # a link broken at its line's end
    for match in _DOI.finditer(text):
        found = match.group("doi").rstrip(_DOI_TAIL)
        if not found.lower().startswith("10.48550/arxiv."):
            return found
    return ""


def arxiv_base(identifier: str) -> str:
    """The id without its version: two versions of one paper share it ('2401.01234v2' -> '2401.01234')."""
    return re.sub(r"v\d+$", "", identifier)


def arxiv_url(identifier: str) -> str:
    return f"https://arxiv.org/abs/{identifier}" if identifier else ""


def doi_url(identifier: str) -> str:
    return f"https://doi.org/{identifier}" if identifier else ""
