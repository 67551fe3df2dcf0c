"""The abstract: where it starts on page 1, where its paragraph ends, and the text between."""

from __future__ import annotations

import re

from ..names import institutions as inst
from ..rules import in_force
from .authors import reads_as_byline
from .layout import Cell, Line, cell_size

# '1 Abstract', '摘 要', and 'Summary' alone on its line (Wiley journals head the abstract so)
SUMMARY = r"(?:(?:executive|lay|plain language|author|reproducibility)\s+)?summary"  # 'Plain Language Summary' heads an abstract
_HEADING = r"(?:\d\.?\s*)?(a\s?b\s?s\s?t\s?r\s?a\s?c\s?t\b|[\[【]?\s*摘\s*要\s*[\]】]?|" + SUMMARY + r"(?=[ \t]*(?:\n|$)))\s*[:.—–\-：]?\s*"
_ABSTRACT_RE = re.compile(r"^\s*" + _HEADING, re.I)
# a structured abstract with no heading starts at its first label ('Objective: ...', 'Background: ...')
_STRUCTURED_START = re.compile(r"^\s*(?:objectives?|background|purpose|aims?|context|importance)\s*:\s*", re.I)


_INLINE_HEADING = re.compile(r"\s*(?:Abstract|ABSTRACT)\b")  # 'Abstract Single-neuron gene …' run into its paragraph
# the body's first section: no unheaded abstract starts below it
_SECTION_START = re.compile(r"^\s*(?:1\.?|I\.?)?\s*(?:Introduction|INTRODUCTION|I NTRODUCTION|引\s*言)\s*$")
_CAPTION_RE = re.compile(r"^\s*(?:Fig\.|Figure|Table|图|表)\s*\d", re.I)
_ABSTRACT_ANY_RE = re.compile(r"(?:^|\n)\s*" + _HEADING, re.I)


_END_RE = re.compile(
    r"\n\s*(?:(?:\d+\.?|I\.?)\s*)?(?:Introduction|INTRODUCTION|I NTRODUCTION)\b|"
    r"\n\s*(?:Keywords?|Key words|Index Terms|CCS Concepts|General Terms|ACM Reference)\b|"
    r"\n\s*(?:关键词|关键字|主要要点|引言|\d\s*引言)",
)


def abstract_line(lines: list[Line], start: int, body: float) -> int:
    """Index of the abstract heading, or of the first paragraph-like line when there is none."""
    rules = in_force()
    for i in range(start, len(lines)):
        first = lines[i].cells[0].plain if lines[i].cells else ""
        spaced = len(lines[i].cells) > 1 and _ABSTRACT_RE.fullmatch(lines[i].plain.strip())  # '摘      要': a heading set wide
        in_a_cell = any(_ABSTRACT_RE.match(c.plain) and len(c.plain) < rules.heading_max_chars for c in lines[i].cells)
        in_a_cell = in_a_cell or any(_INLINE_HEADING.match(c.plain) for c in lines[i].cells[1:])  # right of a sidebar's cell
        spaced = spaced or (len(first) == 1 and _ABSTRACT_RE.match(lines[i].plain))  # '摘   要：<text>'
        if _ABSTRACT_RE.match(first) or spaced or in_a_cell or _STRUCTURED_START.match(first):
            return i
    in_caption = False
    for i in range(start, len(lines)):
        line = lines[i]
        if _SECTION_START.match(line.plain):
            return i  # the header ends where the body begins
        if _CAPTION_RE.match(line.plain):
            in_caption = True  # a teaser's caption runs on over the next lines of its size
            continue
        same_size = abs(line.size - lines[i - 1].size) < rules.caption_same_pt
        if in_caption and same_size and line.y0 - lines[i - 1].y1 < rules.caption_gap_sizes * line.size:
            continue
        in_caption = False
        # an unlabelled abstract is often set a little smaller than the body (journals), never much larger
        body_sized = -rules.smaller_than_body_pt < line.size - body < rules.larger_than_body_pt
        if body_sized and _sentence_line(line.plain) and (visual_length(line.plain) > rules.paragraph_min_chars or
                                                          _starts_a_run(lines, i)):
            return _paragraph_top(lines, i, start)
    return len(lines)


def _sentence_line(text: str) -> bool:
    """A line that can be a paragraph's: no byline, and no affiliation unless it reads as prose."""
    return not reads_as_byline(text) and (not inst.looks_like_affiliation(text) or _reads_as_prose(text))


def _next_in_paragraph(above: Line, line: Line) -> bool:
    """`line` runs on the one-cell paragraph line `above`: same size and column, as close as a
    paragraph's lines are."""
    rules = in_force()
    indent = above.cells[0].x0 - line.cells[0].x0 if above.cells and line.cells else 0.0  # a paragraph's first line may be indented
    return (len(above.cells) == 1 and len(line.cells) == 1 and -rules.column_slack_pt <= indent <= rules.indent_sizes * line.size
            and abs(above.size - line.size) < rules.caption_same_pt and line.y0 - above.y1 < rules.paragraph_gap_sizes * line.size)


