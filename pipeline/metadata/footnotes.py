"""Affiliations printed in page 1's foot notes: IEEE's 'is with' sentences, ICML's numbered notes,
a Springer journal's numbered list under the contact block. The header's own entries are read in
affiliations.py; these are read when it has none (or, for 'is also with', beside them)."""

from __future__ import annotations

import re
import statistics

from ..names import institutions as inst
from ..rules import in_force
from .affiliations import FUNDING_RE
from .layout import MARKER_RE, Line


def _note_spans(spans: list, body: float) -> list:
    """The small spans of one line's column, unless that column is body text (whose small spans
    are citation marks)."""
    chars: dict[float, int] = {}
    for span in spans:
        chars[span.size] = chars.get(span.size, 0) + len(span.text)
    if not chars or max(chars, key=chars.get) >= body - in_force().note_smaller_pt:
        return []
    return [s for s in spans if s.size < body - in_force().note_smaller_pt]


_CITATION_MARK = re.compile(r"[\d,–-]{1,12}")  # '12', '5,9', '3–6'


def _without_citation_marks(spans: list, body: float) -> list:
    """A line's spans without the small ones set right after a word of the body's size: a
    citation's mark ('… line 4.¹²'), which the middle of the page may split from its line."""
    out, previous = [], None
    for span in sorted(spans, key=lambda s: s.x0):
        glued = previous is not None and previous.size >= body - in_force().note_smaller_pt and span.x0 - previous.x1 < span.size
        if not (glued and span.size < body - in_force().note_smaller_pt and _CITATION_MARK.fullmatch(span.text.strip())):
            out.append(span)
        previous = span
    return out


def _reading_order(foot_lines: list[Line], body: float, middle: float, column_x0: float = 0.0) -> list:
    """The foot's small spans in reading order: a note running across the page is read where it
    stands; between such notes, the left column's notes come before the right column's. A sidebar
    left of the main column (`column_x0`: Frontiers' editors and reviewers) holds no notes."""
    rules = in_force()
    ordered, left, right = [], [], []
    for line in foot_lines:
        spans = _without_citation_marks([s for s in line.spans if s.x1 > column_x0], body)
        if any(s.x0 < middle - rules.across_middle_pt and s.x1 > middle + rules.across_middle_pt for s in spans):  # across the page
            ordered += left + right + _note_spans(spans, body)
            left, right = [], []
        else:
            left += _note_spans([s for s in spans if s.x0 < middle], body)
            right += _note_spans([s for s in spans if s.x0 >= middle], body)
    return ordered + left + right


def foot_notes(lines: list[Line], page_width: float, page_height: float, body: float, column_x0: float = 0.0) -> list[str]:
    """The notes at the foot of page 1 (where IEEE, ICML and journals print affiliations), one
    string per printed line, in reading order, markers kept."""
    out: list[str] = []
    last = None
    foot_lines = [ln for ln in lines if ln.y0 > in_force().foot_band * page_height]
    for span in _reading_order(foot_lines, body, page_width / 2, column_x0):
        if last is None or abs(span.y0 - last.y0) > in_force().note_line_sizes * span.size or span.x0 < last.x0:
            out.append(span.text.strip())
        else:
            out[-1] += ("" if MARKER_RE.match(span.text) and span.size < last.size else " ") + span.text.strip()
        last = span
    return [" ".join(line.split()) for line in out if line.strip()]


# a full stop and a capital end the note's sentence, but not after an abbreviation inside a name
# ('Washington University in St. Louis', 'Dept. Computer Science'); 'U.K.' ends one as often as not
_SENTENCE_END = r"(?<!\bSt)(?<!\bMt)(?<!\bFt)(?<!\bDept)(?<!\bUniv)(?<!\bInst)(?<!\bNatl)\.\s+[A-Z]"


# '..., and also with the <Name>', '…, China, and the <Name>', '<Town> 518057 and <Name>': one more
_ALSO_WITH = re.compile(r",?\s+and\s+(?:is\s+|are\s+)?(?:also\s+)?with\s+(?:the\s+)?|,\s+and\s+the\s+(?=[A-Z])|"
                        r"(?<=\d),?\s+and\s+(?:the\s+)?(?=[A-Z])")


def _note_entry(piece: str) -> str:
    """A note's affiliation without its edge punctuation, but with the full stop of 'Inc.'."""
    piece = " ".join(piece.split()).strip(" ,;")
    return piece if re.search(r"\b(?:Inc|Ltd|Co|Corp)\.$", piece) else piece.rstrip(".").strip()


