"""Stage 1, extract: PDF file -> Document. The only module that imports the PDF library.

pypdfium2 (BSD/Apache) is the fastest permissive reader measured here and exposes per-character
font size and box. Only the pages the later stages need are opened, so a 1,000-page PDF costs
the same as a 10-page one.
"""

from __future__ import annotations

import ctypes
import functools
import math
import re
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as raw

from ..models import Document, Span
from ..rules import in_force
from . import page_text as page_texts
from .inputs import PdfError, check_header, file_sha256, pdfium_cause
from .page_text import BODY_START, LINE_HYPHEN, SOFT_HYPHENS, accent_letter, clean, is_cover_sheet, page_text, rejoin_broken_words, seen
from .text import SPACING_ACCENTS

TEXT_PAGES = 2  # page 1 holds title/authors/abstract; page 2 catches a spilled abstract and the intro
_NEWLINES = {"\r", "\n"}


def extract(path: str | Path, text_pages: int = TEXT_PAGES) -> Document:
    """Read the first pages' text and page 1's font-annotated spans."""
    path = Path(path)
    check_header(path)
    sha = file_sha256(path)
    try:
        pdf = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        raise PdfError(pdfium_cause(str(exc))) from None
    try:
        count = len(pdf)
        if count == 0:
            raise PdfError("the PDF has no pages")
        try:
            first = pdf[0]
        except pdfium.PdfiumError:  # e.g. a page tree nested deeper than PDFium follows
            raise PdfError("damaged PDF (page 1 cannot be loaded)") from None
        textpage = first.get_textpage()
        raw_text = textpage.get_text_range()
        start = 0
        if count > 1 and is_cover_sheet(raw_text):
            behind = _page_behind_cover(pdf)
            if behind is not None:
                textpage.close()
                first.close()
                first, textpage, raw_text, start = *behind, 1
        width, height = first.get_size()
        spans, body = _spans(textpage, height, raw_text, _crop_origin(first))
        texts = [page_text(raw_text)]
        textpage.close()
        first.close()
        # page 2 holds a spilled abstract or the introduction's start; skip it when page 1 has both
        if count > 1 and text_pages > 1 and not BODY_START.search(raw_text.replace("\r\n", "\n")):
            for index in range(start + 1, min(start + text_pages, count)):
                try:
                    page = pdf[index]
                except pdfium.PdfiumError:
                    break  # page 1 was read; a damaged page 2 only loses the spilled text
                textpage = page.get_textpage()
                texts.append(page_text(textpage.get_text_range()))
                textpage.close()
                page.close()
        if cause := page_texts.unreadable(texts):
            raise PdfError(cause)
        return Document(
            path=str(path), sha256=sha, page_count=count, page_width=width,
            page_height=height, pages=texts, spans=spans, meta_title=_meta_title(pdf), body_size=body,
        )
    finally:
        pdf.close()


def _page_behind_cover(pdf: "pdfium.PdfDocument") -> tuple | None:
    """Page 2 opened as the paper's page 1 (page, text page, text); None when it cannot be loaded
    or is blank, and page 1 is read as it is."""
    try:
        page = pdf[1]
    except pdfium.PdfiumError:
        return None
    textpage = page.get_textpage()
    text = textpage.get_text_range()
    if not text.strip():
        textpage.close()
        page.close()
        return None
    return page, textpage, text


def _meta_title(pdf: "pdfium.PdfDocument") -> str:
    """The Info dictionary's Title: often a file name or a template default, so only a hint."""
    try:
        size = raw.FPDF_GetMetaText(pdf, b"Title\x00", None, 0)
        if size <= 2:
            return ""
        buffer = ctypes.create_string_buffer(size)
        raw.FPDF_GetMetaText(pdf, b"Title\x00", buffer, size)
        # UTF-16 as PDFium gives it: a lone half (a damaged Info string) is kept for _clean to replace
        return clean(buffer.raw[: size - 2].decode("utf-16-le", "surrogatepass")).strip()
    except (pdfium.PdfiumError, UnicodeDecodeError, ValueError, ctypes.ArgumentError):
        return ""


BODY_STEP = 12  # characters skipped at a time through body text that is not read
MAX_SPAN_CHARS = 2000  # a run of text longer than any header line: the rest of its line is stepped over
_LINE_END = re.compile(r"[\r\n]")


def _crop_origin(page: "pdfium.PdfPage") -> tuple[float, float]:
    """(left, top) of the visible page in character coordinates: a page with crop marks shows a crop
    box inside a larger media box, whose coordinates the character boxes are in."""
    left, _bottom, _right, top = page.get_bbox()  # crop box within media box, inherited boxes too
    return float(left), float(top)


