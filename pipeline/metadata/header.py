"""The header block: page 1 as the model reads it, from the top to the abstract, then the notes at
its foot, in reading order, affiliation markers kept, capped at a line.

The rules find where the header ends and what is a note; the model reads the names in it. The
same text grounds the model's answer, so a name counts as printed only if the model was shown it.
"""

from __future__ import annotations

import re

from ..names import institutions as inst
from ..names import registry
from ..rules import in_force
from .abstract import SUMMARY
from .layout import Line, is_link_row

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


def header_block(head: list[Line], notes: list[str], column_x0: float = 0.0, limit: int | None = None,
                 beside: list[Line] = ()) -> str:
    """The lines above the abstract, then a sidebar's lines (cells left of `column_x0`, which a
    line would otherwise interleave with the header's), then what is set beside the abstract
    (`beside`), then the foot's notes, cut at a line."""
    limit = in_force().header_limit_chars if limit is None else limit
    column_x0 = column_x0 or sidebar_column(head)
    main, side = [], []
    for line in (line for line in head if not is_link_row(line)):  # a report's link buttons name no one
        main.append(line_text(line, [c for c in line.cells if c.x1 > column_x0]))
        side.append(line_text(line, [c for c in line.cells if c.x1 <= column_x0]))
    lines = [t for t in main + wrapped_grid_cells(head) + side + [line_text(line) for line in beside] if t]
    # the notes get what the lines above leave, and at least their share when those are long
    notes_limit = max(int(limit * in_force().notes_share), limit - _size(lines))
    note_lines = _capped([n for n in notes if n.strip() and not STAMP_RE.search(n)], notes_limit)
    head_lines = _capped(lines, limit - _size(note_lines))
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


def sidebar_column(head: list[Line]) -> float:
    """The left edge of the title's column when a sidebar runs beside the header (a bioRxiv-style
    margin of notes, whose cells would otherwise interleave with a wrapped affiliation line); 0
    when there is none. A sidebar has lines of its own as well as cells beside the header's lines,
    which an author grid (every row in both columns) does not."""
    sized = [line for line in head if line.cells]
    if not sized:
        return 0.0
    title_size = max(line.size for line in sized)
    edge = min(c.x0 for line in sized if line.size == title_size for c in line.cells) - in_force().column_edge_pt
    outside = [line for line in sized if line.cells[0].x1 < edge]
    alone = [line for line in outside if all(c.x1 < edge for c in line.cells)]
    beside_main = [line for line in outside if any(c.x0 >= edge for c in line.cells)]
    if len(outside) >= in_force().sidebar_lines_min and alone and beside_main:
        return edge
    return 0.0


_ABSTRACT_HEADING = re.compile(r"^\s*(?:abstract|a b s t r a c t)\b|^\s*" + SUMMARY + r"\s*$", re.I)
_ARTICLE_INFO = re.compile(r"^\s*(?:a r t i c l e\s+i n f o|article info|article history|keywords|open access|citation:)", re.I)  # PLOS
_HISTORY_LABEL = re.compile(r"^\s*(?:submitted|published|received|accepted|revised|licen[cs]e|editor|reviewers?|doi)\b", re.I)


def beside_abstract(lines: list[Line], abstract_at: int, foot_y: float) -> list[Line]:
    """The cells set left of the abstract's column, on its lines above the foot band, as lines of
    their own: an author column beside the abstract (CHI Extended Abstracts set names and
    affiliations there). A journal's article-info column (history, keywords) names nobody."""
    if abstract_at >= len(lines):
        return []
    heading = next((c for c in lines[abstract_at].cells if _ABSTRACT_HEADING.match(c.plain)), None)
    unheaded = heading is None
    if unheaded:  # Wiley's template: the abstract's paragraph, with no heading, right of the affiliation column
        cells = lines[abstract_at].cells
        heading = cells[-1] if len(cells) > 1 and cells[-1].x1 - cells[-1].x0 > cells[0].x1 - cells[0].x0 else None
    if heading is None or heading is lines[abstract_at].cells[0] and not _column_at(lines[abstract_at + 1:abstract_at + 4], heading.x0):
        return []  # a heading first on its line heads a column of its own only where the lines below start under it (BMC)
    out = []
    for line in lines[abstract_at:]:
        if line.y0 > foot_y:
            break
        cells = [c for c in line.cells if c.x1 < heading.x0 - in_force().column_edge_pt]
        if cells:
            out.append(Line(spans=[s for c in cells for s in c.spans], size=line.size, y0=line.y0, y1=line.y1, cells=cells))
    if out and (_ARTICLE_INFO.match(out[0].plain) or sum(bool(_HISTORY_LABEL.match(line.plain)) for line in out) >= 2):
        return []  # an article-info column, or a journal's sidebar of its history ('Submitted:', 'Published:', 'License')
    if unheaded and not inst.looks_like_affiliation(" ".join(line.plain for line in out[:in_force().beside_probe_lines])):
        return []  # a second column of body text beside an unheaded abstract names nobody
    correspondence = next((i for i, line in enumerate(out) if _CORRESPONDENCE.match(line.plain)), len(out))
    return out[:correspondence]  # the corresponding author's address below it repeats a name and an affiliation


_CORRESPONDENCE = re.compile(r"^\s*(?:correspondence|\*?\s*corresponding author)\b", re.I)


def _column_at(lines: list[Line], x0: float) -> bool:
    """Whether some of these lines hold a cell that starts at `x0` with another cell left of it."""
    edge = in_force().column_edge_pt
    return any(len(line.cells) > 1 and any(abs(c.x0 - x0) < edge for c in line.cells[1:]) for line in lines)


def without_column(lines: list[Line], beside: list[Line]) -> list[Line]:
    """The lines without the cells of the column beside the abstract: the abstract's own text,
    where its first line is looked for on the page."""
    taken = {id(c) for line in beside for c in line.cells}
    out = []
    for line in lines:
        cells = [c for c in line.cells if id(c) not in taken]
        if cells:
            out.append(Line(spans=[s for c in cells for s in c.spans], size=line.size, y0=line.y0, y1=line.y1, cells=cells))
    return out


_OPENS_ORGANISATION = re.compile(r"^(?:the\s+)?(?:state\s+)?(?:key\s+)?(?:laborator(?:y|ies)|lab|institute|university|school|college|"
                                 r"cent(?:er|re)|department|faculty|academy)\b", re.I)


def wrapped_grid_cells(head: list[Line]) -> list[str]:
    """An affiliation wrapped over lines inside an author grid ('State Key Laboratory of <Field>' /
    '<Field> and <Field>' / 'Computing'), whose lines the grid's other columns stand between: the
    cell's lines joined, as one more line of the block, so the name reads whole."""
    out = []
    for i, line in enumerate(head):
        if len(line.cells) < 2:
            continue
        for cell in line.cells:
            if not _OPENS_ORGANISATION.match(cell.plain) or re.search(r"[,.;@\d]$", cell.plain) or registry.identify(cell.plain):
                continue  # not an organisation's name, or one that ends whole on its line
            parts = [cell.plain]
            centre = (cell.x0 + cell.x1) / 2
            for below_line in head[i + 1:]:
                below = next((c for c in below_line.cells if abs((c.x0 + c.x1) / 2 - centre) < in_force().same_column_pt), None)
                if below is None or not below.plain[:1].isupper() or re.search(r"[,@\d]", below.plain):
                    break
                parts.append(below.plain)
                if re.search(r"[.;]$", below.plain):
                    break
            if len(parts) > 1:
                out.append(" ".join(parts))
    return out
