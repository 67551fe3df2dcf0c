"""Stage 2, read metadata: Document -> Paper, by layout rules on page 1's spans.

Rules first because they are fast, free and deterministic. The page is cut into lines, the title
is the largest text near the top, the header (between title and abstract) is cut into cells
(runs of text separated by wide gaps, so author grids read column by column), and each cell is an
author list, an affiliation, an e-mail or a note. Affiliations printed only as footnotes (IEEE,
ICML) are read from the foot of the page when the header has none.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field

from . import institutions as inst
from .models import Document, Paper, Span

_MARKER_RE = re.compile(r"^[\d,*†‡§¶#∗⋆♠♣♢♡♦✉a-j\s]+$")
_ABSTRACT_RE = re.compile(r"^\s*a\s?b\s?s\s?t\s?r\s?a\s?c\s?t\b\s*[:.—–-]?\s*", re.I)
_ABSTRACT_ANY_RE = re.compile(r"(?:^|\n)\s*(a\s?b\s?s\s?t\s?r\s?a\s?c\s?t)\b\s*[:.—–-]?\s*", re.I)
_END_RE = re.compile(
    r"\n\s*(?:(?:\d+\.?|I\.?)\s*)?(?:Introduction|INTRODUCTION|I NTRODUCTION)\b|"
    r"\n\s*(?:Keywords?|Key words|Index Terms|CCS Concepts|General Terms|ACM Reference)\b",
)
_IEEE_GRADE_RE = re.compile(r",?\s*(?:Student |Senior |Life |Graduate Student )?(?:Member|Fellow),?\s*IEEE", re.I)
_NOTE_RE = re.compile(
    r"(work done|corresponding|equal contribution|contributed equally|project lead|indicates|"
    r"listed in|\bintern(?:ship)?\b|correspondence|preprint|under review|proceedings|copyright|conference|"
    r"workshop|licen[cs]e|arxiv|published|accepted|do not distribute)", re.I,
)
_VENUE_RE = re.compile(r"(journal|contents lists|homepage|proceedings|preprint|arxiv|under review|published as|conference)", re.I)
_PARTICLES = {"van", "von", "de", "der", "den", "da", "di", "du", "le", "la", "del", "dos", "bin", "al", "el", "y", "and"}
_SPLIT_NAMES_RE = re.compile(r"\s*(?:,|;|\band\b|&|\|)\s*")
_PLACEHOLDER_RE = re.compile(r"\banonymous\b", re.I)
_TEAM_RE = re.compile(r"\bTeam$")
# 'ETH Zürich', 'EPFL Lausanne': an acronym then ordinary words is an organisation, not a person
# ('JOHN SMITH', all in capitals, is still a name).
_ACRONYM_FIRST = re.compile(r"^[A-Z]{2,6}\s+(?=\S*[a-zäöüéè])")
_ORCID_RE = re.compile(r"\[?\(?\d{4}-\d{4}-\d{4}-\d{3}[\dX]\)?\]?")  # LNCS prints iDs after names
# Words printed between title and abstract that are never part of a person's name.
_NOT_NAME_WORDS = {
    "report", "technical", "preprint", "draft", "version", "paper", "supplementary", "appendix",
    "workshop", "conference", "proceedings", "journal", "submission", "review", "abstract",
    "introduction", "keywords", "january", "february", "march", "april", "may", "june", "july",
    "august", "september", "october", "november", "december", "arxiv", "copyright", "volume",
    "accepted", "published", "received", "revised", "author", "authors", "contents", "page",
}


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


def read_metadata(doc: Document) -> Paper:
    """Title, authors, institutions and abstract of one paper, read from its layout."""
    lines = _lines(doc.spans, doc.page_width)
    body = _body_size(doc.spans)
    title, title_end = _title(lines, doc.page_height)
    abstract_at = _abstract_line(lines, title_end, body)
    authors, aff_entries = _read_header(lines[title_end:abstract_at])
    if not aff_entries:
        aff_entries = _footnote_affiliations(lines, doc.page_width, doc.page_height, body)
    names = inst.organisations(aff_entries)
    team = len(authors) == 1 and bool(_TEAM_RE.search(authors[0]))
    if team:  # 'Kimi Team': an organisation signs, so there is no count of people
        authors = []
    abstract = _abstract(doc.pages, lines[abstract_at:] if abstract_at < len(lines) else [])
    return Paper(
        file=doc.path.rsplit("/", 1)[-1],
        sha256=doc.sha256,
        title=title,
        authors=authors,
        author_count=None if team else len(authors),
        institutions=names,
        affiliation_lines=aff_entries,
        abstract=abstract,
        body_excerpt=_excerpt(doc.pages, abstract),
        confident=bool(authors) and bool(names),
        header_text=_header_text(doc.pages[0] if doc.pages else "", abstract),
    )


# ---- lines and cells -------------------------------------------------------------------------


def _lines(spans: list[Span], page_width: float) -> list[Line]:
    """Cluster spans into lines by vertical centre; superscripts join the line they decorate."""
    usable = [s for s in spans if not _is_margin_number(s, page_width)]
    usable.sort(key=lambda s: ((s.y0 + s.y1) / 2, s.x0))
    lines: list[Line] = []
    for span in usable:
        centre = (span.y0 + span.y1) / 2
        target = None
        for line in reversed(lines[-3:]):
            line_centre = (line.y0 + line.y1) / 2
            if abs(centre - line_centre) <= 0.45 * max(line.size, span.size):
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
    return lines


def _is_margin_number(span: Span, page_width: float) -> bool:
    """Review line numbers (000, 001 ...) in the page margins."""
    return span.text.isdigit() and (span.x1 < 0.09 * page_width or span.x0 > 0.91 * page_width)


def _cells(line: Line) -> list[Cell]:
    cells: list[Cell] = []
    previous: Span | None = None
    for span in line.spans:
        gap = span.x0 - previous.x1 if previous else 0.0
        if previous is None or gap > 1.6 * line.size:
            cells.append(Cell(spans=[]))
        cell = cells[-1]
        is_marker = _is_superscript(span, line) and bool(_MARKER_RE.match(span.text))
        glued = cell.parts and not is_marker and not cell.parts[-1][1] and gap < 0.15 * line.size
        if glued:  # small caps and font changes inside one word: 'T' + 'OOL' is 'Tool'
            text = _small_caps(span, previous, cell.small_caps)
            if text != span.text:
                cell.small_caps = span.size
            cell.parts[-1] = (cell.parts[-1][0] + text, False)
        else:
            cell.parts.append((span.text, is_marker))
        cell.spans.append(span)
        previous = span
    return cells


def _small_caps(span: Span, previous: Span, seen_size: float) -> str:
    """Capitals set smaller than the capital before them (or at a small-caps size already seen in
    this cell, as after a hyphen) are small caps: lower case, as the author wrote them."""
    if not span.text.strip(" :,-").isupper():
        return span.text
    after_capital = span.size < 0.9 * previous.size and previous.text[-1:].isupper()
    if after_capital or (seen_size and abs(span.size - seen_size) < 0.2):
        return span.text.lower()
    return span.text


def _is_superscript(span: Span, line: Line) -> bool:
    return span.size < 0.88 * line.size and (span.y0 + span.y1) / 2 < (line.y0 + line.y1) / 2 + 0.05 * line.size


def _body_size(spans: list[Span]) -> float:
    weights: dict[float, int] = {}
    for span in spans:
        weights[round(span.size)] = weights.get(round(span.size), 0) + len(span.text)
    return max(weights, key=weights.get) if weights else 10.0


# ---- title ---------------------------------------------------------------------------------


def _title(lines: list[Line], page_height: float) -> tuple[str, int]:
    """The largest multi-word text in the top half; adjacent lines of the same size join it."""
    candidates = [
        (i, ln) for i, ln in enumerate(lines)
        if ln.y0 < 0.5 * page_height and len(ln.plain.split()) >= 2 and not _VENUE_RE.search(ln.plain)
        and sum(ch.isalpha() for ch in ln.plain) >= 4
    ]
    if not candidates:
        return "", 0
    size = max(_main_size(ln) for _, ln in candidates)
    start = next(i for i, ln in candidates if abs(_main_size(ln) - size) < 0.5)
    parts, end = [lines[start].plain], start + 1
    while end < len(lines):
        nxt, prev = lines[end], lines[end - 1]
        if abs(_main_size(nxt) - size) >= 0.5 or nxt.y0 - prev.y1 > 1.2 * size:
            break
        parts.append(nxt.plain)
        end += 1
    return _tidy_title(" ".join(parts)), end


def _main_size(line: Line) -> float:
    chars: dict[float, int] = {}
    for span in line.spans:
        chars[span.size] = chars.get(span.size, 0) + len(span.text)
    return max(chars, key=chars.get)


def _tidy_title(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"\s*[*∗†‡]+$", "", text)
    text = re.sub(r"\s+([:,;?!])", r"\1", text)
    return re.sub(r"(\w)- (\w)", r"\1-\2", text)


# ---- header: authors and affiliations ------------------------------------------------------


def _abstract_line(lines: list[Line], start: int, body: float) -> int:
    """Index of the abstract heading, or of the first paragraph-like line when there is none."""
    for i in range(start, len(lines)):
        first = lines[i].cells[0].plain if lines[i].cells else ""
        if _ABSTRACT_RE.match(first) or any(_ABSTRACT_RE.match(c.plain) and len(c.plain) < 40 for c in lines[i].cells):
            return i
    for i in range(start, len(lines)):
        line = lines[i]
        if abs(line.size - body) < 0.6 and len(line.plain) > 90 and not inst.looks_like_affiliation(line.plain):
            return i
    return len(lines)


def _read_header(header: list[Line]) -> tuple[list[str], list[str]]:
    """Authors and raw affiliation entries from the lines between title and abstract."""
    authors: list[str] = []
    entries: list[str] = []
    pending: list[tuple[Cell, Line, int]] = []  # affiliation cells a following line may continue
    names_tail = ""
    for line in header:
        row_has_affiliation = any(_cell_kind(c) == "affiliation" for c in line.cells)
        for cell in line.cells:
            kind = _cell_kind(cell)
            if kind == "authors" and (_entry_above(cell, line, pending) is not None or _is_address_cell(cell)):
                kind = "affiliation"  # an address or a second line under an affiliation
            elif kind == "authors" and row_has_affiliation and len(line.cells) > 1:
                kind = "affiliation"  # a grid row: its neighbours are affiliations, so is this cell
            if kind == "affiliation":
                _add_affiliation(cell, line, pending, entries)
            elif kind == "authors":
                names_tail = _add_authors(cell, authors, names_tail)
    return authors, entries


def _is_address_cell(cell: Cell) -> bool:
    return bool(re.search(r"\d{4,}|\b[A-Z]{2}\s+\d{5}\b", _ORCID_RE.sub("", cell.plain)))


def _cell_kind(cell: Cell) -> str:
    plain = cell.plain
    if not plain or "@" in plain or "http" in plain.lower() or "www." in plain.lower():
        return "other"
    lead = cell.parts[0][0].strip() if cell.parts else ""
    if lead[:1] in "*∗†‡§¶#" and _NOTE_RE.search(plain):
        return "other"
    if inst.looks_like_affiliation(plain) or _ACRONYM_FIRST.match(plain):
        return "affiliation"
    if _NOTE_RE.search(plain):
        return "other"
    return "authors"


def _add_affiliation(cell: Cell, line: Line, pending: list[tuple[Cell, Line, int]], entries: list[str]) -> None:
    """Split a cell at its markers; an unmarked cell right below another continues that entry."""
    pieces = _split_at_markers(cell)
    starts_with_marker = bool(cell.parts) and cell.parts[0][1]
    above = _entry_above(cell, line, pending)
    if above is not None and not starts_with_marker and len(pieces) == 1:
        entries[above] = f"{entries[above]}, {pieces[0]}"
        pending.append((cell, line, above))
        return
    entries.extend(p for p in pieces if p)
    pending.append((cell, line, len(entries) - 1))


def _entry_above(cell: Cell, line: Line, pending: list[tuple[Cell, Line, int]]) -> int | None:
    for other, other_line, index in reversed(pending):
        if other_line is line or index < 0:
            continue
        close = 0 <= line.y0 - other_line.y1 <= 1.0 * max(line.size, other_line.size)
        overlap = min(cell.x1, other.x1) - max(cell.x0, other.x0)
        if close and overlap > 0.3 * min(cell.x1 - cell.x0, other.x1 - other.x0):
            return index
    return None


def _split_at_markers(cell: Cell) -> list[str]:
    pieces: list[str] = [""]
    for text, is_marker in cell.parts:
        if is_marker:
            if pieces[-1].strip():
                pieces.append("")
            continue
        pieces[-1] += " " + text
    out = []
    for piece in pieces:
        out.extend(_split_inline_markers(piece))
    return [re.sub(r"\s+", " ", p).strip(" ,;") for p in out if p.strip(" ,;")]


def _split_inline_markers(text: str) -> list[str]:
    """'1 Tsinghua University 2 ModelBest Inc.' printed without superscript fonts."""
    parts = re.split(r"(?:^|(?<=[\s,;]))(?:\d{1,2}|[*†‡§])\s?(?=[A-Z])", text.strip())
    return [p for p in parts if p.strip(" ,;")]


def _add_authors(cell: Cell, authors: list[str], tail: str) -> str:
    """Append the names of one cell; returns a dangling first name the next line may finish."""
    text_parts = []
    for text, is_marker in cell.parts:
        text_parts.append(" , " if is_marker else " " + text)
    text = _IEEE_GRADE_RE.sub(" , ", "".join(text_parts))
    text = _ORCID_RE.sub(" , ", text)
    text = re.sub(r"[*∗†‡§¶#⋆✉♠♣♢♡♦]+|\d+", " , ", text)
    tokens = [t.strip(" .") for t in _SPLIT_NAMES_RE.split(text)]
    tokens = [re.sub(r"\s+", " ", t) for t in tokens if t.strip(" .")]
    if tail and tokens and len(tokens[0].split()) == 1:
        tokens[0] = f"{tail} {tokens[0]}"
        if authors and authors[-1] == tail:
            authors.pop()
    names = []
    for token in tokens:
        names.extend(_split_run_of_names(token))
    valid = [n for n in names if _is_name(n)]
    authors.extend(valid)
    ends_open = bool(valid) and len(valid[-1].split()) == 1 and not cell.parts[-1][1]
    return valid[-1] if ends_open else ""


def _split_run_of_names(token: str) -> list[str]:
    """Names separated only by spaces: Chinese names each, or an even run of capitalised words as pairs."""
    words = token.split()
    if len(words) > 1 and all(re.fullmatch(r"[\u4e00-\u9fff·]{2,5}", w) for w in words):
        return words
    if len(words) >= 6 and len(words) % 2 == 0 and all(w[:1].isupper() for w in words):
        return [" ".join(words[i:i + 2]) for i in range(0, len(words), 2)]
    return [token]


def _is_name(token: str) -> bool:
    if _PLACEHOLDER_RE.search(token) or inst.looks_like_affiliation(token):
        return False
    if any(w.lower().strip(".,:") in _NOT_NAME_WORDS for w in token.split()):
        return False
    if re.search(r"[\u4e00-\u9fff]", token):
        return 2 <= len(token.replace(" ", "")) <= 5
    words = token.split()
    if not 1 <= len(words) <= 5:
        return False
    if len(words) == 1 and not (token[:1].isupper() and len(token) >= 2):
        return False
    return all(w[:1].isupper() or w.lower() in _PARTICLES or w[:1] in "'’(" for w in words) and not any(
        ch.isdigit() for ch in token
    )


# ---- footnote affiliations ---------------------------------------------------------------


def _cell_size(cell: Cell) -> float:
    return max(s.size for s in cell.spans)


def _footnote_affiliations(lines: list[Line], page_width: float, page_height: float, body: float) -> list[str]:
    """Affiliations printed at the foot of page 1 (IEEE 'is with', ICML numbered footnotes)."""
    foot_lines = [ln for ln in lines if ln.y0 > 0.62 * page_height]  # in page order; spans in x order
    small = [s for ln in foot_lines for s in ln.spans if s.size < body - 0.4]
    foot = [s for s in small if s.x0 < page_width / 2] + [s for s in small if s.x0 >= page_width / 2]
    if not foot:  # (left column's notes first, then the right column's)
        return []
    note_size = statistics.median(s.size for s in foot)
    is_marker = [bool(_MARKER_RE.match(s.text)) and s.size < note_size - 0.5 for s in foot]
    text = " ".join(s.text for s, marker in zip(foot, is_marker) if not marker)
    entries = [m.group(1).strip(" ,;.") for m in re.finditer(
        r"\b(?:are|is)\s+(?:also\s+)?with\s+(?:the\s+)?(.+?)(?:\(e-?mail|\.\s+[A-Z]|$)", text)]
    if entries:
        return entries
    numbered = "".join("\x00" if marker else " " + s.text for s, marker in zip(foot, is_marker))
    for piece in numbered.split("\x00")[1:]:  # text after each superscript marker
        piece = re.split(r"\.?\s*(?:Correspondence to|Preliminary work|Proceedings of|Copyright|Under review)", piece)[0]
        piece = re.sub(r"\s+", " ", piece).strip(" ,;.")
        if piece and inst.looks_like_affiliation(piece):
            entries.append(piece)
    return entries


# ---- abstract ------------------------------------------------------------------------------


def _abstract(pages: list[str], from_heading: list[Line]) -> str:
    """The abstract from the page text: after its heading, up to where its paragraph ends on the page.

    The page text reads cleanly (ligatures and hyphens resolved) but does not say where the
    abstract stops; the layout does: the last line in the abstract's column, at its font size,
    before a wide vertical gap. The text is cut after that line, or at the next section or
    keywords heading when the layout gives no answer.
    """
    text = "\n".join(pages)
    text = re.sub(r"(?m)^\s*\d{3}\s*$\n?", "", text)  # review line numbers
    match = _ABSTRACT_ANY_RE.search(text)
    if match:
        rest = text[match.end():]
    elif from_heading:
        anchor = from_heading[0].plain[:40]
        at = text.find(anchor)
        rest = text[at:] if at >= 0 else ""
    else:
        rest = ""
    end = _END_RE.search(rest)
    body = rest[: end.start()] if end else rest[:2500]
    tail = _last_abstract_line(from_heading)
    if tail:
        words = re.findall(r"\S+", tail)[-4:]
        matches = list(re.finditer(r"\s+".join(map(re.escape, words)), body))
        found = matches[-1] if matches else None
        if found and found.end() > 0.3 * len(body):
            body = body[: found.end()]
    return _tidy_paragraph(body)


def _last_abstract_line(lines: list[Line]) -> str:
    """Text of the abstract's last line, found by following its column down the page."""
    if not lines:
        return ""
    heading = lines[0]
    first_cell = heading.cells[0] if heading.cells else None
    if first_cell is None:
        return ""
    inline = len(first_cell.plain) > 40  # 'Abstract—Backscatter ...' starts the paragraph itself
    column: tuple[float, float] | None = (first_cell.x0, first_cell.x1) if inline else None
    size = _cell_size(first_cell) if inline else 0.0
    last, last_y1 = (first_cell.plain if inline else ""), heading.y1
    centre = (first_cell.x0 + first_cell.x1) / 2
    for line in lines[1:]:
        if column is None:
            cell = next((c for c in line.cells if c.x0 - 2 <= centre <= c.x1 + 2 and len(c.plain) > 20), None)
            if cell is None:
                if line.y0 - last_y1 > 3 * heading.size:
                    return ""
                continue
            column, size = (cell.x0, cell.x1), _cell_size(cell)
        else:
            cell = next((c for c in line.cells if _inside(c, column)), None)
            if cell is None:
                continue
            if abs(_cell_size(cell) - size) > 0.6 or cell.y0_gap(last_y1) > 1.1 * size:
                break
        last, last_y1 = cell.plain, line.y1
    return re.sub(r"[\s\d*†‡]+$", "", last)


def _inside(cell: Cell, column: tuple[float, float]) -> bool:
    width = cell.x1 - cell.x0
    overlap = min(cell.x1, column[1]) - max(cell.x0, column[0])
    return width > 0 and overlap >= 0.6 * width


def _header_text(page: str, abstract: str, limit: int = 3000) -> str:
    """Page 1 up to the abstract, plus its foot (where IEEE and ICML print affiliations)."""
    cut = page.find(abstract[:40]) if abstract else -1
    head = page[:cut] if cut > 0 else page[:limit]
    return (head[:limit] + "\n" + page[-800:]).strip()


def _tidy_paragraph(text: str) -> str:
    text = re.sub(r"-\n(?=[a-z])", "", text)
    text = re.sub(r"\s*\n\s*", " ", text)
    return re.sub(r"\s{2,}", " ", text).strip()


def _excerpt(pages: list[str], abstract: str, limit: int = 1200) -> str:
    """A slice of the introduction: lets the brief name the problem when the abstract is short."""
    text = "\n".join(pages)
    match = re.search(r"(?:\d+\.?|I\.?)?\s*Introduction\s*\n", text, re.I)
    if not match:
        return ""
    return _tidy_paragraph(text[match.end(): match.end() + limit * 2])[:limit]