def _spans(textpage: "pdfium.PdfTextPage", page_height: float, text: str,
           origin: tuple[float, float] | None = None) -> tuple[list[Span], float]:
    """Group page characters into same-size runs on one line, top-left origin of the visible page
    (`origin`, the crop box's top-left corner); also the body text's font size when it was
    measured (its text is stepped over, so the spans cannot tell). Everything before the first
    section heading is kept (title, authors, affiliations, abstract); after it only the foot of
    the page is (IEEE and ICML print affiliations there): most body text costs one call a character."""
    calls = _CharCalls(textpage)
    get_unicode, get_size, get_box, get_angle, get_matrix = calls.unicode, calls.size, calls.box, calls.angle, calls.matrix
    left, right, bottom, top = calls.left, calls.right, calls.bottom, calls.top
    out_left, out_right, out_bottom, out_top, out_matrix = calls.out
    matrix = calls.matrix_value
    spans: list[tuple[Span, bool]] = []  # each run, and whether a reader can see it (see page_text.seen)
    chars: list[str] = []
    lefts: list[float] = []  # x0 of each character in `chars`, to put a spacing accent back on its letter
    after_accent = False
    box = [0.0, 0.0, 0.0, 0.0]
    size = 0.0
    last_x0 = last_x1 = 0.0
    last_raw, scale = -1.0, 1.0
    handle = calls.handle
    count = textpage.count_chars()
    same_length = len(text) == count  # then text[i] is character i, one call fewer per character
    heading = BODY_START.search(text)
    body_from = count
    if heading:  # the text's index maps to the character's (PDFium adds line breaks of its own)
        body_from = heading.start() if same_length else raw.FPDFText_GetCharIndexFromTextIndex(textpage.raw, heading.start())
        body_from = body_from if body_from >= 0 else count
    foot_from = page_height * in_force().foot_band
    top_read = page_height  # the topmost line read before the body: a line drawn later above it is header text
    head_band = page_height * in_force().running_head_band
    body_raw: float | None = None
    samples: list[float] = []
    drawn: list[float] = []  # sampled sizes of a size-1 font, as the text matrix draws them
    text_object = _text_object_function()
    last_object, unseen, run_unseen = None, False, False

    left_edge, top_edge = origin or (0.0, page_height)
    substitutes = _Substitutes(textpage, top_edge)
    run_start = run_last = 0  # the indexes of the current run's first and last (non-space) characters

    def flush() -> None:
        text = clean("".join(chars)).strip()  # cleaned first: a dropped control character leaves no edge space
        if text:
            x0, y0, x1, y1 = substitutes.box(run_start, run_last, size) or box
            spans.append((Span(text=text, size=round(size, 2), x0=x0 - left_edge, y0=y0, x1=x1 - left_edge, y1=y1), run_unseen))
        chars.clear()
        lefts.clear()

    index = -1
    while index + 1 < count:
        index += 1
        char = text[index] if same_length else chr(get_unicode(handle, index))
        if char in _NEWLINES:
            flush()
            continue
        if char in SOFT_HYPHENS:
            if chars and chars[-1].isalpha():
                chars.append(LINE_HYPHEN)  # a word broken at the line's end (if the next character is on the next line)
                lefts.append(last_x1)  # each character keeps its x0: an accent after it finds its letter by index
            continue
        if len(chars) >= MAX_SPAN_CHARS:  # no header line is this long: the rest of the line is not read
            if same_length:  # straight to the line's end (a megabyte on one line costs no per-character calls)
                end = _LINE_END.search(text, index)
                index = end.start() - 1 if end else count - 1
            continue
        get_box(handle, index, out_left, out_right, out_bottom, out_top)
        y0, y1 = top_edge - top.value, top_edge - bottom.value
        if index < body_from:
            if y0 > head_band:  # a running head set above everything is no sign of where the header was drawn
                top_read = min(top_read, y0)
        elif top_read <= y1 and y0 < foot_from:
            if chars:
                flush()
            # body text above the foot band: step over it a few characters at a time while the
            # character landed on is body text too (a note is longer than the step). A page whose
            # title and byline are drawn after its body (Word's) has them above all it read first
            while index + BODY_STEP < count:
                get_box(handle, index + BODY_STEP, out_left, out_right, out_bottom, out_top)
                if top_edge - top.value >= foot_from or top_edge - bottom.value < top_read:
                    break
                index += BODY_STEP
                if body_raw is None:  # the body's font size (the commonest of a few landings), to know its lines in the foot band
                    samples.append(get_size(handle, index))
                    if samples[-1] < 3.0:  # a size-1 font scaled by the text matrix (IEEE Xplore): the size as drawn
                        get_matrix(handle, index, out_matrix)
                        drawn.append(samples[-1] * (math.hypot(matrix.c, matrix.d) or 1.0))
                    if len(samples) >= in_force().body_samples:
                        body_raw = max(set(samples), key=samples.count)
            continue
        raw_size = -1.0  # not read yet
        # (size-1 fonts scaled by the matrix all share one raw size: no skipping for them)
        if index >= body_from and body_raw is not None and body_raw >= 3.0:
            raw_size = get_size(handle, index)
        if raw_size == body_raw:
            if chars:
                flush()
            # a body line inside the foot band: notes are set smaller, so step while the
            # character landed on is still in the body's size (or back above the band)
            while index + BODY_STEP < count:
                get_box(handle, index + BODY_STEP, out_left, out_right, out_bottom, out_top)
                if top_edge - top.value >= foot_from and get_size(handle, index + BODY_STEP) != body_raw:
                    break
                index += BODY_STEP
            continue
        x0, x1 = left.value, right.value
        if char in SPACING_ACCENTS:  # drawn over a letter already read: put it back on that letter
            after_accent = accent_letter(chars, lefts, char, (x0 + x1) / 2, size)
            continue
        if char == " " and chars:
            if after_accent:  # PDFium's gap after a backward-placed accent; a real space shows as a gap below
                continue
            chars.append(char)
            lefts.append(x0)
            continue
        if chars and chars[-1] == " " and x0 - last_x1 > 0.45 * size:
            chars.append(" ")  # a gap of two spaces or more: kept, it separates names on author lines
            lefts.append(last_x1)
        if after_accent:
            after_accent = False
            if chars and chars[-1] != " " and x0 - last_x1 > 0.2 * size:
                chars.append(" ")
                lefts.append(last_x1)
        if raw_size < 0:
            raw_size = get_size(handle, index)
        jump = not chars or x0 < last_x0 - 1 or x0 - last_x1 > 1.2 * (size if size > 1 else 1)
        if jump or raw_size != last_raw or raw_size < 3.0:
            # the text matrix scales the font (size-1 fonts in Nature and IEEE Xplore, scaled figures);
            # read where a run may start, and reused inside a run, where it cannot change the size
            get_matrix(handle, index, out_matrix)
            scale = math.hypot(matrix.c, matrix.d) or 1.0
            last_raw = raw_size
        char_size = raw_size * scale
        obj = text_object(handle, index)
        if obj != last_object:  # one text object, one colour and render mode: asked once per object
            last_object, unseen = obj, _unseen(obj)
        new_run = jump or abs(char_size - size) > 0.6 or (unseen or char_size < in_force().tiny_text_pt) != run_unseen
        if new_run:
            flush()
            if get_angle(handle, index) > 0.01:  # rotated text: arXiv side stamps, margin notes
                continue
            run_unseen = unseen or char_size < in_force().tiny_text_pt
            size = char_size
            box = [x0, y0, x1, y1]
            run_start = index
            last_x1 = x1
        else:
            if y0 < box[1]:
                box[1] = y0
            if x1 > box[2]:
                box[2] = x1
            if y1 > box[3]:
                box[3] = y1
            if x1 > last_x1:
                last_x1 = x1
        chars.append(char)
        lefts.append(x0)
        last_x0 = x0
        run_last = index
    flush()
    return rejoin_broken_words(seen(spans)), page_texts.body_points(body_raw, drawn)


