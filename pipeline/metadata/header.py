"""The header block: page 1 as the model reads it, from the top to the abstract, then the notes at
its foot, in reading order, affiliation markers kept, capped at a line.

The rules find where the header ends and what is a note; the model reads the names in it. The
same text grounds the model's answer, so a name counts as printed only if the model was shown it.
"""

from __future__ import annotations

import re

from .layout import Line

LIMIT = 3000  # characters: a header with every affiliation, far less than a page
NOTES_SHARE = 0.4  # of the limit, kept for the foot's notes when the header above is long
# A library's download stamp at the foot names the reader's institution, not the authors' one
# ('Authorized licensed use limited to: <University>. Downloaded on ... from IEEE Xplore.')
STAMP_RE = re.compile(r"authori[sz]ed licensed use limited to|\bdownloaded (?:on|from)\b.{0,120}\b(?:xplore|library|restrictions apply)|"
                      r"personal use is permitted, but republication", re.I)


def line_text(line: Line, cells=None) -> str:
    """One line's cells, markers kept against the word they mark ('Ana Ruiz1,2'); cells apart."""
    texts = []
    for cell in line.cells if cells is None else cells:
        text = ""
        for part, is_marker in cell.parts:
            text += part.strip() if is_marker else (" " if text else "") + part.strip()
        texts.append(" ".join(text.split()))
    return "   ".join(t for t in texts if t)


def header_block(head: list[Line], notes: list[str], column_x0: float = 0.0, limit: int = LIMIT) -> str:
    """The lines above the abstract, then a sidebar's lines (cells left of `column_x0`, which a
    line would otherwise interleave with the header's), then the foot's notes, cut at a line."""
    main, side = [], []
    for line in head:
        main.append(line_text(line, [c for c in line.cells if c.x1 > column_x0]))
        side.append(line_text(line, [c for c in line.cells if c.x1 <= column_x0]))
    note_lines = _capped([n for n in notes if n.strip() and not STAMP_RE.search(n)], int(limit * NOTES_SHARE))
    head_lines = _capped([t for t in main + side if t], limit - _size(note_lines))
    return valid_text("\n".join(head_lines + note_lines))


def valid_text(text: str) -> str:
    """PDFium gives a character outside the BMP (a mathematical italic 'a' in a note) as two
    surrogate halves: joined here, since the block goes into a request that is encoded as UTF-8."""
    if not any("\ud800" <= ch <= "\udfff" for ch in text):
        return text
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def _capped(lines: list[str], limit: int) -> list[str]:
    kept, size = [], 0
    for line in lines:
        line = line[:limit]
        if size + len(line) + 1 > limit:
            break
        kept.append(line)
        size += len(line) + 1
    return kept


def _size(lines: list[str]) -> int:
    return sum(len(line) + 1 for line in lines)
