"""Affiliation entries: header cells that name organisations, or page-foot notes (IEEE, ICML)."""

from __future__ import annotations

import re

from ..names import institutions as inst
from ..names import registry
from ..rules import in_force
from .authors import CIRCLED, ORCID_RE, add_authors, is_person_name
from .cover_form import form_field, names_document_kind
from .figure_text import CAPTION, without_figure_text
from .layout import Cell, Line, cell_size, is_link_row

_NOTE_RE = re.compile(
    r"(work done|corresponding|equal contribution|contributed equally|project lead|indicates|"
    r"listed in|\bintern(?:ship)?\b|correspondence|preprint|under review|proceedings|copyright|conference|"
    r"workshop|licen[cs]e|arxiv|published|accepted|do not distribute)", re.I,
)


_ACRONYMS_ONLY = re.compile(  # '<ABCDE> & <ABCDE>(<XY>)', '<ABCD> / <UName>': organisations by their short names
    r"^[A-Z][A-Z0-9]{1,7}(?:\s*\([A-Z]{1,5}\))?(?:\s*(?:&|/|,|and)\s*[A-Z][A-Za-z0-9]{1,9}(?:\s*\([A-Z]{1,5}\))?)+$")
_ACRONYM_FIRST = re.compile(r"^[A-Z]{2,6}\s+(?=\S*[a-zäöüéè])")
_MONTHS = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
# 'January 30, 2025', '30 Jan 2025', '2023 年 2 月 2 日', '2025-01-30': a date line, never an organisation
DATE_RE = re.compile(
    rf"^\W*(?:{_MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?,?(?:\s+\d{{4}})?|\d{{1,2}}\s+{_MONTHS},?\s+\d{{4}}|"
    rf"{_MONTHS},?\s+\d{{4}}|\d{{4}}\s*年(?:\s*\d{{1,2}}\s*月)?(?:\s*\d{{1,2}}\s*日)?|"
    r"(?:\d{4}\s*)?年?\s*\d{1,2}\s*月\s*\d{1,2}\s*日|\d{4}[-/.]\d{1,2}[-/.]\d{1,2})\W*$",
    re.I,
)


_RIGHTS = re.compile(r"©|\b(?:copyright|all rights reserved|exclusive licen[cs]e)\b", re.I)
_EDITOR = re.compile(r"^\s*(?:action\s+|handling\s+|associate\s+)?editors?\s*:", re.I)
# the ACM reference block, or a manuscript title page's next labelled section: the author block is above it
_HEADER_END = re.compile(r"^(?:ACM Reference Format|CCS Concepts|Keywords|Index Terms|"
                         r"(?:Funding|Conflicts? of Interest|Competing Interests?|Acknowledge?ments?|Word count)\s*:|"
                         r"(?:Received|Submitted|Accepted|Published|Available online)\b[\s:]*(?:on\s+)?"
                         r"(?-i:\d{1,2}\s+[A-Z][a-z]+\.?|[A-Z][a-z]+\.?\s+\d{1,2},?)\s+\d{4})",
                         re.I)  # ... or a journal's history ('Received 27 May 2023') set under the affiliations
_CONNECTIVE = re.compile(r"^\s*(?:and|AND|&)\s*$")
_CORRESPONDENCE = re.compile(r"^\W*(?:correspondence|corresponding authors?)\b", re.I)
_FUNDING_START = re.compile(r"^\W*this (?:work|research|study|project) (?:was|is|has been) (?:\w+ )?(?:supported|funded)\b", re.I)
FUNDING_RE = re.compile(r"\b((?:supported|funded) (?:in part |partly )?by|funding|grant(?:s|ed)? (?:no|number|agreement)|acknowledg)", re.I)
_CAPS_NAME = re.compile(r"^([A-Z][A-Z'’.-]+(?:\s+[A-Z][A-Z'’.-]*){1,3})\s*,\s+(?=\S)")  # a marker may sit before the comma


