"""Pure string repairs shared by the PDF reader and the layout stage (no PDF library here)."""

from __future__ import annotations

import re
import unicodedata

# LaTeX's accents over a letter often extract as a spacing accent beside it ('Universita`'), or as
# a run of their own with a gap inside the word ('Jer´ ome'): the accent goes back onto a letter.
SPACING_ACCENTS = {"`": "\u0300", "´": "\u0301", "ˆ": "\u0302", "˜": "\u0303", "¨": "\u0308", "¸": "\u0327", "˚": "\u030a"}
_MARKS = "`´ˆ˜¨¸˚"
_ACCENT_GAP = re.compile(rf"(?<=[B-DF-HJ-NP-TV-Zb-df-hj-np-tv-z])([{_MARKS}]) (?=[a-z])")  # after a consonant: no word ends here
_ACCENT_INSIDE = re.compile(rf"([A-Za-z])([{_MARKS}])(?=[a-z])")
_ACCENT_AFTER = re.compile(rf"(?<=[A-Za-z])([{_MARKS}])(?![A-Za-z])")
_ACCENT_BEFORE = re.compile(rf"(?<![A-Za-z])([{_MARKS}])([A-Za-z])")


def join_spacing_accents(text: str) -> str:
    """'Universita`' -> 'Università', 'Jer´ ome' -> 'Jeŕome' (the word whole, the accent near its letter)."""
    if not any(mark in text for mark in SPACING_ACCENTS):
        return text
    text = _ACCENT_GAP.sub(r"\1", text)
    text = _ACCENT_INSIDE.sub(lambda m: m.group(1) + SPACING_ACCENTS[m.group(2)], text)
    text = _ACCENT_BEFORE.sub(lambda m: m.group(2) + SPACING_ACCENTS[m.group(1)], text)
    text = _ACCENT_AFTER.sub(lambda m: SPACING_ACCENTS[m.group(1)], text)
    return unicodedata.normalize("NFC", text)
