"""What the PDF library's text becomes: page text with its line-end hyphens joined, a run's characters
made clean (valid Unicode, ligatures spelt out, accents on their letters), and a generated cover sheet
told from a paper's page 1. Pure string work: the PDF library stays in pdf.py."""

from __future__ import annotations

import re
import unicodedata

from ..models import Span
from ..rules import in_force
from .text import SPACING_ACCENTS, join_spacing_accents, valid_unicode

SOFT_HYPHENS = {"\x02", "\ufffe", "\u00ad"}
LINE_HYPHEN = "\u00ad"  # kept at a run's end where PDFium marks a word broken at the line's end
BODY_START = re.compile(r"\n\s*(?:1\.?|I\.?)?\s*(?:Introduction|INTRODUCTION|I NTRODUCTION\b|引\s*言)")


# A generated cover sheet (a digital library's "Latest updates" page, a proceedings' open-access
# page, a repository's download stamp) prints the paper's title and names but is not its page 1.
# Each sign is a phrase such pages print and papers do not put above their abstract.
_COVER_SIGNS = [re.compile(p, re.I | re.M) for p in (
    r"\blatest updates\b", r"\bpdf download\b", r"\btotal (?:citations|downloads)\b", r"\bcitation in bibtex format\b",
    r"\bthis paper is included in the proceedings of\b", r"\bopen access to the proceedings\b", r"\bis sponsored by\b",
    r"\bhal id\b", r"\bopen access archive for the deposit\b", r"\bsubmitted on \d",
    r"\bcitation for (?:the )?published version\b", r"\btake ?down policy\b", r"\bgeneral rights\b", r"\blink to publication\b",
    r"\bthis is a repository copy of\b", r"\bdownloaded from\b", r"\bterms of use\b", r"\bdocument version\b",
    # a research network's download page ('See discussions, stats, and author profiles ...', 'CITATIONS', 'SEE PROFILE')
    r"\bsee discussions, stats,? and author profiles\b", r"^\s*citations\s*$", r"^\s*reads\s*$", r"\bsee profile\b",
    # a publisher's proof sheet of questions in front of the paper
    r"\bqueries to the author\b", r"\bauthor queries\b", r"\bplease check and confirm\b",
    # a publisher's notice in front of the paper ('... has created a COVID-19 resource centre ... hereby grants permission')
    r"\bresource cent(?:re|er)\b", r"\bhereby grants? permission\b", r"\bpublicly funded repositories\b",
    # a publisher's article page in front of the paper ('To cite this article', 'You may also like', 'downloaded from IP address')
    r"\bto cite this article\b", r"\byou may also like\b", r"\bview the article online\b", r"\bdownloaded from ip address\b",
    # ('To link to this article', 'Submit your article to this journal', 'View related articles', 'Full Terms & Conditions')
    r"\bto link to this article\b", r"\bsubmit your article to this journal\b", r"\bview related articles\b",
    r"\bview crossmark data\b", r"\bfull terms (?:&|and) conditions of access\b",
    # a journal issue's cover in front of one of its articles ('Volume 60', 'Number 23', 'Pages 3089–3206', 'ISSN 1359-7345')
    r"^\s*(?:volume|vol\.)\s*\d+\s*$", r"^\s*(?:number|issue|no\.)\s*\d+\s*$", r"^\s*pages\s+\d+\s*[–-]\s*\d+\s*$",
    r"^\s*issn\s+\d{4}-\d{3}[\dx]\s*$",
)]
# a journal's pages set before the paper itself: its graphical abstract, its highlights
_FRONT_MATTER_PAGE = re.compile(r"^\s*(?:graphical abstract|highlights)\s*$", re.I | re.M)
_PAPER_START = re.compile(r"(?:^|\n)\s*(?:abstract\b|a b s t r a c t\b|摘\s*要)", re.I)


def is_cover_sheet(page_text: str) -> bool:
    """A generated cover sheet: two or more of the phrases such sheets print, or a journal's
    graphical-abstract or highlights page, and no abstract or first section, which a paper's own
    page 1 has."""
    text = page_text.replace("\r\n", "\n").replace("\r", "\n")
    if _PAPER_START.search(text) or BODY_START.search(text):
        return False
    if _FRONT_MATTER_PAGE.match(text.lstrip()):
        return True  # the page opens with 'Graphical Abstract' or 'Highlights': the paper starts after it
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