# where a footnote stops naming an affiliation: a venue's notice ('Submitted to <Conference>. Do not
# distribute.', 'Preprint. Under review.'), a correspondence line, an address
_VENUE_NOTICE = re.compile(r"\.?\s*(?:Correspondence to|Preliminary work|Proceedings of|Copyright|Under review|Submitted to|"
                           r"Accepted (?:at|to|by|for)\b|To appear (?:in|at)\b|Do not distribute|Preprint\b|\*?e-?mail|"
                           r"Authorized licensed use|Personal use (?:of this material )?is permitted|but republication)")


def footnote_affiliations(lines: list[Line], page_width: float, page_height: float, body: float,
                          sentences_only: bool = False, column_x0: float = 0.0) -> list[str]:
    """Affiliations printed at the foot of page 1 (IEEE 'is with', ICML numbered footnotes). Where
    an author 'was with' one organisation and 'is now with' another, both are the paper's. With
    `sentences_only` (the header named affiliations already), only the 'is (also) with' sentences:
    a second affiliation an ACM grid leaves to a note."""
    foot_lines = [ln for ln in lines if ln.y0 > in_force().foot_band * page_height]  # in page order; spans in x order
    foot = _reading_order(foot_lines, body, page_width / 2, column_x0)
    if not foot:
        return []
    note_size = statistics.median(s.size for s in foot)
    is_marker = [bool(MARKER_RE.match(s.text)) and s.size < note_size - in_force().note_marker_pt for s in foot]
    text = " ".join(s.text for s, marker in zip(foot, is_marker, strict=False) if not marker)
    entries = [_note_entry(piece) for m in re.finditer(
        r"\b(?:(?:are|is|was|were)\s+(?:now\s+|also\s+|currently\s+)?with|(?:is|are)\s+now\s+at|current\s+affiliat(?:e|ion)s?"
        r"(?:\s+of\s+[^:]{1,40}?)?(?:\s+is|\s*:))\s+(?:the\s+)?(.+?)(?:\(e-?mail|" + _SENTENCE_END + r"|$)",
        text) for piece in _ALSO_WITH.split(m.group(1))]
    if entries or sentences_only:
        return entries
    if tagged := _tagged_addresses(text):
        return tagged
    numbered = "".join("\x00" if marker else " " + s.text for s, marker in zip(foot, is_marker, strict=False))
    pieces = numbered.split("\x00")
    if is_marker and not is_marker[0]:  # the first note's marker can sit in the margin, unread
        pieces[0] = pieces[0] if inst.looks_like_affiliation(pieces[0]) and pieces[0].strip()[:1].isupper() else ""
    pieces = [re.sub(r"\s+", " ", _VENUE_NOTICE.split(piece)[0]).strip(" ,;.") for piece in pieces]  # text after each marker
    entries = [p for p in pieces if p and inst.looks_like_affiliation(p) and not FUNDING_RE.search(p)]
    if entries:  # in a run of marked affiliations, a name the table knows ('UMass Amherst') or one name alone ('Harvard') is one too
        entries = [p for p in pieces if p in entries or inst.known(p) is not None or _SHORT_NAME.fullmatch(p)]
    return entries


_SHORT_NAME = re.compile(r"[A-Z][A-Za-z-]{3,}")


# amsart's addresses, each tagged with its author's surname: '(Chambers) Department of Economics, <University>'
_AUTHOR_TAG = re.compile(r"(?:^|\s)\((?:[A-Z][\w'’.-]+)(?: [A-Z][\w'’.-]+)?\)\s+(?=[A-Z])")
_LABEL = re.compile(r"\s+[A-Z][a-z]+(?: [a-z]+)?:\s")  # 'Date: ', 'E-mail address: ': the note's next field


def _tagged_addresses(text: str) -> list[str]:
    """The affiliations of notes tagged '(<Surname>) <entry>', each cut where a label or a sentence starts."""
    pieces = _AUTHOR_TAG.split(text)[1:]
    out = []
    for piece in pieces:
        piece = re.split(_SENTENCE_END, _LABEL.split(_VENUE_NOTICE.split(piece)[0])[0])[0]
        piece = _note_entry(piece)
        if piece and inst.looks_like_affiliation(piece) and not FUNDING_RE.search(piece):
            out.append(piece)
    return out