SUBSTITUTE_ASCENT, SUBSTITUTE_DESCENT = 0.75, 0.15  # of the font size: a substituted run's extent about its baseline
# fonts PDFium draws with its own built-in faces when they are not embedded (the standard 14 and their
# usual aliases): the same on every machine
_BUILT_IN = re.compile(r"^(?:Times|Helvetica|Courier|Arial|Symbol|ZapfDingbats)", re.I)


class _Substitutes:
    """Runs set in a font that is neither embedded nor built into PDFium (a Chinese journal's
    SimSun, reportlab's STSong-Light): PDFium draws them with whatever font the machine has, or
    with none, so their glyph boxes differ between machines (tall boxes with Noto CJK installed,
    empty ones at the baseline without). Such a run's vertical extent is taken from its baseline
    and font size instead, which the PDF alone fixes: its lines and superscript markers then read
    the same everywhere. Its horizontal extent is PDFium's loose box, from the PDF's own widths."""

    def __init__(self, textpage: "pdfium.PdfTextPage", top_edge: float) -> None:
        self.raw = textpage.raw
        self.top_edge = top_edge  # the visible page's top in character coordinates
        self.fonts: dict[int, bool] = {}  # font handle -> substituted from the machine's fonts
        self.x, self.y = ctypes.c_double(), ctypes.c_double()
        self.first, self.last = raw.FS_RECTF(), raw.FS_RECTF()

    def box(self, first: int, last: int, size: float) -> list[float] | None:
        """[x0, y0, x1, y1] of a substituted run from character `first` to `last`; None for any other run."""
        if not self._substituted(first) or not raw.FPDFText_GetCharOrigin(self.raw, first, self.x, self.y):
            return None
        if not (raw.FPDFText_GetLooseCharBox(self.raw, first, self.first) and
                raw.FPDFText_GetLooseCharBox(self.raw, last, self.last)):
            return None
        baseline = self.top_edge - self.y.value
        return [self.first.left, baseline - SUBSTITUTE_ASCENT * size, self.last.right, baseline + SUBSTITUTE_DESCENT * size]

    def _substituted(self, index: int) -> bool:
        obj = raw.FPDFText_GetTextObject(self.raw, index)
        font = raw.FPDFTextObj_GetFont(obj) if obj else None
        if not font:
            return False
        key = ctypes.cast(font, ctypes.c_void_p).value or 0
        if key not in self.fonts:
            self.fonts[key] = not raw.FPDFFont_GetIsEmbedded(font) and not _BUILT_IN.match(_base_font_name(font))
        return self.fonts[key]


