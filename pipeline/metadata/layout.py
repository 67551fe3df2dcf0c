"""Page 1 as lines and cells: the geometry every field reader starts from.

Spans are clustered into lines by their vertical centre (superscripts join the line they mark),
and each line is cut into cells at wide gaps, so an author grid reads column by column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..extract.text import join_spacing_accents
from ..models import Span
from ..names.vocabulary import word_set
from ..rules import in_force

MARKER_RE = re.compile(r"^[\d,*†‡§¶#a-jvx\s\u2190-\u23ff\u25a0-\u27bf]+$")  # digits, letters a-j, roman numerals, symbols (∗ ⋆ ◇ ♠ ✉ →)


@dataclass
class Cell:
    """A run of spans on one line with no wide gap; markers kept apart from words."""

    spans: list[Span]
    parts: list[tuple[str, bool]] = field(default_factory=list)  # (text, is_marker)
    small_caps: float = 0.0  # font size of the small capitals seen in this cell, if any

    @property
    def plain(self) -> str:
        return re.sub(r"\s+", " ", " ".join(t for t, m in self.parts if not m)).strip()

    @property
    def x0(self) -> float:
        return min(s.x0 for s in self.spans)

    @property
    def x1(self) -> float:
        return max(s.x1 for s in self.spans)

    def y0_gap(self, above_y1: float) -> float:
        """Vertical distance from a line ending at `above_y1` down to this cell."""
        return min(s.y0 for s in self.spans) - above_y1


@dataclass
class Line:
    spans: list[Span]
    size: float
    y0: float
    y1: float
    cells: list[Cell] = field(default_factory=list)

    @property
    def plain(self) -> str:
        return " ".join(c.plain for c in self.cells)


def page_lines(spans: list[Span], page_width: float) -> list[Line]:
    """Cluster spans into lines by vertical centre; superscripts join the line they decorate."""
    left = _text_left(spans)
    usable = _without_number_column([s for s in spans if not _is_margin_number(s, page_width, left)])
    usable.sort(key=lambda s: ((s.y0 + s.y1) / 2, s.x0))
    lines: list[Line] = []
    for span in usable:
        centre = (span.y0 + span.y1) / 2
        target = None
        for line in reversed(lines[-in_force().lines_looked_back:]):
            line_centre = (line.y0 + line.y1) / 2
            if abs(centre - line_centre) <= in_force().same_line_sizes * max(line.size, span.size):
                target = line
                break
        if target is None:
            lines.append(Line(spans=[span], size=span.size, y0=span.y0, y1=span.y1))
        else:
            target.spans.append(span)
            if span.size > target.size:
                target.size = span.size
                target.y0, target.y1 = span.y0, span.y1
    lines.sort(key=lambda ln: ln.y0)
    for line in lines:
        line.spans.sort(key=lambda s: s.x0)
        line.cells = _cells(line)
    for i, line in enumerate(lines):  # a grid's row whose columns stand closer than a cell gap
        gutters = [gap for near in lines[max(i - 1, 0):i + 2] if near is not line and _near(near, line) for gap in _gutters(near)]
        if gutters and len(line.spans) > 1:
            line.cells = _cells(line, gutters)
    return lines


def _near(other: Line, line: Line) -> bool:
    """A line right above or below, as a grid's rows stand."""
    return abs(other.y0 - line.y0) < in_force().grid_row_sizes * max(other.size, line.size)


def _gutters(line: Line) -> list[tuple[float, float]]:
    """The gaps between a line's cells: where a grid's columns part."""
    return [(a.x1, b.x0) for a, b in zip(line.cells, line.cells[1:], strict=False)]


_LEADING_NUMBER = re.compile(r"^(\d{1,3})(?:\s+|$)")


