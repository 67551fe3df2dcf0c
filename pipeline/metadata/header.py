"""The header block: page 1 as the model reads it, from the top to the abstract, then the notes at
its foot, in reading order, affiliation markers kept, capped at a line.

The rules find where the header ends and what is a note; the model reads the names in it. The
same text grounds the model's answer, so a name counts as printed only if the model was shown it.
"""

from __future__ import annotations

from .layout import Line

LIMIT = 3000  # characters: a header with every affiliation, far less than a page
NOTES_SHARE = 0.4  # of the limit, kept for the foot's notes when the header above is long


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
    note_lines = _capped([n for n in notes if n.strip()], int(limit * NOTES_SHARE))
    head_lines = _capped([t for t in main + side if t], limit - _size(note_lines))
    return "\n".join(head_lines + note_lines)


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