def _leading_names(cell: Cell) -> tuple[list[str], str]:
    """acmsmall prints '<GIVEN FAMILY>, <Name> University, <Country>': a name in capitals (or
    several, '<NAME>, <NAME>, and <NAME>, …'), then their affiliation on the same line. Returns
    (names, affiliation) or ([], '')."""
    text = re.sub(r"\s+", " ", " ".join("," if is_marker else t for t, is_marker in cell.parts)).strip()
    names, rest = [], text
    while match := _CAPS_NAME.match(rest):  # '<NAME>, <NAME>, and <NAME>, <Organisation>': several share one
        names.append(match.group(1))
        rest = re.sub(r"^(?:and|&)\s+", "", rest[match.end():].strip(" ,"))
    first = rest.split(",")[0].strip()  # 'KAIST, Republic of Korea': an organisation's short form, then its country
    if names and (inst.looks_like_affiliation(rest) or inst.looks_like_affiliation(first)) and re.search(r"[a-z]", rest) \
            and not any(inst.looks_like_affiliation(name) for name in names):
        return names, rest
    return [], ""


_NAME_COMMA = re.compile(r"^([A-Z][\w'’.-]+(?:\s+[A-Z][\w'’.-]*){1,3})\s*,\s+(?=[A-Z])")


def _listed_author(cell: Cell) -> tuple[str, str]:
    """'<Given Family>, <Organisation>': one author a line, with their affiliation after a comma
    (a chapter's or a report's list of contributors). Returns (name, affiliation) or ('', '')."""
    match = _NAME_COMMA.match(cell.plain)
    if not match or not is_person_name(match.group(1)) or inst.looks_like_affiliation(match.group(1)):
        return "", ""
    rest = cell.plain[match.end():].strip(" ,")
    first = rest.split(",")[0].strip()
    if is_person_name(first) and len(first.split()) <= in_force().full_name_max_words and not inst.looks_like_affiliation(first):
        return "", ""  # '<Name>, <Name>, ...': a byline, not a name and its organisation
    return match.group(1), rest


def _authors_listed(header: list[Line]) -> bool:
    """Whether the header lists its authors a line each with their affiliation: several such
    lines, or a lone author whose first line is '<Name>, <Organisation>, <Country>' (IGI Global)."""
    listed = [bool(line.cells and _listed_author(line.cells[0])[0]) for line in header]
    if sum(listed) >= in_force().listed_authors_min:
        return True
    first = next((line for line in header if line.cells), None)
    return sum(listed) == 1 and first is not None and listed[header.index(first)] \
        and inst.looks_like_affiliation(_listed_author(first.cells[0])[1])


