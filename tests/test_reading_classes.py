"""One drawn page per failure class seen on real papers (every text here is invented for the test)."""

from __future__ import annotations

import json

import pytest
from pages import abstract_rows, draw

from pipeline.extract.pdf import extract
from pipeline.metadata import read_metadata

pytest.importorskip("reportlab")

def read(tmp_path, rows, **kw):
    path = tmp_path / "p.pdf"
    draw(path, rows, **kw)
    return read_metadata(extract(path))


def test_journal_masthead_is_not_the_title(tmp_path):
    rows = [("Annals of Quiet Computing 12 (2031) 1044", 7, "c", 30),
            ("Contents lists available at PaperDirect", 8, "c", 55),
            ("Annals of Quiet Computing", 15, "c", 80),
            ("journal homepage: www.example.org/aqc", 8, "c", 100),
            ("Sparse Lanterns for Long Documents", 14, 60, 150), ("Mira Castellan, Tobias Rennick", 11, 60, 175),
            ("Orchard University, Lisbon, Portugal", 8, 60, 190)] + abstract_rows(230)
    paper = read(tmp_path, rows)
    assert paper.title == "Sparse Lanterns for Long Documents"
    assert paper.author_count == 2 and paper.institutions == ["Orchard University"]


def test_review_line_numbers_stay_out_of_title_and_abstract(tmp_path):
    rows = [(f"{i + 1}", 5, 60, 80 + 14 * i) for i in range(16)]
    rows += [("Sparse Lanterns for", 16, 80, 80), ("Long Documents", 16, 80, 98), ("Mira Castellan", 10, 80, 122),
             ("Orchard University", 9, 80, 136)] + [(t, s, 80, y, *f) for t, s, _x, y, *f in abstract_rows(160)]
    paper = read(tmp_path, rows)
    assert paper.title == "Sparse Lanterns for Long Documents"
    assert paper.abstract.startswith("We study how small lanterns")
    assert not any(ch.isdigit() for ch in paper.abstract)


def test_fonts_scaled_by_the_text_matrix_keep_their_size_and_order(tmp_path):
    rows = [("Letters", 20, 60, 40), ("Sparse Lanterns for Long Documents", 22, 60, 90),
            ("Mira Castellan and Tobias Rennick", 12, 60, 130), ("Orchard University", 9, 60, 146)] + abstract_rows(190)
    paper = read(tmp_path, rows, matrix_font=True)
    assert paper.title == "Sparse Lanterns for Long Documents"
    assert paper.author_count == 2


def test_teaser_figure_labels_are_not_authors(tmp_path):
    rows = [("Sparse Lanterns for Long Documents", 16, "c", 80),
            ("Mira Castellan  Tobias Rennick  Ilse Marrow", 10, "c", 110), ("Orchard University", 10, "c", 125),
            ("Input Frames", 7, 100, 170), ("Ground Truth", 7, 400, 170), ("Render Any View", 7, 250, 230),
            ("Figure 1: Lanterns lit across a long document.", 9, 90, 260)] + abstract_rows(290)
    paper = read(tmp_path, rows)
    assert paper.author_count == 3


def test_chinese_paper_reads_title_author_affiliation_and_abstract(tmp_path):
    rows = [("稀疏灯笼：长文档的注意力调度", 18, "c", 90), ("林晓岚", 12, "c", 125), ("（清澜大学 计算机学院）", 10, "c", 145),
            ("2031 年 3 月 5 日", 10, "c", 162), ("摘要", 11, "c", 200),
            ("本文研究如何在长文档中以稀疏的方式点亮注意力，在不损失准确率的情况下显著降低显存占用。", 10, 80, 220),
            ("实验覆盖从短问答到整本书长度的输入，结果表明该调度方法在各项基准上都能保持稳定的表现。", 10, 80, 236)]
    paper = read(tmp_path, rows)
    assert paper.title == "稀疏灯笼：长文档的注意力调度"
    assert paper.author_count == 1
    assert paper.institutions == ["清澜大学"]
    assert paper.abstract.startswith("本文研究如何")


def test_dates_and_funding_lines_are_not_institutions(tmp_path):
    rows = [("Sparse Lanterns for Long Documents", 16, "c", 80), ("Mira Castellan", 11, "c", 105),
            ("Orchard University", 10, "c", 120), ("March 5, 2031", 10, "c", 135),
            ("This work was supported by the Lantern Foundation under grant agreement No 12345.", 8, "c", 150)] + abstract_rows(190)
    paper = read(tmp_path, rows)
    assert paper.institutions == ["Orchard University"]


def test_joined_wrapped_and_academy_affiliations(tmp_path):
    rows = [("Sparse Lanterns for Long Documents", 16, "c", 80),
            ("Mira Castellan^1, Tobias Rennick^2, Ilse Marrow^3", 11, "c", 105),
            ("^1Harbor Lab/Harbor University", 9, "c", 122), ("^2Northlake University of Posts", 9, "c", 136),
            ("and Telegraphy, Northlake, China", 9, "c", 148),
            ("^3Institute of Tidal Studies, Chinese Academy of Sciences", 9, "c", 162)] + abstract_rows(200)
    paper = read(tmp_path, rows)
    assert paper.institutions == ["Harbor Lab", "Harbor University", "Northlake University of Posts and Telegraphy",
                                  "Institute of Tidal Studies, Chinese Academy of Sciences"]


def test_capitalised_names_before_their_affiliation(tmp_path):
    rows = [("Sparse Lanterns for Long Documents", 14, 60, 80),
            ("MIRA CASTELLAN, Orchard University, Portugal", 10, 60, 105),
            ("TOBIAS RENNICK, Northlake University, Canada", 10, 60, 118)] + abstract_rows(160, heading="")[1:]
    paper = read(tmp_path, rows)
    assert paper.author_count == 2
    assert paper.institutions == ["Orchard University", "Northlake University"]