def _without_number_column(spans: list[Span]) -> list[Span]:
    """Review copies number their lines in a column of their own: numbers that start spans at one
    x position and grow down the page. They are dropped, so '1 <Title word>' reads '<Title word>'."""
    numbered: dict[int, list[tuple[float, int, Span]]] = {}
    for span in spans:
        match = _LEADING_NUMBER.match(span.text)
        if match:
            numbered.setdefault(round(span.x0 / in_force().number_column_pt), []).append((span.y0, int(match.group(1)), span))
    drop: set[int] = set()
    printed = max((s.y0 for s in spans), default=0.0) - min((s.y0 for s in spans), default=0.0)
    for key, column in numbered.items():
        column.sort(key=lambda item: item[0])
        values = [value for _, value, _ in column]
        rising = sum(b > a for a, b in zip(values, values[1:], strict=False))
        ys = [y for k in (key - 1, key, key + 1) for y, _, _ in numbered.get(k, [])]  # '9' and '10' start a digit apart
        runs = max(ys) - min(ys) >= in_force().number_column_span * printed
        if len(column) >= in_force().number_column_min and rising >= in_force().number_column_rising * (len(column) - 1) and runs:
            drop.update(id(span) for _, _, span in column)
    if not drop:
        return spans
    out = []
    for span in spans:
        if id(span) in drop:
            rest = _LEADING_NUMBER.sub("", span.text, count=1)
            if not rest.strip():
                continue
            span = span.model_copy(update={"text": rest})
        out.append(span)
    return out


