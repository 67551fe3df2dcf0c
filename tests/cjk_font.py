"""An embedded CJK font for the fixture PDFs, so a sample reads the same on every machine.

reportlab's built-in CJK font (STSong-Light) is not embedded: PDFium lays its glyphs out with
whatever CJK font the reading machine has, if any, and the header block read from the page then
differs between machines. The fixtures embed Noto Serif SC instead (SIL Open Font License 1.1,
shipped by the `pylopdf-fonts-zh-cn` package of the test extra). reportlab embeds only TrueType
outlines, and Noto's are CFF: the characters a page needs are cut out of the font with fontTools
and their outlines converted to quadratic curves; reportlab then embeds the subset it draws.
"""

from __future__ import annotations

import functools
import hashlib
import io
from typing import Iterable

NON_EMBEDDED = "STSong-Light"  # reportlab's built-in CID font: the reading depends on the machine's fonts
CONVERT_TOLERANCE = 1.0  # font units: how far a quadratic outline may stray from the cubic one


def is_cjk(text: str) -> bool:
    return any("\u3000" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef" for ch in text)


def cjk_font(texts: Iterable[str]) -> str:
    """The name of a registered, embedded reportlab font that draws every character of `texts`."""
    return _registered("".join(sorted(set("".join(texts)) | {" "})))


@functools.lru_cache(maxsize=64)
def _registered(characters: str) -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    name = "NotoSerifSC-" + hashlib.sha256(characters.encode("utf-8")).hexdigest()[:8]
    pdfmetrics.registerFont(TTFont(name, io.BytesIO(_truetype_subset(characters, name))))
    return name


def _truetype_subset(characters: str, name: str) -> bytes:
    """Noto Serif SC cut to `characters`, its CFF outlines converted to TrueType ones, under its
    own PostScript name (reportlab tells the fonts of a document apart by that name)."""
    from fontTools import subset
    from fontTools.ttLib import TTFont
    from pylopdf_fonts_zh_cn import serif_path

    font = TTFont(str(serif_path()), lazy=True, recalcTimestamp=False)  # the same bytes every time
    options = subset.Options()
    options.layout_features, options.hinting, options.desubroutinize = [], False, True
    options.notdef_outline, options.name_IDs = True, ["*"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=characters)
    subsetter.subset(font)
    _cff_to_glyf(font)
    for record in font["name"].names:
        if record.nameID == 6:  # the PostScript name
            record.string = name
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def _cff_to_glyf(font) -> None:
    """Replace the font's CFF outlines by TrueType (quadratic) ones, in place."""
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import newTable

    order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder, glyf.glyphs = order, {}
    for name in order:
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, CONVERT_TOLERANCE, reverse_direction=True))
        glyf.glyphs[name] = pen.glyph()
    font["loca"], font["glyf"] = newTable("loca"), glyf
    for table in ("CFF ", "VORG"):
        if table in font:
            del font[table]
    glyf.compile(font)
    font["maxp"] = _truetype_maxp(len(order))
    font["post"].formatType = 3.0  # no glyph names: TrueType fonts need none
    font.sfntVersion = "\x00\x01\x00\x00"


def _truetype_maxp(glyphs: int):
    from fontTools.ttLib import newTable

    maxp = newTable("maxp")
    maxp.tableVersion = 0x00010000
    maxp.numGlyphs = glyphs
    maxp.maxZones = 1
    for name in ("maxPoints", "maxContours", "maxCompositePoints", "maxCompositeContours", "maxTwilightPoints",
                 "maxStorage", "maxFunctionDefs", "maxInstructionDefs", "maxStackElements", "maxSizeOfInstructions",
                 "maxComponentElements", "maxComponentDepth"):
        setattr(maxp, name, 0)
    return maxp