def _starts_a_run(lines: list[Line], at: int) -> bool:
    """Line `at` starts a paragraph set in a wide font (Frontiers' abstract): its lines are each a
    little shorter than a paragraph's, but several in a row of one column read as prose (a list
    of ORCID numbers and names does not)."""
    rules = in_force()
    run = lines[at:at + rules.paragraph_run_lines]
    return (len(run) == rules.paragraph_run_lines and all(_next_in_paragraph(a, b) for a, b in zip(run, run[1:], strict=False))
            and all(visual_length(ln.plain) > rules.paragraph_run_share * rules.paragraph_min_chars and _sentence_line(ln.plain)
                    and _reads_as_prose(ln.plain) for ln in run))


def _paragraph_top(lines: list[Line], at: int, start: int) -> int:
    """The first line of the paragraph holding line `at`: an unheaded abstract's first lines can
    be shorter than a paragraph's ('Channel attention has been shown to improve …'), yet they
    are set as it is, in its size and column, as close above it as its own lines are."""
    while at > start and _next_in_paragraph(lines[at - 1], lines[at]) and _sentence_line(lines[at - 1].plain):
        at -= 1
    return at


def _reads_as_prose(text: str) -> bool:
    """A sentence's line: many lower-case words besides connectives ('Recent efforts to predict stress
    using mobile technology have increased; however, ...'), where an affiliation has a few at most
    ('Department of Psychology and Neuroscience')."""
    words = [w for w in re.findall(r"\b[a-z][a-z'-]+\b", text) if w not in _CONNECTIVES]
    return len(words) >= in_force().prose_min_words


_CONNECTIVES = frozenset("of and for the de di del des du la le et und für in at on to da do dos das".split())


def visual_length(text: str) -> int:
    """Length as printed: a Chinese character is as wide as two Latin ones."""
    return len(text) + len(_WIDE_RE.findall(text))


_WIDE_RE = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")
_NUMBERED_LINE = re.compile(r"(?m)^\s*(\d{1,3})(?:\s+|$)")


def _without_numbered_lines(text: str) -> str:
    """Review copies start each line with its number; when most lines rise 1, 2, 3 ... drop them."""
    values = [int(m.group(1)) for m in _NUMBERED_LINE.finditer(text)]
    rising = sum(b == a + 1 for a, b in zip(values, values[1:], strict=False))
    if len(values) < in_force().numbered_min_lines or rising < in_force().numbered_rising * len(values):
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
    body = rest[: end.start()] if end else rest[:in_force().no_end_chars]
    tail = _last_abstract_line(from_heading)
    if tail:
        words = re.findall(r"\S+", tail)[-in_force().tail_words:]
        matches = list(re.finditer(r"\s+".join(map(re.escape, words)), body))
        found = matches[-1] if matches else None
        if found and found.end() > in_force().tail_after_share * len(body):
            body = body[: found.end()]
    body = tidy_paragraph(_STRUCTURED_START.sub("", body, count=1))
    return body if len(re.findall(r"\w", body)) >= in_force().min_word_chars else ""  # '...': a placeholder, not an abstract


def _find_line(text: str, line: str) -> int:
    """Where a line read from the layout starts in the page text. Glyphs without Unicode can read
    differently in the two ('(??, ??)-core'), so words with symbols match any run of non-spaces."""
    at = text.find(line[:in_force().find_prefix_chars])
    if at >= 0:
        return at
    words = line.split()[:in_force().find_words]
    pattern = r"\s*".join(re.escape(w) if re.fullmatch(r"[\w.,'’-]+", w) else r"\S*" for w in words)
    match = re.search(pattern, text) if len(words) >= in_force().find_min_words else None
    return match.start() if match else -1


def _last_abstract_line(lines: list[Line]) -> str:
    """Text of the abstract's last line, found by following its column down the page."""
    rules = in_force()
    if not lines:
        return ""
    heading = lines[0]
    first_cell = heading.cells[0] if heading.cells else None
    if first_cell is None:
        return ""
    inline = len(first_cell.plain) > rules.heading_max_chars  # 'Abstract—We ...' starts the paragraph itself
    column: tuple[float, float] | None = (first_cell.x0, first_cell.x1) if inline else None
    size = cell_size(first_cell) if inline else 0.0
    last, last_y1 = (first_cell.plain if inline else ""), heading.y1
    centre = (first_cell.x0 + first_cell.x1) / 2
    for line in lines[1:]:
        if column is None:
            cell = next((c for c in line.cells
                         if c.x0 - rules.column_slack_pt <= centre <= c.x1 + rules.column_slack_pt
                         and len(c.plain) > rules.paragraph_cell_chars), None)
            if cell is None:
                if line.y0 - last_y1 > rules.heading_gap_sizes * heading.size:
                    return ""
                continue
            column, size = (cell.x0, cell.x1), cell_size(cell)
        else:
            cell = next((c for c in line.cells if _inside(c, column)), None)
            if cell is None:
                continue
            if abs(cell_size(cell) - size) > rules.abstract_same_size_pt or cell.y0_gap(last_y1) > rules.paragraph_gap_sizes * size:
                break
        last, last_y1 = cell.plain, line.y1
    return re.sub(r"[\s\d*†‡]+$", "", last)


def _inside(cell: Cell, column: tuple[float, float]) -> bool:
    width = cell.x1 - cell.x0
    overlap = min(cell.x1, column[1]) - max(cell.x0, column[0])
    return width > 0 and overlap >= in_force().in_column_share * width


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
