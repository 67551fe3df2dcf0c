"""One diff of two briefs, rendered for the terminal (rerun) and for HTML (compare).

Briefs are Chinese sentences with Latin names inside, so the diff works on characters: a word
diff would treat a whole Chinese clause as one word.
"""

from __future__ import annotations

import difflib
import re
import shutil
import unicodedata

from pydantic import BaseModel

from ..models import PaperResult


class Piece(BaseModel):
    """A run of text that is the same in both briefs, only in the old one, or only in the new one."""

    text: str
    kind: str  # "same" | "old" | "new"


def pieces(old: str, new: str) -> list[Piece]:
    """The character-level differences between two texts, in reading order."""
    out: list[Piece] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(Piece(text=old[i1:i2], kind="same"))
        if op in ("delete", "replace"):
            out.append(Piece(text=old[i1:i2], kind="old"))
        if op in ("insert", "replace"):
            out.append(Piece(text=new[j1:j2], kind="new"))
    return out


ALIKE = 0.35  # two briefs at least this alike (difflib's ratio) are shown as a character diff; two
# briefs of one paper in the brief's format score about 0.5, unrelated answers near 0
DIFF_LIMIT = 600  # characters: the longest brief the checks pass; a longer text is an answer gone astray


def alike(a: str, b: str) -> bool:
    """Whether a character diff of two briefs is worth reading: both short, mostly the same.
    Between two unrelated long answers it is a strike-through soup, so they are shown plainly."""
    if not a or not b or max(len(a), len(b)) > DIFF_LIMIT:
        return False
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio() >= ALIKE


def marked(old: str, new: str) -> str:
    """Terminal rendering: removed text as [-old-], added text as {+new+}."""
    if old == new:
        return "(unchanged)"
    wrap = {"same": "{}", "old": "[-{}-]", "new": "{{+{}+}}"}
    return "".join(wrap[p.kind].format(p.text) for p in pieces(old, new))


def side_by_side(old: PaperResult | None, new: PaperResult | None, width: int | None = None) -> str:
    """Old and new brief in two columns with their check results, then the changes marked."""
    width = width or shutil.get_terminal_size((120, 24)).columns
    column = max(24, (width - 3) // 2)
    left, right = _block("old", old, column), _block("new", new, column)
    rows = [f"{_pad(a, column)} │ {b}" for a, b in zip(left + [""] * (len(right) - len(left)),
                                                      right + [""] * (len(left) - len(right)), strict=False)]
    a = old.brief.text if old and old.brief else ""
    b = new.brief.text if new and new.brief else ""
    if a == b or alike(a, b):
        rows.append("diff: " + " ".join(marked(a, b).split()))  # on one line, the answer's breaks as spaces
    else:
        rows.append("diff: (the two answers differ throughout; both are shown above)")
    return "\n".join(rows)


def two_texts(left: tuple[str, str], right: tuple[str, str], width: int | None = None) -> str:
    """Two briefs (each a label and its text) in two columns, then the changes marked: a golden
    report's brief beside the one replayed today."""
    width = width or shutil.get_terminal_size((120, 24)).columns
    column = max(24, (width - 3) // 2)
    a, b = [f"{left[0]}", *_wrap(left[1], column)], [f"{right[0]}", *_wrap(right[1], column)]
    rows = [f"{_pad(x, column)} │ {y}" for x, y in zip(a + [""] * (len(b) - len(a)), b + [""] * (len(a) - len(b)),
                                                      strict=False)]
    if alike(left[1], right[1]):
        rows.append("diff: " + " ".join(marked(left[1], right[1]).split()))
    return "\n".join(rows)


def _block(label: str, result: PaperResult | None, column: int) -> list[str]:
    if result is None:
        return [f"{label}: (not in the report)"]
    brief = result.brief
    if brief is None:
        return [f"{label}: FAILED", *_wrap(result.error, column)]
    checks = " ".join(f"{c.name}:{'ok' if c.ok else 'FAIL'}" for c in brief.checks)
    return [f"{label} [{brief.prompt_id} v{brief.prompt_version} {brief.fingerprint}]",
            *_wrap(brief.text, column), "", *_wrap(f"checks: {checks}", column)]


def _display_width(text: str) -> int:
    """Terminal columns a string takes: CJK characters are two wide."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


_PIECE = re.compile(r"[^\s\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]+|\s|.", re.S)


def _wrap(text: str, width: int) -> list[str]:
    """Lines of at most `width` columns: the answer's own line breaks kept, breaks between words
    (a Latin word is never cut unless it is wider than a line), CJK text broken anywhere."""
    lines: list[str] = []
    for paragraph in text.replace("\r\n", "\n").split("\n"):
        current = ""
        for piece in _PIECE.findall(paragraph.expandtabs(4)):
            if _display_width(current + piece) > width and current.strip():
                lines.append(current.rstrip())
                current = ""
                if piece.isspace():
                    continue
            while _display_width(piece) > width:  # a word wider than the column: cut it, no other way
                cut = _fit(piece, width)
                lines.append(cut)
                piece = piece[len(cut):]
            current += piece
        lines.append(current.rstrip())
    while lines and not lines[-1]:
        lines.pop()
    return lines


def _fit(text: str, width: int) -> str:
    """The longest start of `text` that fits in `width` columns (one character at least)."""
    out = ""
    for ch in text:
        if _display_width(out + ch) > width and out:
            break
        out += ch
    return out


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _display_width(text))