def rejoin_broken_words(spans: list[Span]) -> list[Span]:
    """'Beihang Univer-' / 'sity, Beijing': a word the typesetter broke at a line's end is whole
    again on the first line, so every reader of the page (title, names, notes) sees 'University'.
    The line's hyphen stays where the part before it is not a plain word ('P4-' / 'based')."""
    out = [s if LINE_HYPHEN not in s.text[:-1] else s.model_copy(update={"text": s.text[:-1].replace(LINE_HYPHEN, "") + s.text[-1]})
           for s in spans]  # a mark inside a run: the word went on on the same line
    for i, span in enumerate(out):
        if not span.text.endswith(LINE_HYPHEN):
            continue
        head = span.text[:-1]
        below = out[i + 1] if i + 1 < len(out) else None
        if below is None or below.y0 <= span.y0 or not below.text[:1].islower():
            out[i] = span.model_copy(update={"text": head})
            continue
        rest, _, tail = below.text.partition(" ")
        fragment = head.rsplit(" ", 1)[-1]
        joint = "-" if re.search(r"\d|.[A-Z]", fragment) else ""
        out[i] = span.model_copy(update={"text": head + joint + rest})
        out[i + 1] = below.model_copy(update={"text": tail.lstrip() or below.text[:0]})
    return [s for s in out if s.text]


OCR_SHARE = 0.5  # of a page's characters: hidden text this common is a scan's OCR layer, the page's only text


def seen(runs: list[tuple[Span, bool]]) -> list[Span]:
    """The runs a reader sees: text no reader can see (hidden, white, tiny) is no part of the page,
    unless most of the page is such text: a scanned page's invisible OCR layer is all the text it has."""
    hidden = sum(len(span.text) for span, unseen in runs if unseen)
    ocr_layer = hidden > OCR_SHARE * sum(len(span.text) for span, _ in runs)
    return [span for span, unseen in runs if ocr_layer or not unseen]


def body_points(body_raw: float | None, drawn: list[float]) -> float:
    """The body's size in points: its raw size, or for a size-1 font the commonest size as drawn
    (notes are set below it, so a foot band holding only notes is not taken for the body); 0 when
    it was not measured."""
    if body_raw and body_raw >= 3.0:
        return float(round(body_raw))
    rounded = [round(size, 1) for size in drawn]
    commonest = max(set(rounded), key=rounded.count) if body_raw and rounded else 0.0
    return commonest if commonest >= in_force().drawn_body_min_pt else 0.0


_EDGE_MARKS = "()[]{}\"'“”‘’.,;:!?*†‡§¶"


def _reads_as_word(token: str) -> bool:
    """A word in any script (lower case, Title Case or CAPITALS, parts joined by hyphens), a number,
    or CJK text; not '¬§]C¢' or 'LI§]¢', a font's glyph codes."""
    core = token.strip(_EDGE_MARKS)
    if core.replace(".", "").replace(",", "").isdigit() or re.search(r"[\u3040-\u9fff\uac00-\ud7af]", core):
        return bool(core)
    parts = [p for p in re.split(r"[-'’/]", core) if p]
    return bool(parts) and all(p.isalpha() and (p.islower() or p.isupper() or p.istitle()) for p in parts)


def unreadable(texts: list[str]) -> str:
    """Why the pages' text is no text, or '': none at all (a scan), or glyph codes instead of words
    (a Type 3 font with no Unicode map reads as '¬§]C¢ ¡®C¡'), which no reader can make a title of."""
    if not any(t.strip() for t in texts):
        return "no text layer (scanned or image-only PDF)"
    tokens = texts[0][:4000].split()
    if sum(map(len, tokens)) < in_force().text_layer_min_chars:
        return ""
    words = sum(_reads_as_word(token) for token in tokens)
    if words < in_force().text_layer_word_share * len(tokens):
        return "page 1's text layer holds glyph codes, not words (a font with no Unicode map): OCR the PDF first"
    return ""
