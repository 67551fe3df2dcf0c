"""What the PDF library's text becomes: page text with its line-end hyphens joined, a run's characters
made clean (valid Unicode, ligatures spelt out, accents on their letters), and a generated cover sheet
told from a paper's page 1. Pure string work: the PDF library stays in pdf.py."""

from __future__ import annotations

import re
import unicodedata

from ..rules import in_force
from .text import SPACING_ACCENTS, join_spacing_accents, valid_unicode

SOFT_HYPHENS = {"\x02", "\ufffe", "\u00ad"}
BODY_START = re.compile(r"\n\s*(?:1\.?|I\.?)?\s*(?:Introduction|INTRODUCTION|I NTRODUCTION\b|引\s*言)")


# A generated cover sheet (a digital library's "Latest updates" page, a proceedings' open-access
# page, a repository's download stamp) prints the paper's title and names but is not its page 1.
# Each sign is a phrase such pages print and papers do not put above their abstract.
_COVER_SIGNS = [re.compile(p, re.I) for p in (
    r"\blatest updates\b", r"\bpdf download\b", r"\btotal (?:citations|downloads)\b", r"\bcitation in bibtex format\b",
    r"\bthis paper is included in the proceedings of\b", r"\bopen access to the proceedings\b", r"\bis sponsored by\b",
    r"\bhal id\b", r"\bopen access archive for the deposit\b", r"\bsubmitted on \d",
    r"\bcitation for (?:the )?published version\b", r"\btake ?down policy\b", r"\bgeneral rights\b", r"\blink to publication\b",
    r"\bthis is a repository copy of\b", r"\bdownloaded from\b", r"\bterms of use\b", r"\bdocument version\b",
)]
_PAPER_START = re.compile(r"(?:^|\n)\s*(?:abstract\b|a b s t r a c t\b|摘\s*要)", re.I)


def is_cover_sheet(page_text: str) -> bool:
    """A generated cover sheet: two or more of the phrases such sheets print, and no abstract or
    first section, which a paper's own page 1 has."""
    text = page_text.replace("\r\n", "\n").replace("\r", "\n")
    if _PAPER_START.search(text) or BODY_START.search(text):
        return False
    return sum(bool(sign.search(text)) for sign in _COVER_SIGNS) >= in_force().cover_signs_min


def accent_letter(chars: list[str], lefts: list[float], accent: str, centre: float, size: float) -> bool:
    """Combine the accent with the letter of the current run under `centre`; False when none is."""
    for j in range(len(chars) - 1, -1, -1):
        if lefts[j] <= centre:
            if chars[j].isalpha() and centre - lefts[j] < max(size, 1.0):
                chars[j] = unicodedata.normalize("NFC", chars[j] + SPACING_ACCENTS[accent])
                return True
            return False
    return False


def page_text(raw_text: str) -> str:
    """Page text in reading order with PDFium's end-of-line hyphen markers joined."""
    text = raw_text.replace("\r\n", "\n").replace("\r", "\n")
    for mark in SOFT_HYPHENS:
        text = text.replace(mark + "\n", "").replace(mark, "")
    return clean(text)


_CONTROL = dict.fromkeys(c for c in range(32) if c not in (9, 10))  # valid_unicode keeps \r; a span does not


def clean(text: str) -> str:
    """Text as it leaves the PDF library: valid Unicode (PDFium gives a character outside the Basic
    Multilingual Plane as two UTF-16 halves), ligatures spelt out, accents back on their letters."""
    text = valid_unicode(text).replace("\ufb01", "fi").replace("\ufb02", "fl").replace("\u00a0", " ")
    return join_spacing_accents(text).translate(_CONTROL)
