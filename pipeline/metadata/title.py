"""The title: the largest multi-word text near the top of page 1."""

from __future__ import annotations

import re

from .layout import Line, main_size

_VENUE_RE = re.compile(r"(journal|contents lists|homepage|proceedings|preprint|arxiv|under review|published as|conference)", re.I)


def read_title(lines: list[Line], page_height: float) -> tuple[str, int]:
    """The largest multi-word text in the top half; adjacent lines of the same size join it."""
    candidates = [
        (i, ln) for i, ln in enumerate(lines)
        if ln.y0 < 0.5 * page_height and len(ln.plain.split()) >= 2 and not _VENUE_RE.search(ln.plain)
        and sum(ch.isalpha() for ch in ln.plain) >= 4
    ]
    if not candidates:
        return "", 0
    size = max(main_size(ln) for _, ln in candidates)
    start = next(i for i, ln in candidates if abs(main_size(ln) - size) < 0.5)
    parts, end = [lines[start].plain], start + 1
    while end < len(lines):
        nxt, prev = lines[end], lines[end - 1]
        if abs(main_size(nxt) - size) >= 0.5 or nxt.y0 - prev.y1 > 1.2 * size:
            break
        parts.append(nxt.plain)
        end += 1
    return _tidy_title(" ".join(parts)), end


def _tidy_title(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"\s*[*∗†‡]+$", "", text)
    text = re.sub(r"\s+([:,;?!])", r"\1", text)
    return re.sub(r"(\w)- (\w)", r"\1-\2", text)