def _text_left(spans: list[Span]) -> float:
    """Where the page's words start (a few outliers aside): a line number stands left of it."""
    xs = sorted(s.x0 for s in spans if not s.text.strip().isdigit())
    return xs[len(xs) // 20] if xs else 0.0


def _is_margin_number(span: Span, page_width: float, text_left: float) -> bool:
    """Review line numbers (000, 001 ...) in the page margins (on the left, outside the text: a
    note's marker at the text's left edge, in a page with narrow margins, is no line number)."""
    share = in_force().margin_share * page_width
    return span.text.isdigit() and (span.x1 < min(share, text_left) or span.x0 > page_width - share)


def _cells(line: Line, gutters: list[tuple[float, float]] | None = None) -> list[Cell]:
    """The line's cells: spans parted by a wide gap, or by a narrower one (wider than a word's
    space) that falls in a gutter of the grid row above or below (`gutters`): an ACM grid whose
    wrapped affiliations nearly touch ('School of AIA, <Name> University   School of AIA, …')."""
    cells: list[Cell] = []
    previous: Span | None = None
    for span in line.spans:
        gap = span.x0 - previous.x1 if previous else 0.0
        in_gutter = previous is not None and gap > in_force().grid_gap_sizes * line.size \
            and any(lo <= previous.x1 and span.x0 <= hi for lo, hi in gutters or [])
        if previous is None or gap > in_force().cell_gap_sizes * line.size or in_gutter:
            cells.append(Cell(spans=[]))
        cell = cells[-1]
        is_marker = _is_superscript(span, line) and bool(MARKER_RE.match(span.text))
        if _inside_word(cell, previous, span, gap, line.size):  # 'R²-Guard': the exponent is part of the word
            cell.parts[-2:] = [(cell.parts[-2][0] + cell.parts[-1][0], False)]
        glued = cell.parts and not is_marker and not cell.parts[-1][1] and gap < in_force().glued_gap_sizes * line.size
        if glued:  # small caps and font changes inside one word: 'T' + 'OOL' is 'Tool'
            text = _small_caps(span, previous, cell.small_caps)
            if text != span.text:
                cell.small_caps = span.size
            cell.parts[-1] = (join_spacing_accents(cell.parts[-1][0] + text), False)
        else:
            cell.parts.append((span.text, is_marker))
        cell.spans.append(span)
        previous = span
    return cells


def _inside_word(cell: Cell, previous: Span | None, span: Span, gap: float, size: float) -> bool:
    """A digit superscript touching a word on both sides ('R' '2' '-Guard') is an exponent in the
    text, not an affiliation mark (which is followed by a space, a comma or the line's end)."""
    if len(cell.parts) < 2 or not cell.parts[-1][1] or cell.parts[-2][1] or previous is None:
        return False
    mark = cell.parts[-1][0]
    before = cell.spans[-2] if len(cell.spans) >= 2 else None
    return (mark.isdigit() and before is not None and previous.x0 - before.x1 < in_force().exponent_gap_sizes * size
            and gap < in_force().exponent_gap_sizes * size and bool(re.match(r"[-–a-z]", span.text)))


def _small_caps(span: Span, previous: Span, seen_size: float) -> str:
    """Capitals set smaller than the capital before them (or at a small-caps size already seen in
    this cell, as after a hyphen) are small caps: lower case, as the author wrote them."""
    if not span.text.strip(" :,-").isupper():
        return span.text
    after_capital = span.size < in_force().small_caps_share * previous.size and previous.text[-1:].isupper()
    if after_capital or (seen_size and abs(span.size - seen_size) < in_force().small_caps_same_pt):
        return span.text.lower()
    return span.text


def _is_superscript(span: Span, line: Line) -> bool:
    raised = (span.y0 + span.y1) / 2 < (line.y0 + line.y1) / 2 + in_force().superscript_rise_sizes * line.size
    return span.size < in_force().superscript_share * line.size and raised


def body_size(spans: list[Span]) -> float:
    weights: dict[float, int] = {}
    for span in spans:
        weights[round(span.size)] = weights.get(round(span.size), 0) + len(span.text)
    return max(weights, key=weights.get) if weights else in_force().default_body_size


def cell_size(cell: Cell) -> float:
    return max(s.size for s in cell.spans)


def main_size(line: Line) -> float:
    chars: dict[float, int] = {}
    for span in line.spans:
        chars[span.size] = chars.get(span.size, 0) + len(span.text)
    return max(chars, key=chars.get)


def is_letter_spaced(cell: Cell) -> bool:
    """A wordmark set in spaced capitals ('R E S C I E N C E C'): a journal's logo, not words."""
    tokens = cell.plain.split()
    return len(tokens) >= in_force().letter_spaced_min and all(len(t) == 1 for t in tokens)


def text_cells(line: Line) -> list[Cell]:
    """The line's cells without letter-spaced wordmarks."""
    return [c for c in line.cells if not is_letter_spaced(c)]


def sidebar_edge(title_lines: list[Line], page_width: float) -> float:
    """Left edge of the main column when the title is set flush left well inside the page (a
    sidebar template); 0 when the title is centred or starts at the margin."""
    size = max((main_size(line) for line in title_lines), default=0.0)
    same = in_force().title_same_size_pt
    rows = [[c for c in text_cells(line) if abs(cell_size(c) - size) < same] for line in title_lines]  # a sidebar's cells beside it aside
    rows = [row for row in rows if row]
    cells = [c for row in rows for c in row]
    if not cells:
        return 0.0
    x0 = min(c.x0 for c in cells)
    lefts = [min(c.x0 for c in row) for row in rows]
    flush = max(lefts) - min(lefts) < in_force().flush_pt
    # centred: the lines' centres at the page's and at one another's (flush-left lines of unequal widths are not)
    centres = [(min(c.x0 for c in row) + max(c.x1 for c in row)) / 2 for row in rows]
    centred = all(abs(c - page_width / 2) < in_force().centred_share * page_width for c in centres) \
        and max(centres) - min(centres) < 2 * in_force().flush_pt
    return x0 - in_force().column_margin_pt if flush and not centred and x0 > in_force().sidebar_share * page_width else 0.0


def sidebar_column_edge(lines: list[Line], column_x0: float) -> float:
    """`column_x0` when what stands left of the title's column is a sidebar of short cells
    (Frontiers' editors, reviewers and dates), whose notes are no page note; 0 when a column of
    body text runs there too (RSC's notes under the left column)."""
    if any(cell.x1 < column_x0 and len(cell.plain) > in_force().sidebar_cell_max_chars for line in lines for cell in line.cells):
        return 0.0
    return column_x0


def text_body_size(lines: list[Line], page_height: float, fallback: float) -> float:
    """The body text's size when the reader could not measure it (fonts set at size 1 and scaled
    by the text matrix, as IEEE Xplore does): the size most characters in the foot band are set
    in, where the body's columns run beside and above page 1's notes. A smaller size than
    `fallback` (the size most text read is in) is never taken: notes are set below the body.
    Of the sizes that hold a good share of the band's characters, the largest is the body's."""
    chars: dict[float, int] = {}
    for line in lines:
        if line.y0 > in_force().foot_band * page_height:
            for span in line.spans:
                chars[round(span.size, 1)] = chars.get(round(span.size, 1), 0) + len(span.text)
    if not chars:
        return fallback
    total = sum(chars.values())
    # the largest size holding a good share: the left column's notes can outweigh the body beside
    # them (an IEEE page 1 with five affiliation notes), but they are never set larger than it
    shared = [size for size, count in chars.items() if count >= in_force().foot_body_share * total]
    return max(max(shared, default=max(chars, key=chars.get)), fallback)


def is_link_row(line: Line) -> bool:
    """A row of two or more cells that are each a link button's label (the vocabulary's link_labels)."""
    labels = word_set("link_labels")
    return len(line.cells) >= 2 and all(re.sub(r"\s+", " ", c.plain.strip(" :·|")).casefold() in labels for c in line.cells)