def read_header(header: list[Line], column_x0: float = 0.0) -> tuple[list[str], list[str], int]:
    """Authors, raw affiliation entries and the highest affiliation number cited by the names.

    Cells that end left of `column_x0` (a sidebar beside a left-aligned title: correspondence,
    funding) are not part of the author block.
    """
    authors: list[str] = []
    entries: list[str] = []
    pending: list[tuple[Cell, Line, int]] = []  # affiliation cells a following line may continue
    names_tail = ""
    marks: list[str] = []  # the affiliation numbers the author names carry
    names_size = 0.0  # font size of the first author cell; figure labels further down are smaller
    names_above: list[Cell] = []  # name cells of the line above, when it was a row of a grid
    tails: list[tuple[Cell, str]] = []  # name cells of the line above that ended on a first name alone
    corresponding = False  # past a 'Correspondence:' label, a name is the corresponding author's, named again
    header = without_figure_text(header)
    spacing = _line_spacing(header)
    listed = _authors_listed(header)
    for line in header:
        first = next((c for c in line.cells if c.x1 >= column_x0), None)  # a sidebar's 'Funding:' ends nothing
        if first is not None and (CAPTION.match(first.plain) or _HEADER_END.match(first.plain) or _FUNDING_START.match(first.plain)):
            break  # a teaser figure's caption, the ACM reference block, a funding note: the author block is above it
        corresponding = corresponding or bool(line.cells and _CORRESPONDENCE.match(line.cells[0].plain))
        if is_link_row(line):
            continue  # 'Homepage   GitHub   Hugging Face': a report's link buttons, no affiliation
        if len(line.cells) == 1 and _CONNECTIVE.match(line.cells[0].plain):
            pending.clear()  # 'AND' between two author blocks (JACM, SIAM): the next name continues no entry
            continue
        if (field := form_field(line)) is not None:  # a Chinese report's or thesis's cover form: '姓  名   王玉杰'
            authors += [field.value] if field.names_author and is_person_name(field.value) else []
            continue
        if names_document_kind(line.plain):
            continue  # '毕 业 论 文' under the university's name: the kind of document, no names
        row_has_affiliation = any(_cell_kind(c) == "affiliation" for c in line.cells)
        grid_names: list[Cell] = []
        line_tails: list[tuple[Cell, str]] = []
        for cell in line.cells:
            if cell.x1 < column_x0:
                continue
            kind = _cell_kind(cell)
            tail_above = next((tail for above, tail in tails if min(cell.x1, above.x1) > max(cell.x0, above.x0)), "")
            if kind == "authors" and _named_beside_email(cell, line):
                pending.clear()  # JMLR: '<Name>      <NAME @ HOST . EDU>' starts the next author's block
            elif kind == "authors" and (_entry_above(cell, line, pending, spacing) is not None or _is_address_cell(cell)):
                kind = "affiliation"  # an address or a second line under an affiliation
            elif kind == "authors" and row_has_affiliation and len(line.cells) > 1:
                kind = "affiliation"  # a grid row: its neighbours are affiliations, so is this cell
            elif kind == "authors" and len(line.cells) > 1 and _under_a_name(cell, names_above):
                kind = "affiliation"  # '<ABCDE> <ABC>' under a name in a grid: what comes under a name is its affiliation
            if tail_above and _finishes_a_name(cell):
                kind = "authors"  # '..., Wei' / 'Dong': a name wrapped at its cell's end goes on under it
            if kind == "authors" and len(line.cells) > 1:
                grid_names.append(cell)
            names, rest = _leading_names(cell) if kind == "affiliation" else ([], "")
            if listed and not names and cell is line.cells[0]:
                name, rest = _listed_author(cell)  # '<Given Family>, <Organisation>', an author a line
                names = [name] if name else []
            if names:
                authors += names
                entries.append(rest)
                names_size = names_size or cell_size(cell)
            elif kind == "affiliation":
                _add_affiliation(cell, line, pending, entries, spacing)
            elif kind == "authors" and not corresponding:
                size = cell_size(cell)
                if names_size and size < names_size - in_force().names_smaller_pt:
                    continue
                named = len(authors)
                names_tail = add_authors(cell, authors, tail_above or names_tail)
                if len(authors) > named:  # a subtitle in a larger size names nobody: the names' size is the first name's
                    names_size = names_size or size
                line_tails += [(cell, names_tail)] if names_tail else []
                marks += [n for t, m in cell.parts if m for n in re.findall(r"\d+", t)]
        names_above, tails = grid_names, line_tails
    return authors, entries, max((_mark_value(n, len(entries)) for n in marks), default=0)


def _named_beside_email(cell: Cell, line: Line) -> bool:
    """A person's name first on a line whose other cell is an e-mail address (JMLR's author blocks)."""
    return cell is line.cells[0] and len(line.cells) == 2 and "@" in line.cells[1].plain and is_person_name(cell.plain.strip())