def test_team_signature_names_its_company(tmp_path):
    rows = [("Sparse Lanterns Technical Report", 16, "c", 80), ("Vision-Core Meituan", 12, "c", 110)] + abstract_rows(150)
    paper = read(tmp_path, rows)
    assert paper.author_count is None
    assert paper.institutions == ["Meituan"]


def test_confidence_flags_missing_affiliations_and_inspect_shows_it(tmp_path, capsys):
    from pipeline.cli import main

    rows = [("Sparse Lanterns for Long Documents", 16, "c", 80), ("Mira Castellan^1, Tobias Rennick^2", 11, "c", 105),
            ("^1Orchard University", 9, "c", 122)] + abstract_rows(160)
    draw(tmp_path / "p.pdf", rows)
    assert main(["inspect", str(tmp_path / "p.pdf"), "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["confidence"]["institutions"]["confidence"] < 0.5
    assert "affiliation 2" in shown["confidence"]["institutions"]["reason"]
    assert shown["confidence"]["title"]["confidence"] == 1.0


def test_the_grounded_model_reading_wins_where_the_rules_are_unsure(tmp_path, fake_model, capsys):
    from pipeline.cli import main

    folder = tmp_path / "in"
    folder.mkdir()
    rows = [("Sparse Lanterns for Long Documents", 16, "c", 80), ("Mira Castellan^1, Tobias Rennick^2", 11, "c", 105),
            ("^1Orchard University", 9, "c", 122), ("Bellwether Institute of Optics", 7, "c", 700)] + abstract_rows(160)
    draw(folder / "p.pdf", rows)
    fake_model.readings["Sparse Lanterns for Long Documents"] = {
        "authors": ["Mira Castellan", "Tobias Rennick"],
        "institutions": ["Orchard University", "Bellwether Institute of Optics", "Invented Institute"]}
    args = ["run", str(folder), "-o", str(tmp_path / "out"), "--base-url", fake_model.base_url, "--api-key", "k"]
    assert main(args) == 0
    assert len(fake_model.requests) == 2  # one call, and one repair: the invented name is not on page 1
    repair = fake_model.requests[1]["body"]["messages"][-1]["content"]
    assert "Invented Institute" in repair and "论文首页没有印出这个名称" in repair
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    paper = report["results"][0]["paper"]
    assert paper["institutions"] == ["Orchard University", "Bellwether Institute of Optics"]
    assert paper["rules_reading"]["institutions"] == ["Orchard University"]
    assert paper["model_reading"]["institutions"] == paper["institutions"]
    assert paper["metadata_source"] == "model" and paper["disagreements"]
    assert "Invented Institute" not in (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    assert "differs" in (tmp_path / "out" / "report.html").read_text(encoding="utf-8")


def test_footnote_affiliations_across_the_page_with_citations_in_the_body(tmp_path):
    body = [("Mira Castellan^1, Tobias Rennick^2 and Ilse Marrow^1", 12, 60, 110)] + abstract_rows(150)
    body += [(f"Body text of the introduction goes on here with citations line {i}.^{12 + i}", 10, 60, 560 + 11 * i)
             for i in range(6)]
    foot = [("Department of Tides, Orchard University and the Bellwether Institute for Optics, Lisbon, Portugal.", 8, 60, 700),
            ("^2Lantern Research Organization, Porto, Portugal. *e-mail: mira@example.org", 8, 60, 711)]
    paper = read(tmp_path, [("Sparse Lanterns for Long Documents", 22, 60, 70)] + body + foot)
    assert paper.institutions == ["Orchard University", "Bellwether Institute for Optics", "Lantern Research Organization"]


def test_sidebar_beside_a_flush_left_title_is_not_the_author_block(tmp_path):
    rows = [("Sparse Lanterns for", 20, 200, 70), ("Long Documents", 20, 200, 94),
            ("Mira Castellan^1, Tobias Rennick^2", 10, 200, 125),
            ("*For correspondence:", 7, 40, 150), ("^1University of California, Merced; ^2Northlake", 9, 200, 150),
            ("Funding: Lantern Foundation", 7, 40, 164), ("University, Canada", 9, 200, 164)]
    rows += [(t, s, 200, y, *f) for t, s, _x, y, *f in abstract_rows(200)]
    paper = read(tmp_path, rows)
    assert paper.author_count == 2
    assert paper.institutions == ["University of California, Merced", "Northlake University"]


def test_spacing_accents_do_not_break_names(tmp_path):
    """LaTeX draws an accent as its own glyph, placed back over the letter it belongs to."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    x, width = 200, lambda t: stringWidth(t, "Times-Roman", 11)
    rows = [("Sparse Lanterns for Long Documents", 16, "c", 80), ("Jer", 11, x, 105),
            ("\u00b4", 11, x + width("J") + 1, 105), ("ome Castel, Tobias Rennick", 11, x + width("Jer"), 105),
            ("Universita", 10, x, 120), ("`", 10, x + width("Universit") * 10 / 11 + 1, 120),
            ("di Orchard", 10, x + width("Universita ") * 10 / 11, 120)] + abstract_rows(160)
    paper = read(tmp_path, rows)
    assert paper.authors == ["Jérome Castel", "Tobias Rennick"]
    assert paper.institutions == ["Università di Orchard"]


def test_a_breve_drawn_over_its_letter_joins_it(tmp_path):
    """Romanian, Czech, Polish and Hungarian names carry accents LaTeX draws as their own glyphs too
    ('Popa' + '˘' over the last 'a' is 'Popă'), in a font that maps each glyph to its character."""
    from pages import draw_text_layer
    from reportlab.pdfbase import pdfmetrics

    from pipeline.extract.pdf import extract
    from pipeline.metadata import read_metadata

    draw_text_layer(tmp_path / "font.pdf", [("x", 10, 72, 72)])  # registers the embedded font
    font = next(f for f in pdfmetrics.getRegisteredFontNames() if f.startswith("PB"))
    x, width = 200, lambda t: pdfmetrics.stringWidth(t, font, 11)
    rows = [("Sparse Lanterns for Long Documents", 16, "c", 80), ("Radu Popa", 11, x, 105),
            ("\u02d8", 11, x + width("Radu Pop") + 1, 105), (", Tobias Rennick", 11, x + width("Radu Popa"), 105),
            ("Orchard University", 10, x, 120)] + [row[:4] for row in abstract_rows(160)]
    draw_text_layer(tmp_path / "p.pdf", rows)
    assert read_metadata(extract(tmp_path / "p.pdf")).authors == ["Radu Popă", "Tobias Rennick"]


def test_doubtful_fields_are_left_out_of_the_report(tmp_path):
    from pipeline.models import Brief, FieldDoubt, PaperResult, Report, Usage
    from pipeline.render.report import report_markdown

    paper = read(tmp_path, [("Annals of Quiet Computing", 16, "c", 80), ("Mira Castellan", 11, "c", 105),
                            ("Orchard University", 10, "c", 120)] + abstract_rows(160))
    doubt = FieldDoubt(confidence=0.2, reason="doubtful")
    paper = paper.model_copy(update={"confidence": {**paper.confidence, "abstract": doubt, "title": doubt}})
    brief = Brief(text="Orchard University发布了X论文，使用A，解决了B，达成了C。", ok=True, checks=[], attempts=1,
                  usage=Usage(), latency_s=0, prompt_id="brief", prompt_version="1", fingerprint="f", model="m")
    report = Report(title="t", generated_at="now", prompt_id="brief", prompt_version="1", model="m",
                    results=[PaperResult(file="p.pdf", paper=paper, brief=brief)])
    text = report_markdown(report)
    assert "Annals of Quiet Computing" not in text and "p.pdf（未能可靠读取标题）" in text
    assert "We study how small lanterns" not in text and "未能从 PDF 中读到摘要" in text
    assert "**主要机构**: Orchard University" in text


def test_size_one_glyphs_placed_one_by_one_read_as_words(tmp_path):
    """A PDF whose text is set at size 1 and placed glyph by glyph still reads as words and lines."""
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    path = tmp_path / "p.pdf"
    c = canvas.Canvas(str(path), pagesize=letter)
    rows = [("Sparse Lanterns for Long Documents", 22, 80), ("Mira Castellan and Tobias Rennick", 12, 120),
            ("Orchard University", 9, 136)] + [(t, s, y) for t, s, _x, y, *f in abstract_rows(180)]
    for text, size, y in rows:
        x = 60.0
        for ch in text:  # one text object per glyph, each with its own matrix: nothing but positions link them
            t = c.beginText()
            t.setTextTransform(size, 0, 0, size, x, 792 - y)
            t.setFont("Times-Roman", 1)
            t.textOut(ch)
            c.drawText(t)
            x += c.stringWidth(ch, "Times-Roman", size)
    c.showPage()
    c.save()
    paper = read_metadata(extract(path))
    assert paper.title == "Sparse Lanterns for Long Documents"
    assert paper.author_count == 2 and paper.institutions == ["Orchard University"]
    assert paper.abstract.startswith("We study how small lanterns")


@pytest.mark.parametrize(("entry", "names"), [
    ("Shenzhen Brightwave Technology Co., Ltd., Shenzhen, China", ["Shenzhen Brightwave Technology Co., Ltd."]),
    ("Harbor Lab/Harbor University", ["Harbor Lab", "Harbor University"]),
    ("Department of Tides, Orchard University and the Bellwether Institute for Optics, Lisbon",
     ["Orchard University", "Bellwether Institute for Optics"]),
    ("School of Software", []),  # a department alone names no organisation
    ("（清湖大学 计算机学院）", ["清湖大学"]),
    ("LAAS-CNRS, Orchard University, CNRS, Toulouse, France", ["LAAS-CNRS", "Orchard University", "CNRS"]),
    ("University of California, Merced, USA", ["University of California, Merced"]),
    # classes seen on real papers outside the corpus
    ("Quiet Software Technologies (Orchard University), Ministry of Tides", ["Orchard University"]),  # a wrapped unit's second line
    ("Bellwether Sciences Institute / Marina del Sol", ["Bellwether Sciences Institute"]),
    ("Harbor Business School – University of Northlake", ["University of Northlake"]),
    ("Université Northlake III – Paul Vasseur", ["Université Northlake III – Paul Vasseur"]),  # one name
    ("SSE, OUSZ", ["OUSZ"]),  # a unit's acronym, then its organisation's
    ("Orchard University, Lisbon Orchard University, Lisbon Orchard University, Lisbon", ["Orchard University"]),
    ("清湖大学自然语言处理实验室，清湖，215006", ["清湖大学"]),
    ("Meituan Lantern Team", ["Meituan"]),
    ("HUST & Uharbor", ["HUST", "Uharbor"]),
    ("Halifax, Canada", []),
    ("Purdue University, West Lafayette, IN", ["Purdue University"]),
    ("Department of CSE, ORUST, Thrust of Tides, ORUST (GZ)", ["ORUST", "ORUST (GZ)"]),
    ("复旦湖大学东湖研究院人工智能与多媒体实验室", ["复旦湖大学东湖研究院"]),
    ("清湖大学网络空间研究院，清湖 100084", ["清湖大学"]),  # a university's institute run into its name
    ("北湖人工智能研究院", ["北湖人工智能研究院"]),  # an institute of its own
    # a university system's campus follows it; a university after it is another organisation
    ("The Chinese University of Hong Kong, Meadow University", ["The Chinese University of Hong Kong", "Meadow University"]),
    ("The Chinese University of Hong Kong, Shenzhen", ["The Chinese University of Hong Kong, Shenzhen"]),
    # a company the registry files once per country is no town, printed alone before its town
    ("Airbus, Munich, Germany", ["Airbus"]),
    # two organisations joined by 'and', the first with its campus in brackets
    ("The Hong Kong University of Science and Technology (GZ) and The Hong Kong University of Science and Technology",
     ["The Hong Kong University of Science and Technology (GZ)", "The Hong Kong University of Science and Technology"]),
    ("Lisbon, Portugal", []),
    ("OUT-Rio", ["OUT-Rio"]),
    ("NINDS: NS0918 to JMA, NSF: IOS-15017 to HAH, NIMH:", None),  # a funding line: no acronym picked out of it
    ("IIOS, Tsinghua University", ["Tsinghua University"]),  # an acronym before its university is its school
    ("CMS, Caltech", ["Caltech"]),  # a short name the table knows is not a town
    ("CMS, TIDELAB, QPL, Caltech", ["Caltech"]),  # units listed before the organisation the table knows
    ("Ericsson AB, Stockholm, Sweden", ["Ericsson AB"]),
    ("Quarry/ Université de Northlake", ["Quarry", "Université de Northlake"]),
    ("University of Northlake / Los Altos", ["University of Northlake"]),
    ("OKC Medicine, Northlake Technological University, Singapore", ["Northlake Technological University"]),
    ("Department of CSE, ORUST, China and DSA Thrust, ORUST (GZ), China", ["ORUST", "ORUST (GZ)"]),
    ("imec-Quay, KU Leuven, Belgium", ["imec-Quay", "KU Leuven"]),
    ("DOI", []),  # a sidebar label
    ("Institute of Northlake University", ["Northlake University"]),  # a unit naming its university after "of"
    ("School of Tides of the University of Northlake", ["the University of Northlake"]),
    ("SAMOVAR, Quay SudParis, Institut Polytechnique de Northlake", ["Institut Polytechnique de Northlake"]),
    ("Quay Street Head and Neck Center, Greater Harbor Medical Center, Lisbon", ["Greater Harbor Medical Center"]),
    ("Orchard Hopkins Medical Institutions, Lisbon", ["Orchard Hopkins Medical Institutions"]),
])
def test_affiliation_entries_to_organisations(entry, names):
    from pipeline.names.institutions import organisations

    if names is None:  # only what must not come out
        assert not any(name.isupper() and len(name) <= 5 for name in organisations([entry]))
    else:
        assert organisations([entry]) == names


def test_chinese_author_line_with_label_and_circled_markers(tmp_path):
    rows = [("稀疏灯笼：长文档的注意力调度", 18, "c", 90), ("作者：林晓岚①，王志远②", 12, "c", 125),
            ("①清澜大学 计算机学院，②北湖研究院", 10, "c", 145), ("摘要", 11, "c", 200),
            ("本文研究如何在长文档中以稀疏的方式点亮注意力，在不损失准确率的情况下显著降低显存占用。", 10, 80, 220),
            ("实验覆盖从短问答到整本书长度的输入，结果表明该调度方法在各项基准上都能保持稳定的表现。", 10, 80, 236)]
    paper = read(tmp_path, rows)
    assert paper.authors == ["林晓岚", "王志远"]
    assert paper.institutions == ["清澜大学", "北湖研究院"]


def test_a_chinese_byline_printed_again_in_pinyin_names_each_author_once(tmp_path):
    rows = [("稀疏灯笼：长文档的注意力调度", 18, "c", 90), ("林晓岚^1，王志远^1，陈北辰^2", 12, "c", 120),
            ("Xiaolan Lin^1, Zhiyuan Wang^1, Beichen Chen^2", 11, "c", 138),
            ("1 清澜大学 计算机学院，清澜 100084；2 北湖研究院，北湖 310000", 10, "c", 158), ("摘要", 11, "c", 200),
            ("本文研究如何在长文档中以稀疏的方式点亮注意力，在不损失准确率的情况下显著降低显存占用。", 10, 80, 220),
            ("实验覆盖从短问答到整本书长度的输入，结果表明该调度方法在各项基准上都能保持稳定的表现。", 10, 80, 236)]
    paper = read(tmp_path, rows)
    assert paper.authors == ["林晓岚", "王志远", "陈北辰"] and paper.author_count == 3


def test_a_name_broken_after_its_middle_initial_is_one_name(tmp_path):
    rows = [("Sparse Lanterns for Long Documents", 17, "c", 80),
            ("Mira Castellan^1, Tobias Rennick^2, Ana Duarte^1, Lena Moreau^1, Karl Vries^2, Mary E.", 11, "c", 105),
            ("Lofton^1, Ilse Marrow^2", 11, "c", 120),
            ("^1Orchard University, ^2Tidewater Institute of Technology", 10, "c", 138)] + abstract_rows(170)
    paper = read(tmp_path, rows)
    assert paper.author_count == 7 and "Lofton" not in paper.authors
    assert [a for a in paper.authors if a.endswith("Lofton")][0].startswith("Mary E")


def test_acmsmall_authors_sharing_one_affiliation_line(tmp_path):
    """'<NAME>, <NAME>, and <NAME>, <Organisation>, <Country>': acmsmall's line for several authors
    of one organisation; every name is an author."""
    rows = [("Sparse Lanterns for Long Documents", 17, 60, 80),
            ("MIRA CASTELLAN, Orchard University, Portugal", 10, 60, 105),
            ("TOBIAS RENNICK, ANA DUARTE, and KARL VRIES, Tidewater Institute of Technology, Portugal", 10, 60, 118),
            ("Quiet lanterns route attention across long documents without paying for the whole sequence, and "
             "we show it.", 10, 60, 145)]
    paper = read(tmp_path, rows)
    assert paper.authors == ["MIRA CASTELLAN", "TOBIAS RENNICK", "ANA DUARTE", "KARL VRIES"]
    assert paper.institutions == ["Orchard University", "Tidewater Institute of Technology"]


def test_a_chinese_byline_over_two_lines_and_a_proofreaders_line(tmp_path):
    """'作者：…，<名>，' broken after a comma: the last name of the line is whole; '中文校对：…' names
    proofreaders, not authors."""
    rows = [("稀疏灯笼：长文档的注意力调度", 18, "c", 90), ("作者：林晓岚，王志远，陈北辰，", 12, "c", 120),
            ("赵一帆，周明", 12, "c", 136), ("中文校对：吴小雨，郑海", 11, "c", 154), ("摘要", 11, "c", 200),
            ("本文研究如何在长文档中以稀疏的方式点亮注意力，在不损失准确率的情况下显著降低显存占用。", 10, 80, 220),
            ("实验覆盖从短问答到整本书长度的输入，结果表明该调度方法在各项基准上都能保持稳定的表现。", 10, 80, 236)]
    paper = read(tmp_path, rows)
    assert paper.authors == ["林晓岚", "王志远", "陈北辰", "赵一帆", "周明"]


def test_team_and_company_on_one_line(tmp_path):
    rows = [("Sparse Lanterns Technical Report", 16, "c", 80), ("Lantern Team, Meituan", 12, "c", 110)] + abstract_rows(150)
    paper = read(tmp_path, rows)
    assert paper.author_count is None and paper.institutions == ["Meituan"]


def test_author_grid_rows_and_the_acm_reference_block(tmp_path):
    """Names under an affiliation row start a new block; the ACM reference block ends the header."""
    rows = [("Sparse Lanterns for Long Documents", 17, "c", 80)]
    for r, (names, orgs) in enumerate([(("Mira Castellan", "Tobias Rennick"), ("Orchard University", "Orchard University")),
                                       (("Ilse Marrow", "Pavel Strand"), ("Northlake University", "Bellwether Group"))]):
        y = 110 + 46 * r
        rows += [(names[0], 12, 120, y), (names[1], 12, 360, y), (orgs[0], 10, 110, y + 13), (orgs[1], 10, 350, y + 13),
                 ("Lisbon, Portugal", 10, 120, y + 25), ("Lisbon, Portugal", 10, 360, y + 25)]
    rows += [("ACM Reference Format:", 8, 54, 215), ("Mira Castellan, Tobias Rennick, Ilse Marrow, and Pavel Strand.", 8, 54, 225)]
    paper = read(tmp_path, rows + abstract_rows(260))
    assert paper.authors == ["Mira Castellan", "Tobias Rennick", "Ilse Marrow", "Pavel Strand"]
    assert paper.institutions == ["Orchard University", "Northlake University", "Bellwether Group"]


def test_marked_lines_links_and_text_font_marks(tmp_path):
    """A line that opens with a mark is an entry, not a name; 'Website  Code' are links; a mark set in
    the text font ('† Harbor Research') starts a new entry."""
    rows = [("Sparse Lanterns for Long Documents", 16, "c", 80),
            ("Mira Castellan^1, Tobias Rennick^2", 11, "c", 105),
            ("^1Quayside Superintendence", 10, "c", 120),
            ("* Orchard University, Lisbon, Portugal", 10, "c", 133),
            ("† Harbor Research, Porto, Portugal", 10, "c", 146),
            ("Website", 10, 260, 162), ("Code", 10, 330, 162)] + abstract_rows(200)
    paper = read(tmp_path, rows)
    assert paper.authors == ["Mira Castellan", "Tobias Rennick"]
    assert "Orchard University" in paper.institutions and "Harbor Research" in paper.institutions


def test_capitalised_name_with_a_mark_and_a_second_campus(tmp_path):
    rows = [("Sparse Lanterns for Long Documents", 14, 60, 80),
            ("MIRA CASTELLAN^1, Orchard University of Science, Portugal", 10, 60, 105),
            ("TOBIAS RENNICK, Orchard University of Science (Guangzhou), China", 10, 60, 118)] + abstract_rows(160, heading="")[1:]
    paper = read(tmp_path, rows)
    assert paper.authors == ["MIRA CASTELLAN", "TOBIAS RENNICK"]
    assert paper.institutions == ["Orchard University of Science", "Orchard University of Science (Guangzhou)"]


def test_an_exponent_inside_a_title_word_is_kept(tmp_path):
    rows = [("R^2-Lantern: Sparse Attention for Long Documents^1", 16, "c", 80), ("Mira Castellan^1", 11, "c", 105),
            ("^1Orchard University", 10, "c", 120)] + abstract_rows(160)
    paper = read(tmp_path, rows)
    assert paper.title == "R2-Lantern: Sparse Attention for Long Documents"
    assert paper.authors == ["Mira Castellan"]


def test_orcid_with_minus_signs_and_justified_single_names(tmp_path):
    """LNCS iDs printed with minus signs are not affiliations; one name per line spread by justified
    type ('Mira  Castellan') is one name, not two."""
    rows = [("Sparse Lanterns for Long Documents", 14, "c", 80),
            ("Mira Castellan^1 [0009\u22120004\u22124575\u22120689] and "
             "Tobias Rennick^1 [0000\u22120002\u22124949\u22128271]", 10, "c", 105),
            ("^1Orchard University of Technology", 9, "c", 120)] + abstract_rows(170)
    paper = read(tmp_path, rows)
    assert paper.authors == ["Mira Castellan", "Tobias Rennick"]
    assert paper.institutions == ["Orchard University of Technology"]
    rows = [("Sparse Lanterns for Long Documents", 14, "c", 80), ("Ilse   Marrow", 11, 90, 105), ("Pavel   Strand", 11, 90, 119),
            ("Dept. of Tides, Quay Street 200A, 3001 Lisbon, Portugal.", 10, 90, 133)] + abstract_rows(170)
    paper = read(tmp_path, rows)
    assert paper.authors == ["Ilse Marrow", "Pavel Strand"]
    assert paper.institutions == []


def test_cells_of_short_names_are_affiliations(tmp_path):
    rows = [("Sparse Lanterns for Long Documents", 17, "c", 80),
            ("Mira Castellan", 12, 150, 110), ("Tobias Rennick", 12, 380, 110),
            ("HUST & HUST(GZ)", 10, 150, 123), ("OUT-Rio", 10, 390, 123)] + abstract_rows(170)
    paper = read(tmp_path, rows)
    assert paper.authors == ["Mira Castellan", "Tobias Rennick"]
    assert paper.institutions == ["HUST", "HUST(GZ)", "OUT-Rio"]


def test_springer_dots_between_names_and_a_broken_mark_glyph(tmp_path):
    rows = [("Sparse Lanterns for Long Documents", 14, "c", 80),
            ("Mira Castellan^1 \u00b7 Tobias Rennick^1 \u00b7 Ilse Marrow^2 ?", 10, "c", 105),
            ("^1Orchard University, Lisbon, Portugal", 9, "c", 120),
            ("^2Electronics and Tidal Science", 9, "c", 132), ("University of Northlake", 9, "c", 144)] + abstract_rows(180)
    paper = read(tmp_path, rows)
    assert paper.authors == ["Mira Castellan", "Tobias Rennick", "Ilse Marrow"]
    assert paper.institutions == ["Orchard University", "University of Northlake"]


def test_journal_page_with_an_unlabelled_smaller_abstract_and_a_wrapped_country(tmp_path):
    """No 'Abstract' heading, the abstract set a point smaller than the body; a country wrapped
    onto its own line is not an author."""
    body = ("Tidal lanterns are studied here at length, and the body of this paper is set larger than its "
            "abstract, as journals often do, so that the first paragraph stands apart from the rest of the page.")
    rows = [("Sparse Lanterns for Long Documents", 16, 72, 80), ("Mira Castellan^1 and Tobias Rennick^2", 12, 72, 110),
            ("^1Department of Tides, Orchard University,", 11, 72, 130), ("Singapore", 11, 72, 158),
            ("^2Northlake University, Lisbon, Portugal", 11, 72, 176)]
    rows += [(line, 10, 72, 210 + 12 * i) for i, line in enumerate([
        "We study how small lanterns of attention can be lit across long documents without paying for",
        "the whole sequence, and show that a sparse schedule keeps accuracy while cutting memory use on",
        "every benchmark we tried, from short questions to book-length inputs."])]
    rows += [("1 Introduction", 12, 72, 270, "Times-Bold")]
    rows += [(body[i:i + 90], 11, 72, 290 + 14 * (i // 90)) for i in range(0, len(body), 90)]
    paper = read(tmp_path, rows)
    assert paper.authors == ["Mira Castellan", "Tobias Rennick"]
    assert paper.institutions == ["Orchard University", "Northlake University"]
    assert paper.abstract.startswith("We study how small lanterns")


def test_a_placeholder_abstract_is_no_abstract(tmp_path):
    rows = [("Sparse Lanterns for Long Documents", 16, "c", 80), ("Mira Castellan", 11, "c", 105),
            ("Orchard University, Lisbon, Portugal", 10, "c", 120), ("Abstract", 12, "c", 160, "Times-Bold"), ("...", 10, 90, 176),
            ("Keywords: lanterns, tides", 10, 90, 200)]
    paper = read(tmp_path, rows)
    assert paper.abstract == ""
    assert paper.confidence["abstract"].confidence < 0.5


def test_an_organisation_in_capitals_under_a_name_in_a_grid(tmp_path):
    rows = [("Sparse Lanterns for Long Documents", 17, "c", 80),
            ("Mira Castellan", 11, 150, 110), ("Tobias Rennick", 11, 380, 110),
            ("QUAY TEC", 10, 165, 123), ("Senior Member, IEEE", 11, 370, 123),
            ("Porto, Portugal", 10, 160, 135), ("QUAY TEC, NORTH-LAB", 10, 370, 135)] + abstract_rows(180)
    paper = read(tmp_path, rows)
    assert paper.authors == ["Mira Castellan", "Tobias Rennick"]
    assert "QUAY TEC" in paper.institutions and "Porto" not in paper.institutions


def test_a_letter_spaced_wordmark_beside_the_title_is_not_part_of_it(tmp_path):
    rows = [("R E S C I E N C E", 12, 12, 100), ("[Re] Sparse Lanterns for Long Documents", 17, 180, 100),
            ("Mira Castellan^1", 10, 180, 130), ("^1Orchard University", 9, 180, 142)] + abstract_rows(180)
    paper = read(tmp_path, rows)
    assert paper.title == "[Re] Sparse Lanterns for Long Documents"


def test_teaser_panels_and_caption_before_an_unlabelled_abstract(tmp_path):
    """acmsmall: names in capitals with their affiliation, a teaser with panel labels and a
    two-line caption, then the abstract without a heading."""
    rows = [("Sparse Lanterns for Long Documents", 16, 54, 80),
            ("MIRA CASTELLAN, Orchard University, Portugal", 12, 54, 106), ("TOBIAS RENNICK, Quay Labs Inc., Portugal", 12, 54, 120),
            ("(a) Teacher", 9, 70, 170), ("(b) Ours", 9, 300, 170),
            ("Fig. 1. We light lanterns of attention across a long document and show the teacher "
             "and our student side by side,", 8, 54, 260),
            ("with the student running many times faster while keeping the quality of the teacher on every input we tried.", 8, 54, 270)]
    rows += [(line, 8, 54, 300 + 10 * i) for i, line in enumerate([
        "We study how small lanterns of attention can be lit across long documents without paying for the whole",
        "sequence, and show that a sparse schedule keeps accuracy while cutting memory use on every benchmark",
        "we tried, from short questions to book-length inputs, with a student that runs in real time."])]
    paper = read(tmp_path, rows)
    assert paper.authors == ["MIRA CASTELLAN", "TOBIAS RENNICK"]
    assert paper.abstract.startswith("We study how small lanterns")


def test_two_affiliations_stacked_under_one_name_in_a_grid(tmp_path):
    """Under a name, 'Harbor National Laboratory' then 'Orchard University' are two affiliations;
    'Tide Systems Institute' then 'Orchard University' is one (the institute is the university's)."""
    rows = [("Sparse Lanterns for Long Documents", 17, "c", 80),
            ("Mira Castellan", 10, 120, 110), ("Tobias Rennick", 10, 380, 110),
            ("Tide Systems Institute", 10, 110, 122), ("Harbor National Laboratory", 10, 365, 122),
            ("Orchard University", 10, 115, 134), ("Orchard University", 10, 375, 134)] + abstract_rows(180)
    paper = read(tmp_path, rows)
    assert paper.institutions == ["Orchard University", "Harbor National Laboratory"]


def test_a_chinese_course_papers_cover_form_names_its_student_only(tmp_path):
    """A course paper's cover: a form of labels spread over their cells ('姓   名', '学   院') and their
    values. The student is the author; the course, its teacher, the number, the school and the major
    name no author and no organisation."""
    rows = [("课 程 论 文", 40, "c", 179), ("论文题目：基于灯笼路由的长文档稀疏注意力研究", 18, "c", 314),
            ("课程名称", 14, 150, 448), ("人工智能大模型应用", 14, 280, 448), ("任课教师", 14, 150, 481), ("林北辰", 14, 280, 481),
            ("姓", 14, 150, 515), ("名", 14, 200, 515), ("王小灯", 14, 280, 515), ("学", 14, 150, 549), ("号", 14, 200, 549),
            ("125027000004", 14, 280, 549), ("学", 14, 150, 582), ("院", 14, 200, 582), ("统计与数据科学学院", 14, 280, 582),
            ("2031 年 1 月 16 日", 12, "c", 712)]
    paper = read(tmp_path, rows)
    assert paper.authors == ["王小灯"]
    assert paper.institutions == []


def test_a_research_projects_cover_form_names_its_leader(tmp_path):
    """'主 持 人：<Name>' heads a student project's cover form; '所在学院：<School>' names a unit."""
    rows = [("项目结题论文", 26, "c", 120), ("基于灯笼路由的长文档稀疏注意力研究", 18, "c", 200),
            ("主 持 人：王小灯", 14, 150, 400), ("所在学院：统计与数据科学学院", 14, 150, 430), ("指导教师：林北辰", 14, 150, 460),
            ("2031 年 1 月 16 日", 12, "c", 712)]
    paper = read(tmp_path, rows)
    assert paper.authors == ["王小灯"] and paper.institutions == []



def test_roman_numeral_marks_are_marks_not_letters_of_a_name(tmp_path):
    """Authors marked with superscript roman numerals (i to v): each mark is kept apart from the
    name it follows and from the entry it heads, so 'Moreau^iv' is not read 'Moreauiv' and the
    entries marked iv and v are read like the others."""
    rows = [("Quiet Lanterns for Sparse Routing in Long Documents", 18, 72, 80),
            ("Mira Castellan^{i}, Tobias Rennick^{ii}, Ana Duarte^{iii}, Lena Moreau^{iv,v}", 11, 72, 120)]
    rows += [(f"^{{{mark}}}{entry}", 9, 72, 150 + 15 * i) for i, (mark, entry) in enumerate([
        ("i", "Orchard University, Lisbon, Portugal"), ("ii", "Tidewater Institute of Technology, Porto, Portugal"),
        ("iii", "Harbor Polytechnic, Faro, Portugal"), ("iv", "Meadow College London, London, UK"),
        ("v", "Quill Research Labs, Boston, USA")])]
    paper = read(tmp_path, rows + abstract_rows(250))
    assert paper.authors == ["Mira Castellan", "Tobias Rennick", "Ana Duarte", "Lena Moreau"]
    assert paper.institutions == ["Orchard University", "Tidewater Institute of Technology", "Harbor Polytechnic",
                                  "Meadow College London", "Quill Research Labs"]


def test_a_thesis_cover_is_read_past_its_kind_and_its_translation(tmp_path):
    """A Chinese thesis cover: the largest words name the kind of document ('专业学位硕士论文'), the
    title wraps over two lines and its English translation follows in the same size, and a form
    names the student ('研 究 生 姓 名', each character a cell) and the supervisors ('导师姓名、职称'). The
    title is the Chinese one alone, the student the only author, and no line of the translation is
    read as an organisation."""
    rows = [("专业学位硕士论文", 42, "c", 240), ("基于灯笼路由的长文档稀疏注意力", 22, "c", 330), ("机制研究", 22, "c", 360),
            ("Research on Sparse Attention with Lantern", 22, "c", 390), ("Routing for Long Documents", 22, "c", 418)]
    rows += [(ch, 16, 120 + 24 * i, 600) for i, ch in enumerate("研究生姓名")] + [("王小灯", 16, 330, 600)]
    rows += [("导 师 姓 名 、 职 称", 16, 120, 640), ("林北辰 教授", 16, 330, 640), ("2031 年 6 月", 14, "c", 712)]
    paper = read(tmp_path, rows)
    assert paper.title == "基于灯笼路由的长文档稀疏注意力机制研究"
    assert paper.authors == ["王小灯"]
    assert paper.institutions == []



def test_a_symbol_marker_of_any_kind_is_a_marker():
    """'<Name>^1→ <Name>^2': a corresponding author's mark may be any symbol a template draws (an
    arrow, an envelope), set small and raised beside the digits; it is a mark, so the name after it
    is a name of its own. Spans are given as a PDF's text layer gives them."""
    from pipeline.models import Document, Span

    def span(text, size, x0, y0):
        return Span(text=text, size=size, x0=x0, y0=y0, x1=x0 + 0.5 * size * len(text), y1=y0 + size)

    spans = [span("Quiet Lanterns for Sparse Routing in Long Documents", 14.3, 109, 82),
             span("Mira Castellan", 10, 117, 119.6), span("1→", 7.6, 194, 117.9), span("Tobias Rennick", 10, 210, 119.6),
             span("2", 7.6, 276, 118), span("Ana Duarte", 10, 293, 119.6), span("2,✉", 7.6, 345, 118),
             span("1Orchard University, 2Tidewater Institute of Technology", 10, 114, 143), span("Abstract", 12, 283, 183)]
    spans += [span(line, 10, 144, 208 + 11 * i) for i, line in enumerate(
        ["We study how small lanterns of attention can be lit across long documents without paying for",
         "the whole sequence, and show that a sparse schedule keeps accuracy while cutting memory use."])]
    paper = read_metadata(Document(path="p.pdf", sha256="s", page_count=1, page_width=612, page_height=792,
                                   pages=[" ".join(s.text for s in spans)], spans=spans))
    assert paper.authors == ["Mira Castellan", "Tobias Rennick", "Ana Duarte"]


def test_an_undergraduate_thesis_cover_gives_its_title_by_its_form():
    """'(2031)届本科生毕业论文' names the kind of document; the form's '题    目' row gives the title and its
    '院    部' row names a school, not an organisation; the university, printed only in the logo, is
    named with the document's kind in the next page's running head or in the PDF's Title."""
    from pipeline.metadata.cover_form import cover_school, names_document_kind, school_named

    assert names_document_kind("(2031)届本科生毕业论文") and names_document_kind("专 业 学 位 硕 士 论 文")
    assert not names_document_kind("毕业设计管理系统") and not names_document_kind("基于灯笼路由的长文档研究")
    cover = ["(2031)届本科生毕业论文", "题 目 灯笼救助平台建设", "院 部 信息工程学院"]
    assert school_named(cover_school(cover, "清澜师范学院 2031 届本科毕业设计(论文)\n灯笼救助平台建设", "")) == "清澜师范学院"
    statement = "独创性声明\n本人声明：所呈交的毕业设计（论文）"
    assert school_named(cover_school(cover, statement, "西湖大学本科生毕业设计（论文）模版")) == "西湖大学"
    assert cover_school(["灯笼救助平台建设", "王小灯"], "清澜师范学院 2031 届本科毕业设计(论文)", "") == ""  # no cover: nothing


def test_a_thesis_covers_form_row_is_its_title(tmp_path):
    rows = [("(2031)届本科生毕业论文", 36, "c", 182)]
    for i, (label, value) in enumerate([("题目", "灯笼救助领养平台建设"), ("专业", "计算机科学与技术"), ("院部", "信息工程学院"),
                                        ("学号", "1618130234"), ("姓名", "王小灯")]):
        rows += [(label[0], 18, 91, 304 + 43 * i), (label[1], 18, 165, 304 + 43 * i), (value, 18, 224, 304 + 43 * i)]
    paper = read(tmp_path, rows)
    assert paper.title == "灯笼救助领养平台建设"
    assert paper.authors == ["王小灯"] and paper.institutions == []


def test_a_thesis_cover_names_its_university_above_its_kind_and_wraps_its_title_row(tmp_path):
    """'西湖大学' set alone above '毕 业 论 文', then a form: '题 目：' whose title wraps onto the next
    line, '学生姓名', '专业班级', '届 次', and '校内指导教师：（签名）'. The university is the institution,
    the two lines one title, the student the only author (no '毕业', no '（签名）')."""
    rows = [("西湖大学", 30, "c", 150), ("毕 业 论 文", 30, "c", 210),
            ("题 目：基于灯笼路由的长文档稀疏注意力", 15.5, 110, 353), ("机制研究", 15.5, 190, 384)]
    for i, (label, value) in enumerate([("学生姓名", "王小灯"), ("专业班级", "数据科学与大数据技术 2031-2"), ("届 次", "2031 届"),
                                        ("校内指导教师：", "（签名）")]):
        rows += [(label, 14, 129, 429 + 40 * i), (value, 14, 300, 429 + 40 * i)]
    paper = read(tmp_path, rows)
    assert paper.title == "基于灯笼路由的长文档稀疏注意力机制研究"
    assert paper.authors == ["王小灯"] and paper.institutions == ["西湖大学"]
