"""The title: the largest multi-word text near the top of page 1.

Mastheads and running headers are set large too, so a candidate line is passed over when the
page repeats it inside another line (a running header '<Journal Name> <volume> (<year>) <page>'), when
venue lines stand on both sides of it (a publisher's masthead box), or when it is a figure
caption. The PDF's own Title metadata is a tie-breaker only: it picks among candidates the page
itself offers, and is never printed unless the page agrees.
"""

from __future__ import annotations

import re
import unicodedata

from ..names.vocabulary import word_set
from ..rules import in_force
from .cover_form import form_field, names_document_kind, titled
from .layout import Line, main_size, text_cells

_VENUE_RE = re.compile(r"(journal|contents lists|homepage|proceedings|preprint|arxiv|under review|published as|conference)", re.I)
_CAPTION_RE = re.compile(r"^(fig\.|figure|table|图|表)\s*\d", re.I)
_CJK_RE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")


def is_multiword(text: str) -> bool:
    """Two words or more; in Chinese or Japanese, four characters or more."""
    return len(text.split()) >= 2 or len(_CJK_RE.findall(text)) >= in_force().cjk_multiword


def read_title(lines: list[Line], page_height: float, meta_title: str = "") -> tuple[str, int, int]:
    """The title text, the index of its first line and of the first line after it."""
    return explain_title(lines, page_height, meta_title)[:3]


def explain_title(lines: list[Line], page_height: float, meta_title: str = "") -> tuple[str, int, int, str]:
    """`read_title` and the rule that picked the title: the candidate the PDF's Title metadata
    agrees with, else the largest candidate (the first of that size)."""
    groups = [g for g in _title_groups(lines, page_height) if not _is_masthead(lines, g[0], g[1])
              and not names_document_kind(" ".join(ln.plain for ln in lines[g[0]:g[1]]))]
    if not groups:
        return "", 0, 0, "no-title-candidate"
    wanted = _fold(meta_title)
    if len(wanted) >= in_force().meta_title_min_chars:
        for start, end, _size in groups:
            if _agrees(_fold(_join(lines, start, end)), wanted):
                return _join(lines, start, end), start, end, "agrees-with-pdf-title"
    if labelled := _labelled_title(lines, page_height):
        start, end = labelled
        return _join(lines, start, end), start, end, "labelled-title"
    if (row := next((i for i, ln in enumerate(lines) if titled(ln)), None)) is not None:  # a cover form's '题 目' row
        return *_form_title(lines, row), "cover-form-title"
    size = max(g[2] for g in groups)
    start, end, _ = next(g for g in groups if abs(g[2] - size) < in_force().title_same_size_pt)
    end = _with_subtitle(lines, groups, end)
    if (cut := _without_translation(lines, start, end)) < end:  # the translation is read as neither title nor header
        return _join(lines, start, cut), start, end, "largest-text-without-translation"
    if unlabelled := _without_margin_labels(lines[start:end], meta_title):
        return unlabelled, start, end, "largest-text-without-margin-labels"
    return _join(lines, start, end), start, end, "largest-text"


def _form_title(lines: list[Line], row: int) -> tuple[str, int, int]:
    """A cover form's title, with the lines it wraps onto under its value ('题 目：<…>的旅行' / '时间预测')."""
    title, end = titled(lines[row]), row + 1
    while end < len(lines) and form_field(lines[end]) is None and len(lines[end].cells) == 1 \
            and _CJK_RE.search(lines[end].plain) and lines[end].y0 - lines[end - 1].y1 < 1.5 * main_size(lines[end - 1]):
        title += lines[end].plain.strip()
        end += 1
    return title, row, end


def _without_translation(lines: list[Line], start: int, end: int) -> int:
    """A Chinese title whose English translation follows it in the same size, from a line of its
    own on ('基于…研究' / 'Research on …'), ends where the translation starts; a title that runs
    from Chinese into English within a line is one title."""
    for i in range(start + 1, end):
        above, below = lines[start:i], lines[i:end]
        if all(_CJK_RE.search(ln.plain) for ln in above) and not any(_CJK_RE.search(ln.plain) for ln in below) \
                and len(_CJK_RE.findall(" ".join(ln.plain for ln in above))) >= 6 \
                and not re.search(r"[A-Za-z]{2,}\s*$", above[-1].plain):
            return i
    return end


def _with_subtitle(lines: list[Line], groups: list[tuple[int, int, float]], end: int) -> int:
    """The title's end, past a subtitle set smaller right under a title that ends with a colon
    ('… in Engineering Education:' / 'The Lack of a Common Evaluative Methodology')."""
    title_end = lines[end - 1].plain.rstrip()
    subtitle = next((g for g in groups if g[0] == end), None)
    if not title_end.endswith((":", "：")) or subtitle is None:
        return end
    gap = lines[end].y0 - lines[end - 1].y1
    return subtitle[1] if gap <= in_force().line_gap_sizes * main_size(lines[end - 1]) else end


