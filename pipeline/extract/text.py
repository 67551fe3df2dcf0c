"""Pure string repairs shared by the PDF reader and the layout stage (no PDF library here)."""

from __future__ import annotations

import re
import unicodedata

# LaTeX's accents over a letter often extract as a spacing accent beside it ('Universita`'), or as
# a run of their own with a gap inside the word ('Jer´ ome'): the accent goes back onto a letter.
SPACING_ACCENTS = {"`": "\u0300", "´": "\u0301", "ˆ": "\u0302", "˜": "\u0303", "¨": "\u0308", "¸": "\u0327", "˚": "\u030a",
                   "˘": "\u0306", "ˇ": "\u030c", "˙": "\u0307", "˝": "\u030b", "˛": "\u0328"}  # Romanian, Czech, Polish, Hungarian
_MARKS = "".join(SPACING_ACCENTS)
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


# -- valid Unicode at the boundary ----------------------------------------------------------------
# PDFium hands characters outside the Basic Multilingual Plane to Python as two UTF-16 halves, an
# answer's JSON may escape a lone half ("\ud835"), and a file name that is not UTF-8 arrives as
# surrogate escapes: none of them can be encoded, so every such string is made valid here first.

_PAIR = re.compile(r"[\ud800-\udbff][\udc00-\udfff]")
_NONCHARACTERS = "\ufdd0-\ufdef\ufffe\uffff" + "".join(f"\\U{plane:04x}fffe\\U{plane:04x}ffff" for plane in range(1, 17))
_UNENCODABLE = re.compile(f"[\\ud800-\\udfff{_NONCHARACTERS}]")  # lone surrogates (pairs are joined first), non-characters
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # tab, line feed and carriage return stay
REPLACEMENT = "\ufffd"


def valid_unicode(text: str) -> str:
    """Text any encoder takes: UTF-16 surrogate pairs joined into their character, lone surrogates
    and non-characters replaced by U+FFFD, NUL and other control characters dropped (line breaks
    and tabs kept). Everything else, bidi and zero-width characters included, is left as printed."""
    if text.isascii():
        return _CONTROLS.sub("", text) if not text.isprintable() else text
    text = _PAIR.sub(_joined, text)
    return _CONTROLS.sub("", _UNENCODABLE.sub(REPLACEMENT, text))


def _joined(pair: re.Match) -> str:
    high, low = pair.group(0)
    return chr(0x10000 + ((ord(high) - 0xD800) << 10) + (ord(low) - 0xDC00))


def readable_name(name: str) -> str:
    """A file name for display and storage: bytes that are not UTF-8 (a GBK name from a zip made on
    Chinese Windows, which Python hands over as surrogate escapes) become U+FFFD. The path itself
    is kept for reading."""
    try:
        raw = name.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a surrogate that is no escaped byte
        return valid_unicode(name)
    return valid_unicode(raw.decode("utf-8", "replace"))


def for_matching(text: str) -> str:
    """The form names are compared in: compatibility forms folded to plain letters (mathematical
    alphanumerics, full-width letters, ligatures: '𝐺raph' is 'Graph'). For matching only; the
    published text keeps what the page prints."""
    return unicodedata.normalize("NFKC", text) if not text.isascii() else text


# -- JSON nesting ----------------------------------------------------------------------------------
MAX_JSON_DEPTH = 32  # deeper than any real answer or completion body; Python's decoder recurses per level
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)


def json_depth(text: str) -> int:
    """How deep the brackets of a JSON text nest, strings left out (a linear scan, no recursion)."""
    depth = deepest = 0
    for bracket in re.findall(r"[\[\]{}]", _JSON_STRING.sub("", text)):
        depth = depth + 1 if bracket in "[{" else max(depth - 1, 0)
        deepest = max(deepest, depth)
    return deepest