def _base_font_name(font) -> str:
    buffer = ctypes.create_string_buffer(128)
    length = raw.FPDFFont_GetBaseFontName(font, buffer, len(buffer))
    return buffer.value.decode("latin-1") if 0 < length <= len(buffer) else ""


def _unseen(text_object: int | None) -> bool:
    """Whether a text object is drawn so that no reader sees it: the invisible render mode (an
    OCR layer's or a hidden note's), a fully transparent or white fill."""
    if not text_object:
        return False
    obj = ctypes.cast(ctypes.c_void_p(text_object), raw.FPDF_PAGEOBJECT)
    if raw.FPDFTextObj_GetTextRenderMode(obj) == raw.FPDF_TEXTRENDERMODE_INVISIBLE:
        return True
    r, g, b, a = (ctypes.c_uint() for _ in range(4))
    if not raw.FPDFPageObj_GetFillColor(obj, *(ctypes.byref(v) for v in (r, g, b, a))):
        return False
    return a.value == 0 or min(r.value, g.value, b.value) >= in_force().white_text_level


@functools.lru_cache(maxsize=1)
def _text_object_function():
    """FPDFText_GetTextObject returning the object's address (compared per character, so untyped when it can be)."""
    try:
        from pypdfium2_raw.bindings import _libs

        function = _libs["pdfium"]["FPDFText_GetTextObject"]
        function.restype = ctypes.c_void_p
        return function
    except (ImportError, KeyError, AttributeError):
        return lambda handle, index: ctypes.cast(raw.FPDFText_GetTextObject(handle, index), ctypes.c_void_p).value


class _CharCalls:
    """PDFium's per-character calls for one text page, and the values they write into."""

    def __init__(self, textpage: "pdfium.PdfTextPage") -> None:
        self.left, self.right, self.bottom, self.top = (ctypes.c_double() for _ in range(4))
        self.matrix_value = raw.FS_MATRIX()
        fast = _untyped_functions()
        if fast:  # the same C functions, called without ctypes converting every argument
            self.unicode, self.size, self.box, self.angle, self.matrix = fast
            self.handle = ctypes.c_void_p(ctypes.cast(textpage.raw, ctypes.c_void_p).value)
            self.out = tuple(ctypes.byref(v) for v in (self.left, self.right, self.bottom, self.top, self.matrix_value))
        else:
            self.unicode, self.size, self.box = raw.FPDFText_GetUnicode, raw.FPDFText_GetFontSize, raw.FPDFText_GetCharBox
            self.angle, self.matrix = raw.FPDFText_GetCharAngle, raw.FPDFText_GetMatrix
            self.handle = textpage.raw
            self.out = (self.left, self.right, self.bottom, self.top, self.matrix_value)


@functools.lru_cache(maxsize=1)
def _untyped_functions() -> tuple | None:
    """The per-character functions without the bindings' argument types: a page makes thousands
    of these calls, and converting the arguments costs as much as the call (measured: 0.85 µs
    against 0.38 µs a call). None when the bindings do not expose their library handle."""
    try:
        from pypdfium2_raw.bindings import _libs

        lib = _libs["pdfium"]
    except (ImportError, KeyError, AttributeError):
        return None
    out = []
    for name, restype in (("FPDFText_GetUnicode", ctypes.c_uint), ("FPDFText_GetFontSize", ctypes.c_double),
                          ("FPDFText_GetCharBox", ctypes.c_int), ("FPDFText_GetCharAngle", ctypes.c_float),
                          ("FPDFText_GetMatrix", ctypes.c_int)):
        function = lib[name]  # indexing makes a new function object: the bindings' typed one is left as it is
        function.restype = restype
        out.append(function)
    return tuple(out)


