"""Stage 1 and 2 on generated fixture PDFs: every layout reads back to what was written."""

from __future__ import annotations

import make_samples
import pytest
from reportlab.lib.pagesizes import letter
from reportlab.pdfgen import canvas

from pipeline.extract.pdf import PdfError, extract
from pipeline.metadata import read_metadata
from pipeline.names.institutions import fold, organisation_of, organisations


@pytest.mark.parametrize("sample", make_samples.SAMPLES, ids=lambda s: s.file)
def test_sample_metadata_matches_what_was_written(sample, sample_dir):
    paper = read_metadata(extract(sample_dir / sample.file))
    assert paper.title == sample.title
    assert paper.author_count == len(sample.authors)
    assert [fold(n) for n in paper.institutions] == [fold(n) for n in sample.institutions]
    assert paper.abstract.startswith(sample.abstract[:80])
    assert "Introduction" not in paper.abstract


def test_ieee_grades_are_not_authors(sample_dir):
    paper = read_metadata(extract(sample_dir / "echo-channels.pdf"))
    assert paper.authors == ["Rosa Delacroix", "Piet Lindqvist"]


def test_document_keeps_spans_with_font_sizes(sample_dir):
    doc = extract(sample_dir / "lattice-kv.pdf")
    title_spans = [s for s in doc.spans if s.text.startswith("LatticeKV")]
    assert title_spans and title_spans[0].size == pytest.approx(17, abs=0.5)
    assert doc.page_count == 2 and len(doc.pages) == 1  # page 1 has the introduction: page 2 is not read


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ("School of Computer Science, Fudan University, Shanghai, China", ["Fudan University"]),
        ("Active Vision Lab, University of Oxford", ["University of Oxford"]),
        ("Google DeepMind", ["Google DeepMind"]),
        ("Key Laboratory of Computer Network (Southeast University), Ministry of Education, China", ["Southeast University"]),
        ("1 Anonymous Institution, Anonymous City, Anonymous Country", []),
        ("Michigan State University, East Lansing, MI 48824", ["Michigan State University"]),
        ("清澜大学 计算机科学与技术学院", ["清澜大学"]),
        ("ModelBest Inc.", ["ModelBest Inc."]),
    ],
)
def test_organisation_level_names(entry, expected):
    assert organisation_of(entry) == expected


def test_organisations_deduplicate_in_printed_order():
    entries = ["Dept. of Physics, Univ. of Tartu", "Google Research", "Google DeepMind", "University of Tartu, Estonia"]
    assert organisations(entries) == ["University of Tartu", "Google Research", "Google DeepMind"]


def _write(path, draw):
    c = canvas.Canvas(str(path), pagesize=letter, **({"encrypt": draw} if isinstance(draw, str) else {}))
    if callable(draw):
        draw(c)
    else:
        c.drawString(72, 700, "secret text")
    c.showPage()
    c.save()


def test_bad_inputs_name_the_cause(tmp_path, sample_dir):
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    text = tmp_path / "notes.pdf"
    text.write_text("just some notes, not a PDF")
    truncated = tmp_path / "truncated.pdf"
    truncated.write_bytes((sample_dir / "lattice-kv.pdf").read_bytes()[:600])
    encrypted = tmp_path / "locked.pdf"
    _write(encrypted, "pw")
    image_only = tmp_path / "scan.pdf"
    _write(image_only, lambda c: c.rect(100, 100, 300, 300, fill=1))
    causes = {}
    for path in (empty, text, truncated, encrypted, image_only):
        with pytest.raises(PdfError) as err:
            extract(path)
        causes[path.name] = str(err.value)
    assert causes == {
        "empty.pdf": "empty file",
        "notes.pdf": "not a PDF (no %PDF header)",
        "truncated.pdf": "damaged or truncated PDF",
        "locked.pdf": "encrypted PDF (password required)",
        "scan.pdf": "no text layer (scanned or image-only PDF)",
    }


def test_a_text_layer_of_glyph_codes_fails_its_paper_with_a_cause(tmp_path):
    """A Type 3 font with no Unicode map gives glyph codes instead of words: the paper fails with a
    cause the user can act on, where it would have published '¬§]C¢' as its title. Real words in
    any script, with numbers and marks among them, read."""
    pytest.importorskip("reportlab")
    from pages import draw_text_layer

    codes = tmp_path / "codes.pdf"
    noise = "C¬§]C¢ ¡®C¡Gª=LI§]¢ Iª ¤¥ª¬®=§C¢ ¡¢ª§]¬ ®¥=¤C§"
    draw_text_layer(codes, [(noise, 14, 72, 80 + 16 * i) for i in range(30)])
    with pytest.raises(PdfError, match="glyph codes, not words"):
        extract(codes)
    words = tmp_path / "words.pdf"
    draw_text_layer(words, [("Σύστημα Москва 12.5 (2019) Café-Lanterns; e.g. Zhang1,2 ¬§", 14, 72, 80 + 16 * i) for i in range(30)])
    assert extract(words).spans


def test_untyped_pdfium_calls_read_the_same_spans_as_the_typed_bindings(tmp_path, monkeypatch):
    """The fast per-character calls skip ctypes' argument conversion; they must read exactly what
    the typed bindings read (sizes, boxes, superscript marks, the foot band)."""
    pytest.importorskip("reportlab")
    from pages import abstract_rows, draw

    from pipeline.extract import pdf

    path = tmp_path / "p.pdf"
    rows = [("Sparse Lanterns for Long Documents", 16, "c", 80), ("Mira Castellan^1, Tobias Rennick^2", 11, "c", 105),
            ("^1Orchard University", 9, "c", 120), ("^2Northlake Institute", 9, "c", 132)] + abstract_rows(170)
    rows += [("1 Introduction", 12, 72, 300, "Times-Bold")]
    rows += [("Body text of the introduction runs on across the page for a while.", 10, 72, 320 + 12 * i) for i in range(30)]
    rows += [("Footnote set small at the foot of the page.", 7, 72, 740)]
    draw(path, rows)
    assert pdf._untyped_functions() is not None  # the installed bindings expose their library
    fast = pdf.extract(path)
    pdf._untyped_functions.cache_clear()
    monkeypatch.setattr(pdf, "_untyped_functions", lambda: None)
    typed = pdf.extract(path)
    assert fast.spans == typed.spans and fast.body_size == typed.body_size
    assert any("Footnote" in s.text for s in fast.spans)
