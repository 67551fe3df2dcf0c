"""The abstract: where it starts on page 1, where its paragraph ends, and the text between."""

from __future__ import annotations

import re

from .. import institutions as inst
from .layout import Cell, Line, cell_size

HEADING_MAX_CHARS = 40  # an 'Abstract' cell this short is a heading; a longer one starts the paragraph itself
CAPTION_SAME_PT = 0.3  # points: a line this close in size right under a caption runs the caption on
CAPTION_GAP_SIZES = 0.8  # of the font size: a line under a caption no further below than this runs it on
SMALLER_THAN_BODY_PT = 1.5  # points: an unlabelled abstract may be set this much smaller than the body
LARGER_THAN_BODY_PT = 0.6  # points: an unlabelled abstract is never set this much larger than the body
PARAGRAPH_MIN_CHARS = 90  # printed width, in Latin characters: a shorter line is not a paragraph's
NUMBERED_MIN_LINES = 8  # lines that must start with a number before a page counts as line-numbered
NUMBERED_RISING = 0.6  # of the numbers: this many must step up by one for the lines to be numbered
NO_END_CHARS = 2500  # with no end found, the abstract is cut here: longer than any abstract
TAIL_WORDS = 4  # words of the abstract's last line looked for in the page text
TAIL_AFTER_SHARE = 0.3  # of the text: the last line found earlier than this is a repeat, not the end
MIN_WORD_CHARS = 20  # word characters an abstract needs: fewer is a placeholder ('...')
FIND_PREFIX_CHARS = 40  # characters of a layout line looked up as they are in the page text
FIND_WORDS = 8  # words of a layout line matched loosely when its start is not found as is
FIND_MIN_WORDS = 4  # fewer words match too much
COLUMN_SLACK_PT = 2  # points: the heading's centre may fall this far outside the paragraph's cell
PARAGRAPH_CELL_CHARS = 20  # a shorter cell under the heading is a label, not the paragraph
HEADING_GAP_SIZES = 3  # of the heading's size: no paragraph this far below it means none is found
SAME_SIZE_PT = 0.6  # points: a line of the abstract's column differing more in size ends it
PARAGRAPH_GAP_SIZES = 1.1  # of the font size: a wider gap between lines ends the paragraph
IN_COLUMN_SHARE = 0.6  # of a cell's width: overlapping the column this much puts it in the column

_HEADING = r"(?:\d\.?\s*)?(a\s?b\s?s\s?t\s?r\s?a\s?c\s?t\b|摘\s*要)\s*[:.—–\-：]?\s*"  # '1 Abstract', '摘 要'
_ABSTRACT_RE = re.compile(r"^\s*" + _HEADING, re.I)


_CAPTION_RE = re.compile(r"^\s*(?:Fig\.|Figure|Table|图|表)\s*\d", re.I)
_ABSTRACT_ANY_RE = re.compile(r"(?:^|\n)\s*" + _HEADING, re.I)


_END_RE = re.compile(
    r"\n\s*(?:(?:\d+\.?|I\.?)\s*)?(?:Introduction|INTRODUCTION|I NTRODUCTION)\b|"
    r"\n\s*(?:Keywords?|Key words|Index Terms|CCS Concepts|General Terms|ACM Reference)\b|"
    r"\n\s*(?:关键词|关键字|主要要点|引言|\d\s*引言)",
)


def abstract_line(lines: list[Line], start: int, body: float) -> int:
    """Index of the abstract heading, or of the first paragraph-like line when there is none."""
    for i in range(start, len(lines)):
        first = lines[i].cells[0].plain if lines[i].cells else ""
        if _ABSTRACT_RE.match(first) or any(_ABSTRACT_RE.match(c.plain) and len(c.plain) < HEADING_MAX_CHARS for c in lines[i].cells):
            return i
    in_caption = False
    for i in range(start, len(lines)):
        line = lines[i]
        if _CAPTION_RE.match(line.plain):
            in_caption = True  # a teaser's caption runs on over the next lines of its size
            continue
        same_size = abs(line.size - lines[i - 1].size) < CAPTION_SAME_PT
        if in_caption and same_size and line.y0 - lines[i - 1].y1 < CAPTION_GAP_SIZES * line.size:
            continue
        in_caption = False
        # an unlabelled abstract is often set a little smaller than the body (journals), never much larger
        body_sized = -SMALLER_THAN_BODY_PT < line.size - body < LARGER_THAN_BODY_PT
        if body_sized and visual_length(line.plain) > PARAGRAPH_MIN_CHARS and not inst.looks_like_affiliation(line.plain):
            return i
    return len(lines)


def visual_length(text: str) -> int:
    """Length as printed: a Chinese character is as wide as two Latin ones."""
    return len(text) + len(_WIDE_RE.findall(text))


_WIDE_RE = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")
_NUMBERED_LINE = re.compile(r"(?m)^\s*(\d{1,3})(?:\s+|$)")