_LABEL = re.compile(r"^\s*[A-Z][\w ]{0,24}[:：]")  # 'Author list:', 'Running title:', 'Keywords:'


def _labelled_title(lines: list[Line], page_height: float) -> tuple[int, int] | None:
    """A word-processed title page says which line is the title ('Title: <the title>', every line in
    one size): that line, and the unlabelled lines of its size that follow at the block's closest
    line pitch (a wider gap, as before the byline, ends the title)."""
    start = next((i for i, line in enumerate(lines) if _candidate(line, page_height) and _TITLE_LABEL.match(line.plain)), None)
    if start is None:
        return None
    pitches = [b.y0 - a.y0 for a, b in zip(lines[start:start + 4], lines[start + 1:start + 4], strict=False)]
    pitch = min((p for p in pitches if p > 0), default=0.0)
    end, size = start + 1, main_size(lines[start])
    while end < len(lines) and end - start < 4 and not _LABEL.match(lines[end].plain) \
            and abs(main_size(lines[end]) - size) < in_force().title_same_size_pt and lines[end].y0 - lines[end - 1].y0 <= 1.15 * pitch:
        end += 1
    return start, end


def _without_margin_labels(title_lines: list[Line], meta_title: str) -> str:
    """The title without the labels a journal sets in its size at the start of its lines ('OPEN',
    'Data Descriptor' beside a Nature-style title): every word of the PDF's Title metadata is printed
    in order, and the only other words (three at most) open a line. The page's words are printed."""
    wanted = [f for f in map(_fold, meta_title.split()) if f]
    if len(wanted) < in_force().labelled_title_min_words:
        return ""
    kept, labels, j = [], 0, 0
    for line in title_lines:
        opening = True
        for word in " ".join(c.plain for c in text_cells(line)).split():
            if j < len(wanted) and _fold(word) == wanted[j]:
                kept, j, opening = kept + [word], j + 1, False
            elif not _fold(word):
                kept.append(word)
            elif opening:
                labels += 1
            else:
                return ""
    return tidy_title(" ".join(kept)) if j == len(wanted) and 0 < labels <= in_force().title_label_max_words else ""


def _title_groups(lines: list[Line], page_height: float) -> list[tuple[int, int, float]]:
    """Runs of adjacent same-size lines in the top half that could be a title: (start, end, size)."""
    groups = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if not _candidate(line, page_height):
            i += 1
            continue
        size, end, past = main_size(line), i + 1, i + 1
        edge = min(s.x0 for s in line.spans)
        while past < len(lines):
            nxt, prev = lines[past], lines[end - 1]
            if all(s.x1 < edge for s in nxt.spans):  # a sidebar's line between two of the title's ('Cite this: …')
                past += 1
                continue
            if abs(main_size(nxt) - size) >= in_force().title_same_size_pt or nxt.y0 - prev.y1 > _gap_limit(nxt) * size:
                break
            end = past = past + 1
        groups.append((_first_title_line(lines, i, size, groups[-1][1] if groups else 0), end, size))
        i = end
    return groups


def _gap_limit(nxt: Line) -> float:
    """The widest gap, in font sizes, over which `nxt` still belongs to the title: twice the usual
    where it starts with a word no title starts with ('with Gold-Standard Items' in a manuscript
    typed double-spaced)."""
    words = nxt.plain.split()
    runs_on = bool(words) and words[0] in word_set("title_cut_starts")
    return in_force().line_gap_sizes * (2 if runs_on else 1)


def _first_title_line(lines: list[Line], start: int, size: float, floor: int) -> int:
    """A title's first line may hold one word ('Lanterns' over 'for Sparse Routing', 'Latency-'
    over 'aware Routing'): a line set in the title's size just above its first candidate line
    belongs to it, so the title is not read from its second line on."""
    while start > floor:
        above, below = lines[start - 1], lines[start]
        if (abs(main_size(above) - size) >= in_force().title_same_size_pt or below.y0 - above.y1 > in_force().line_gap_sizes * size
                or _VENUE_RE.search(above.plain) or sum(ch.isalpha() for ch in above.plain) < in_force().title_min_letters):
            break
        start -= 1
    return start


def cut_title(title: str) -> str:
    """Why a title reads as cut at a line break ('... using P4-', '... Routing of', 'based
    Switches ...'), or '' when it reads whole. The decision between two readings can tell a cut
    title from this; the rules' confidence in the title says it."""
    words = title.split()
    if not words:
        return ""
    if title.rstrip().endswith(("-", "‐", ":", ",")):
        return f"ends with '{title.rstrip()[-1]}'"
    if len(words) > 1 and words[-1].lower() in word_set("title_open_ends"):
        return f"ends with '{words[-1]}'"
    if words[0] in word_set("title_cut_starts"):  # in lower case: a title's first word is capitalised unless it is a name ('egg', 'ghOSt')
        return f"starts with '{words[0]}'"
    return ""