def _line_spacing(header: list[Line]) -> float:
    """The gap most of the header's lines leave below the line above (wide in a double-spaced
    manuscript): the median gap, when most gaps are within a tenth of it."""
    gaps = sorted(b.y0 - a.y1 for a, b in zip(header, header[1:], strict=False) if b.y0 > a.y1)
    if len(gaps) < 4:
        return 0.0
    median = gaps[len(gaps) // 2]
    return median if sum(abs(g - median) <= 0.1 * median for g in gaps) * 2 > len(gaps) else 0.0


def _finishes_a_name(cell: Cell) -> bool:
    """One capitalised word that names no organisation: a family name under its first name."""
    words = cell.plain.split()
    return len(words) == 1 and words[0][:1].isupper() and not inst.looks_like_affiliation(cell.plain)


def _under_a_name(cell: Cell, names_above: list[Cell]) -> bool:
    """An unmarked cell in capitals right under a name cell in ordinary case ('<ABCDE> <ABC>' under
    '<Given> <Family>'): a grid's affiliation. (Under a name, a name in the same case is the next name.)"""
    if any(is_marker for _, is_marker in cell.parts) or not _ALL_CAPS.match(cell.plain):
        return False
    return any(min(cell.x1, above.x1) - max(cell.x0, above.x0) > in_force().column_overlap * min(cell.x1 - cell.x0, above.x1 - above.x0)
               and not _ALL_CAPS.match(above.plain) for above in names_above)


_ALL_CAPS = re.compile(r"^[^a-z]*[A-Z]{2,}[^a-z]*$")


def _mark_value(mark: str, entries: int) -> int:
    """'12' beside a name is affiliations 1 and 2 when fewer than 12 entries are printed."""
    value = int(mark)
    return max(int(d) for d in mark) if value > max(entries, in_force().single_digit_marks) else value


def _is_address_cell(cell: Cell) -> bool:
    text = ORCID_RE.sub("", cell.plain)
    if "," in text and inst.is_place(text.rsplit(",", 1)[1]):
        return True  # '<Town>, <Country>'
    if re.fullmatch(r"[\d\s]*[\u4e00-\u9fff·]{2,5}[\d\s]*", text):  # '<student number> <Chinese name>': a student number and a name
        return False
    return bool(re.search(r"\d{4,}|\b[A-Z]{2}\s+\d{5}\b", text))


# '<Organisation>, <Town>, <Country> (e-mail: <address>)': IEEE prints each entry's addresses after it
_EMAIL_IN_BRACKETS = re.compile(r"\s*\((?:e-?mail|email)s?\s*:[^)]*\)?\s*$", re.I)


def _town_and_country(plain: str) -> bool:
    parts = [p.strip() for p in plain.split(",")]
    return 2 <= len(parts) <= 3 and inst.is_place(parts[-1]) and not any(inst.is_place(p) for p in parts[:-1])


_EMAIL_AFTER = re.compile(r"\s*[;,.]\s*(?:e-?mail:?\s*)?(?:\{[^{}]*\}|[^\s{}]+)@\S+$", re.I)  # '; <name>@<host>', '. {a, b}@<host>'


def _cell_kind(cell: Cell) -> str:
    plain = _EMAIL_IN_BRACKETS.sub("", cell.plain)
    if (bare := _EMAIL_AFTER.sub("", plain)) != plain and inst.looks_like_affiliation(bare):
        return "affiliation"  # MDPI: '<Unit>, <University>, <Town> <Code>, <Country>; <name>@<host>'
    if not plain or "@" in plain or "http" in plain.lower() or "www." in plain.lower() or DATE_RE.match(plain) \
            or FUNDING_RE.search(plain):
        return "other"
    if _RIGHTS.search(plain):
        return "other"  # '© The Author(s), under exclusive licence to <Publisher>, LLC': the publisher's line, no affiliation
    if inst.is_placeholder(plain) or _EDITOR.match(plain):
        return "other"  # 'No Institute Given' names no organisation; 'Editor: <Name>' (JMLR) is not an author
    lead = cell.parts[0][0].strip() if cell.parts else ""
    if lead[:1] in "*∗†‡§¶#" and _NOTE_RE.search(plain):
        return "other"
    if inst.looks_like_affiliation(plain) or _ACRONYM_FIRST.match(plain) or _ACRONYMS_ONLY.match(plain) or _town_and_country(plain):
        return "affiliation"  # '<Town>, <Country>' under an entry is its address, never a name
    if cell.parts and cell.parts[0][1] and not _NOTE_RE.search(plain):
        return "affiliation"  # '¹ <Subject> Superintendence': a numbered entry; names carry their marks after them
    if _NOTE_RE.search(plain):
        return "other"
    return "authors"


def _add_affiliation(cell: Cell, line: Line, pending: list[tuple[Cell, Line, int]], entries: list[str],
                     spacing: float = 0.0) -> None:
    """Split a cell at its markers; an unmarked cell right below another continues that entry."""
    pieces = _split_at_markers(cell)
    starts_with_marker = bool(cell.parts) and (cell.parts[0][1] or bool(_TEXT_MARKER.match(cell.parts[0][0])))
    above = _entry_above(cell, line, pending, spacing)
    if above is not None and pieces and _second_affiliation(entries[above], pieces[0]):
        above = None  # '<Town> National Laboratory' then '<Country> National University': two affiliations
    if above is not None and not starts_with_marker and pieces:  # text before the first marker ends the entry above
        entries[above] = _continue(entries[above], pieces[0], _run_on(pending, above))
        pending.append((cell, line, above))
        if len(pieces) == 1:
            return
        pieces = pieces[1:]
    entries.extend(p for p in pieces if p)
    pending.append((cell, line, len(entries) - 1))


def _second_affiliation(entry: str, more: str) -> bool:
    """A line under a complete organisation that is itself a whole university name, or opens with an
    organisation that is nobody's unit ('Tübingen AI Center, Germany' under '<Institute>, <ABBR>'),
    starts a second affiliation; under a unit, or after a trailing comma, it finishes the first."""
    first = more.split(",")[0].strip()
    opens_with_organisation = inst.stands_alone(first) and not _LOWER_WORD.search(first)  # not 'Compute sponsored by <Company>'
    if entry.rstrip().endswith(",") or not (_FULL_ORG.match(more.strip()) or opens_with_organisation):
        return False
    return any(inst.stands_alone(org) for org in inst.organisation_of(entry))


_LOWER_WORD = re.compile(r"\b(?!(?:of|and|for|the|de|di|du|des|la|le|der|und|für|at|in|on)\b)[a-z]{3,}")
_FULL_ORG = re.compile(r"^(?:The\s+)?(?:[A-Z][\w'’.-]+\s+){1,4}Universit(?:y|ät|é|à|at|ad|e)\b(?:\s+of\s+[A-Z].*)?$")


# '† Google Research': a note mark printed in the text font still starts a new entry
_TEXT_MARKER = re.compile(rf"^\s*(?:[*∗†‡§¶#{CIRCLED}]|\d{{1,2}}\s(?=[A-Z])|\d{{1,2}}[.)]\s+(?=[A-Z\u4e00-\u9fff])|"
                          r"[a-h](?=[A-Z][a-z]{2}))")  # '1. <Name>'; 'cHelen …': a letter's mark run into the name
_WRAPPED_HEAD = re.compile(
    r"^(?:(?:University|Universit\w+|Institute|Institut\w*|College|Academy|Laborator\w+|Lab|Inc|Ltd|Co|"
    r"Corporation|Company|Group|Hospital|Cent(?:er|re)|School|Foundation)\b)")
_FULL_UNIVERSITY = re.compile(r"^(?:The\s+)?Universit\w*\s+(?:of|de|di|degli|del|van|zu|zu\b)\s", re.I)
_OPEN_END = re.compile(r"\b(?:of|and|for|the|de|di|del|des|du|la|le|für|and the|&)$", re.I)


def _run_on(pending: list[tuple[Cell, Line, int]], index: int) -> bool:
    """Whether the entry's last line is a line of a run-on paragraph of entries broken inside a name
    ('..., Department of Radiology, Austin' / 'Health, <Town>, ...'): two commas or more in it, and
    none at its end. Stacked lines ('<Name> University' / '<Town>, <Country>') have a comma at most."""
    cell = next(c for c, _line, i in reversed(pending) if i == index)
    last = cell.plain.rsplit(",", 1)[-1]
    return cell.plain.count(",") >= 2 and not re.search(r"[,;.:)]\s*$", cell.plain) and not inst.is_place(last)


def _continue(entry: str, more: str, run_on: bool = False) -> str:
    """Join a wrapped line to its entry: '<Town> University of <Subject>' + 'and <Subject>' is one
    name, 'School of X, <Town>' + 'University' too; '<ABCDE>' + '<Town>' is an address; in a run-on
    paragraph a line ends inside a name ('Royal' + 'Adelaide Hospital, <Town>')."""
    last = re.split(r"[,;]", entry)[-1]
    if _names_one_organisation(last, more):
        return f"{entry} {more}"  # '... Texas Rio' + 'Grande Valley, <Town>': one name the registry knows, wrapped
    if _FULL_UNIVERSITY.match(more) and not _OPEN_END.search(entry):  # '…, The' + 'University of <Town>' is one name
        return f"{entry}, {more}"  # '<Subject> and <Subject>' + 'University of <Town>': a unit, then its university
    if run_on and re.match(r"[A-Z]", more):
        return f"{entry} {more}"
    if _OPEN_END.search(entry) or more[:1].islower() or (_WRAPPED_HEAD.match(more) and not inst.looks_like_affiliation(last)):
        return f"{entry} {more}"
    return f"{entry}, {more}"


_WHOLE_NAME_END = re.compile(r"\b(?:University|Universit\w+|Institute|College|Laboratory|Inc\.?)$")


def _names_one_organisation(last: str, more: str) -> bool:
    """Whether the end of one line and the start of the next are one organisation's name the
    registry knows, and the end of the line alone is none."""
    head, *rest = re.split(r"[,;]", more)
    head = head.strip()
    if not head or not last.strip() or not inst.has_organisation_word(last) or registry.identify(last.strip()) is not None:
        return False
    if _WHOLE_NAME_END.search(last.strip()) and rest and inst.is_place(rest[-1]):
        return False  # 'Purdue University' + 'West Lafayette, IN, USA': a whole name, then its town (ACM)
    return registry.identify(f"{last.strip()} {head}") is not None


def _entry_above(cell: Cell, line: Line, pending: list[tuple[Cell, Line, int]], spacing: float = 0.0) -> int | None:
    """The entry the cell continues: one close above it (within the header's own line spacing, where a
    manuscript is double-spaced), in its size, overlapping it."""
    rules = in_force()
    for other, other_line, index in reversed(pending):
        if other_line is line or index < 0:
            continue
        gap = line.y0 - other_line.y1
        close = 0 <= gap <= max(rules.entry_gap_sizes * max(line.size, other_line.size), 1.1 * spacing)
        close = close and abs(cell_size(cell) - cell_size(other)) <= rules.same_block_pt  # a larger line below starts a new block (names)
        overlap = min(cell.x1, other.x1) - max(cell.x0, other.x0)
        if close and overlap > rules.column_overlap * min(cell.x1 - cell.x0, other.x1 - other.x0):
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
    return [re.sub(r"\s+", " ", p).strip(" ,;，；") for p in out if p.strip(" ,;，；")]


def _split_inline_markers(text: str) -> list[str]:
    """'1 <Name> University 2 <Name> Inc.' printed without superscript fonts; a numbered list in
    brackets, as Chinese journals print it ('(1. <单位>, <城市> <邮编>; 2. <单位>, ...)', its ')' on a
    later line when the list wraps), the same."""
    text = re.sub(r"^[(（]\s*(?=\d{1,2}[.)．])(.*?)\s*[)）]?$", r"\1", re.sub(r"\s+", " ", text.strip()))
    parts = re.split(rf"(?:^|(?<=[\s,;，；]))(?:\d{{1,2}}|[*†‡§♮♯\]\\])\s?(?=[A-Z])|[{CIRCLED}]\s?"
                     rf"|(?:^|(?<=[,;]\s)|(?<=[，；]))\d{{1,2}}[.)．]\s*(?=[A-Z\u4e00-\u9fff])", text.strip())  # '1. ', '；2.'
    return [p for p in parts if p.strip(" ,;")]