def _without_numbered_lines(text: str) -> str:
    """Review copies start each line with its number; when most lines rise 1, 2, 3 ... drop them."""
    values = [int(m.group(1)) for m in _NUMBERED_LINE.finditer(text)]
    rising = sum(b == a + 1 for a, b in zip(values, values[1:], strict=False))
    if len(values) < NUMBERED_MIN_LINES or rising < NUMBERED_RISING * len(values):
        return text
    return _NUMBERED_LINE.sub("", text)


def read_abstract(pages: list[str], from_heading: list[Line]) -> str:
    """The abstract from the page text: after its heading, up to where its paragraph ends on the page.

    The page text reads cleanly (ligatures and hyphens resolved) but does not say where the
    abstract stops; the layout does: the last line in the abstract's column, at its font size,
    before a wide vertical gap. The text is cut after that line, or at the next section or
    keywords heading when the layout gives no answer.
    """
    text = "\n".join(pages)
    text = _without_numbered_lines(re.sub(r"(?m)^\s*\d{3}\s*$\n?", "", text))
    match = _ABSTRACT_ANY_RE.search(text)
    if match:
        rest = text[match.end():]
    elif from_heading:
        at = _find_line(text, from_heading[0].plain)
        rest = text[at:] if at >= 0 else ""
    else:
        rest = ""
    end = _END_RE.search(rest)
    body = rest[: end.start()] if end else rest[:NO_END_CHARS]
    tail = _last_abstract_line(from_heading)
    if tail:
        words = re.findall(r"\S+", tail)[-TAIL_WORDS:]
        matches = list(re.finditer(r"\s+".join(map(re.escape, words)), body))
        found = matches[-1] if matches else None
        if found and found.end() > TAIL_AFTER_SHARE * len(body):
            body = body[: found.end()]
    body = tidy_paragraph(body)
    return body if len(re.findall(r"\w", body)) >= MIN_WORD_CHARS else ""  # '...': a placeholder, not an abstract


def _find_line(text: str, line: str) -> int:
    """Where a line read from the layout starts in the page text. Glyphs without Unicode can read
    differently in the two ('(??, ??)-core'), so words with symbols match any run of non-spaces."""
    at = text.find(line[:FIND_PREFIX_CHARS])
    if at >= 0:
        return at
    words = line.split()[:FIND_WORDS]
    pattern = r"\s*".join(re.escape(w) if re.fullmatch(r"[\w.,'’-]+", w) else r"\S*" for w in words)
    match = re.search(pattern, text) if len(words) >= FIND_MIN_WORDS else None
    return match.start() if match else -1


def _last_abstract_line(lines: list[Line]) -> str:
    """Text of the abstract's last line, found by following its column down the page."""
    if not lines:
        return ""
    heading = lines[0]
    first_cell = heading.cells[0] if heading.cells else None
    if first_cell is None:
        return ""
    inline = len(first_cell.plain) > HEADING_MAX_CHARS  # 'Abstract—We ...' starts the paragraph itself
    column: tuple[float, float] | None = (first_cell.x0, first_cell.x1) if inline else None
    size = cell_size(first_cell) if inline else 0.0
    last, last_y1 = (first_cell.plain if inline else ""), heading.y1
    centre = (first_cell.x0 + first_cell.x1) / 2
    for line in lines[1:]:
        if column is None:
            cell = next((c for c in line.cells
                         if c.x0 - COLUMN_SLACK_PT <= centre <= c.x1 + COLUMN_SLACK_PT and len(c.plain) > PARAGRAPH_CELL_CHARS), None)
            if cell is None:
                if line.y0 - last_y1 > HEADING_GAP_SIZES * heading.size:
                    return ""
                continue
            column, size = (cell.x0, cell.x1), cell_size(cell)
        else:
            cell = next((c for c in line.cells if _inside(c, column)), None)
            if cell is None:
                continue
            if abs(cell_size(cell) - size) > SAME_SIZE_PT or cell.y0_gap(last_y1) > PARAGRAPH_GAP_SIZES * size:
                break
        last, last_y1 = cell.plain, line.y1
    return re.sub(r"[\s\d*†‡]+$", "", last)


def _inside(cell: Cell, column: tuple[float, float]) -> bool:
    width = cell.x1 - cell.x0
    overlap = min(cell.x1, column[1]) - max(cell.x0, column[0])
    return width > 0 and overlap >= IN_COLUMN_SHARE * width


def tidy_paragraph(text: str) -> str:
    text = re.sub(r"-\n(?=[a-z])", "", text)
    text = re.sub(r"\s*\n\s*", " ", text)
    return re.sub(r"\s{2,}", " ", text).strip()


def excerpt(pages: list[str], abstract: str, limit: int = 1200) -> str:
    """A slice of the introduction: lets the brief name the problem when the abstract is short."""
    text = "\n".join(pages)
    match = re.search(r"(?:\d+\.?|I\.?)?\s*Introduction\s*\n", text, re.I)
    if not match:
        return ""
    return tidy_paragraph(text[match.end(): match.end() + limit * 2])[:limit]