def _candidate(line: Line, page_height: float) -> bool:
    plain = line.plain
    return (
        line.y0 < in_force().top_share * page_height and is_multiword(plain) and not _VENUE_RE.search(plain)
        and not _CAPTION_RE.match(plain) and sum(ch.isalpha() for ch in plain) >= in_force().title_min_letters
        and not _is_page_head(line) and not _STAMP.search(plain)
    )


_STAMP = re.compile(r"©|\bhttps?://")  # '© 1996 <Publisher> http://…': a scan's stamp, the only text on its page


def _is_page_head(line: Line) -> bool:
    """'SHORT TITLE IN CAPITALS      1': a manuscript's running head (APA), its page number a cell of its own."""
    cells = line.cells
    return len(cells) >= 2 and cells[-1].plain.strip().isdigit() and " ".join(c.plain for c in cells[:-1]).isupper()


def _is_masthead(lines: list[Line], start: int, end: int) -> bool:
    """A journal name: repeated inside another line of the page, or boxed by venue lines."""
    rules = in_force()
    text = _fold(" ".join(ln.plain for ln in lines[start:end]))
    if len(text) >= rules.masthead_min_chars and any(text in _fold(ln.plain) and len(_fold(ln.plain)) > len(text)
                                                     and not _CITE_AS.search(ln.plain) for ln in lines[:start]):
        return True
    above = start > 0 and bool(_VENUE_RE.search(lines[start - 1].plain))
    below = end < len(lines) and bool(_VENUE_RE.search(lines[end].plain))
    return (above and below) or (end < len(lines) and bool(_ARTICLE_TYPE.match(lines[end].plain)))


# 'Cite this article as: <authors>. <Title>[J]. <Journal>': a line that repeats the title, not a journal's name
_CITE_AS = re.compile(r"引用格式|引用本文|\[J\]|\bcite (?:this|as)\b|\bto cite\b|\bcitation:", re.I)
# an article type set alone under the journal's name and above the title (MDPI: 'remote sensing' / 'Letter')
_ARTICLE_TYPE = re.compile(r"^\s*(?:article|letter|review|communication|technical note|brief report)\s*$", re.I)


def _agrees(found: str, wanted: str) -> bool:
    short, long_ = sorted((found, wanted), key=len)
    return bool(short) and short in long_ and len(short) >= in_force().agrees_share * len(long_)


def _join(lines: list[Line], start: int, end: int) -> str:
    title_lines = lines[start:end]
    edge = _title_edge(title_lines)
    title_lines = [ln for ln in title_lines if any(s.x1 >= edge for s in ln.spans)]  # not a sidebar's line between them
    return tidy_title(" ".join(titled(ln) or _without_label(" ".join(c.plain for c in text_cells(ln)), ln, edge) for ln in title_lines))


def _title_edge(title_lines: list[Line]) -> float:
    """Where the title's own words start: the leftmost span set in the title's size."""
    size = max((main_size(ln) for ln in title_lines), default=0.0)
    return min((s.x0 for ln in title_lines for s in ln.spans if abs(s.size - size) < in_force().title_same_size_pt), default=0.0)


def _without_label(text: str, line: Line, edge: float) -> str:
    """A line of the title without the label a journal sets at its start, smaller and left of the
    title's column ('OPEN', 'Data Descriptor' beside a Nature-style title). A small-capitals title's
    larger initials are no label."""
    size = main_size(line)
    label = ""
    for span in sorted(line.spans, key=lambda s: s.x0):
        if span.x1 > edge + 1 or span.size > size - in_force().title_same_size_pt:
            break
        label = f"{label} {span.text}"
    label = label.strip()
    return text[len(label):].strip() if label and text.startswith(label + " ") else text


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"[\W_]+", "", text.casefold())


_TITLE_LABEL = re.compile(r"^(?:(?:full|article|manuscript|paper)\s+)?title\s*[:：]\s*(?=\S)|^(?:题目|标题|论文题目)\s*[:：]\s*", re.I)


def tidy_title(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    text = _TITLE_LABEL.sub("", text)  # a manuscript's form: 'Title: <the title>'
    text = re.sub(r"\s*[*∗†‡]+$", "", text)
    text = re.sub(r"\s+([:,;?!：])", r"\1", text)
    text = re.sub(r"(?<=[\u3400-\u9fff，：])\s+(?=[\u3400-\u9fff])", "", text)  # CJK lines join without a space
    return re.sub(r"(\w)- (\w)", r"\1-\2", text)
