"""What names and briefs are accepted: placeholders, co-authors who share a name, affiliations
only from affiliation lines, usual forms of a printed organisation, honest title forms, briefs
that are sentences about the paper (drawn pages; every text invented for the tests)."""

from __future__ import annotations

import json

import pytest
from fake_model import FakeModel, install
from pages import ABSTRACT, ABSTRACT_LINES, abstract_rows, draw, paper_page
from prose_briefs import BRIEFS, PAPERS
from support.standin import StandIn

from pipeline.brief.answer import ModelAnswer
from pipeline.brief.grounding import IS_PLACEHOLDER, NOT_PRINTED, Page, ground
from pipeline.brief.prompts import load_prompt, render_prompt
from pipeline.brief.validate import check, failed_checks
from pipeline.brief.write import assess, repair_message
from pipeline.cli import main
from pipeline.extract.pdf import extract
from pipeline.metadata import read_metadata

pytest.importorskip("reportlab")


@pytest.fixture(scope="module")
def drawn(tmp_path_factory):
    """Each paper of the prose fixture drawn and read by the rules, once."""
    folder = tmp_path_factory.mktemp("prose")
    out = {}
    for key, spec in PAPERS.items():
        paper_page(folder / f"{key}.pdf", spec["title"], spec["authors"], spec["affiliations"], spec["abstract"])
        out[key] = read_metadata(extract(folder / f"{key}.pdf"))
    return out


def answer(title="", authors=(), institutions=(), brief="x"):
    return ModelAnswer(title=title, authors=list(authors), institutions=list(institutions), brief=brief)


# ---- the prose fixture: every form real models write, each with its verdict ----


@pytest.mark.parametrize(("key", "brief", "failed"), BRIEFS, ids=[f"{k}-{i}" for i, (k, _, _) in enumerate(BRIEFS)])
def test_each_brief_form_gets_its_verdict(drawn, key, brief, failed):
    results = check(brief, drawn[key])
    assert [r.name for r in failed_checks(results)] == failed, [r.detail for r in failed_checks(results)]


def test_the_drawn_papers_read_as_the_fixture_means(drawn):
    assert drawn["campus"].institutions == ["University of California, Berkeley (UC Berkeley)", "Tsinghua University",
                                            "Korea Advanced Institute of Science and Technology (KAIST)"]
    assert drawn["team"].institutions == [] and drawn["anonymous"].institutions == []


# ---- placeholders and papers without institution ----


def test_a_placeholder_is_no_institution_in_the_rules_reading(drawn):
    assert drawn["anonymous"].institutions == []
    assert not any(d.field == "institutions" and d.kept and "Institute" in d.value for d in drawn["anonymous"].decisions)


@pytest.mark.parametrize("text", ["No Institute Given", "Anonymous Institution", "Anonymous Authors", "Anonymous Author(s)",
                                  "Anonymous ECCV submission", "Affiliations withheld for double-blind review", "1 No Institute Given"])
def test_placeholder_forms(text):
    from pipeline.names.institutions import is_placeholder, organisations

    assert is_placeholder(text) and organisations([text]) == []


@pytest.mark.parametrize("text", ["Anonymity Lab, Northlake University", "Institute for Anonymous Communication", "Unknown Labs Inc."])
def test_names_that_only_contain_a_placeholder_word_are_not_placeholders(text):
    from pipeline.names.institutions import is_placeholder

    assert not is_placeholder(text)


def test_a_placeholder_is_no_institution_in_the_models_reading(drawn):
    paper = drawn["anonymous"]
    reading, dropped = ground(answer(institutions=["No Institute Given", "Anonymous Institution"]), paper.header_text, paper)
    assert reading.institutions == [] and {d.reason for d in dropped} == {IS_PLACEHOLDER}


@pytest.mark.parametrize("subject", ["", "作者", "Department of Computer Science"])
def test_the_repair_for_a_paper_without_institution_says_what_to_write(drawn, subject):
    paper = drawn["team"]
    text = json.dumps({"title": paper.title, "authors": [], "institutions": [],
                       "brief": f"{subject}发布了Lantern Scaling论文，使用稀疏灯笼记忆只读回所需页面的方法，"
                                "解决了长工具轨迹下智能体记忆开销大的问题，达成了任务完成数提升41%的效果。"}, ensure_ascii=False)
    judged = assess(text, paper)
    assert [r.name for r in judged.failed] == ["institution"]
    assert "Kimi Team" in repair_message(judged)


def test_the_standin_names_the_byline_team_or_the_generic_subject(drawn):
    for key, subject in (("team", "Kimi Team"), ("anonymous", "研究团队")):
        paper = drawn[key]
        text = StandIn().answer({"messages": render_prompt(load_prompt(), paper).messages})
        assert json.loads(text)["brief"].startswith(f"{subject}发布了")
        assert assess(text, paper).ok


def _no_institute_page(folder, title="Lantern Grids for Long Documents"):
    folder.mkdir()
    draw(folder / "p.pdf", [(title, 16, "c", 80), ("Anonymous Authors", 11, "c", 105), ("No Institute Given", 10, "c", 120),
                            *abstract_rows(160)])
    return title


def test_an_anonymous_paper_is_briefed_with_a_generic_subject(tmp_path, monkeypatch):
    title = _no_institute_page(tmp_path / "in")
    model = install(monkeypatch, FakeModel())
    assert main(["run", str(tmp_path / "in"), "-o", str(tmp_path / "out"), "--base-url", model.base_url, "--api-key", "k"]) == 0
    assert len(model.chat_requests()) == 1
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    (entry,) = report["results"]
    assert entry["brief"]["text"].startswith("研究团队发布了") and title in entry["brief"]["text"]
    assert entry["paper"]["institutions"] == [] and entry["paper"]["author_count"] == 0


def test_a_planted_department_is_not_published_for_a_paper_without_institution(tmp_path, monkeypatch):
    title = _no_institute_page(tmp_path / "in")
    planted = (f"Department of Computer Science发布了{title}论文，使用灯格路由注意力的方法，"
               "解决了长文档注意力开销大的问题，达成了更低显存占用的效果。")
    model = install(monkeypatch, FakeModel(replies={title: planted}))
    code = main(["run", str(tmp_path / "in"), "-o", str(tmp_path / "out"), "--base-url", model.base_url, "--api-key", "k"])
    assert len(model.chat_requests()) == 2  # the one repair request
    assert code == 1
    assert "Department of Computer Science发布了" not in (tmp_path / "out" / "report.md").read_text(encoding="utf-8")


# ---- authors as printed ----


def test_two_coauthors_who_share_a_name_stay_two(tmp_path):
    paper_page(tmp_path / "p.pdf", "Lantern Attention for Long Documents", "Zheng Wang^1, Zheng Wang^2, Li Na^1",
               ["^1 Northlake University", "^2 Harbor Labs Inc."])
    paper = read_metadata(extract(tmp_path / "p.pdf"))
    assert paper.authors == ["Zheng Wang", "Zheng Wang", "Li Na"] and paper.author_count == 3
    reading, _ = ground(answer(authors=["Zheng Wang", "Zheng Wang", "Li Na"]), paper.header_text, paper)
    assert reading.authors == ["Zheng Wang", "Zheng Wang", "Li Na"]
    repeated, _ = ground(answer(authors=["Zheng Wang", "Li Na", "Li Na"]), paper.header_text, paper)
    assert repeated.authors == ["Zheng Wang", "Li Na"]  # one name printed once is one author, however often it is answered


# ---- affiliations only from affiliation lines ----


def _sponsored_page(path):
    """A header that prints one university as the affiliation, then a sponsor line, a funding
    line and a link, and three organisations no reader can see (white, invisible, tiny)."""
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=letter)
    c.setFont("Times-Roman", 16)
    c.drawCentredString(306, 712, "BIRQ: Bidirectional Residual Quantisation for Speech Tokens")
    c.setFont("Times-Roman", 11)
    c.drawCentredString(306, 687, "Ada Moor, Ben Hale")
    c.setFont("Times-Roman", 10)
    c.drawCentredString(306, 672, "University of Edinburgh")
    c.drawCentredString(306, 659, "Compute sponsored by Google DeepMind")
    c.drawCentredString(306, 646, "This work was funded by Huawei Technologies")
    c.drawCentredString(306, 633, "Code: https://github.com/openai/birq")
    c.setFillColorRGB(1, 1, 1)
    c.drawCentredString(306, 620, "Meta AI")
    c.setFillColorRGB(0, 0, 0)
    hidden = c.beginText(280, 608)
    hidden.setFont("Times-Roman", 10)
    hidden.setTextRenderMode(3)
    hidden.textOut("Anthropic")
    c.drawText(hidden)
    c.setFont("Times-Roman", 1)
    c.drawString(280, 600, "Microsoft Research")
    c.setFont("Times-Bold", 12)
    c.drawCentredString(306, 570, "Abstract")
    c.setFont("Times-Roman", 10)
    c.drawString(90, 555, ABSTRACT[:95])
    c.showPage()
    c.save()


@pytest.fixture(scope="module")
def sponsored(tmp_path_factory):
    path = tmp_path_factory.mktemp("sponsored") / "p.pdf"
    _sponsored_page(path)
    return read_metadata(extract(path))


def test_hidden_text_is_not_read(sponsored):
    for unseen in ("Meta AI", "Anthropic", "Microsoft Research"):
        assert unseen not in sponsored.header_text
    assert sponsored.institutions == ["University of Edinburgh"]


def test_a_sponsor_a_funder_and_a_link_do_not_ground(sponsored):
    named = ["University of Edinburgh", "Google DeepMind", "Huawei Technologies", "OpenAI", "Meta AI", "Anthropic"]
    reading, dropped = ground(answer(institutions=named), sponsored.header_text, sponsored)
    assert reading.institutions == ["University of Edinburgh"]
    assert {d.name for d in dropped if d.reason == NOT_PRINTED} == set(named[1:])


@pytest.mark.parametrize("subject", ["Google DeepMind", "University of Edinburgh与Google DeepMind", "Huawei Technologies", "OpenAI"])
def test_a_brief_naming_the_sponsor_is_not_published(sponsored, subject):
    brief = f"{subject}发布了BIRQ论文，使用双向残差量化的方法，解决了语音令牌码本冗余的问题，达成了更低码率的效果。"
    assert "institution" in [r.name for r in failed_checks(check(brief, sponsored))]


# ---- usual forms of a printed organisation ----

PRINTED = ("Ana Ruiz1, Wen Li2\n1 Dept. of Electrical & Computer Engineering, UC Riverside\n"
           "2 UC Berkeley   3 University of California, Los Angeles\n4 Tsinghua University   5 KAIST, Daejeon   6 HKUST(GZ)")


@pytest.mark.parametrize("name", [
    "University of California, Riverside (UC Riverside)", "University of California, Riverside", "University of California, Berkeley",
    "University of California, Berkeley (UC Berkeley)", "UCLA", "University of California, Los Angeles (UCLA)", "UC Los Angeles",
    "The Tsinghua University", "Tsinghua University (THU)", "清华大学", "Korea Advanced Institute of Science and Technology",
    "韩国科学技术院", "香港科技大学（广州）",
])
def test_every_usual_form_of_a_printed_organisation_grounds(name):
    assert Page(PRINTED).prints(name)


@pytest.mark.parametrize("name", ["University of California, San Diego", "UC San Diego", "北京大学", "Peking University (PKU)",
                                  "University of California, Berkeley (UCLA)", "UCL"])
def test_a_form_that_names_another_organisation_fails(name):
    assert not Page(PRINTED).prints(name)


def test_a_usual_full_name_keeps_its_campus_when_grounded():
    paper_reading, dropped = ground(answer(institutions=["University of California, Riverside (UC Riverside)"]), PRINTED,
                                    read_metadata_stub())
    assert paper_reading.institutions == ["University of California, Riverside (UC Riverside)"] and not dropped


def read_metadata_stub():
    from pipeline.models import Paper

    return Paper(file="x.pdf", sha256="0" * 64, title="", authors=["Ana Ruiz", "Wen Li"], author_count=2, institutions=[], abstract="")


@pytest.mark.parametrize("usual", ["en", "zh"])
def test_a_model_answering_usual_names_is_briefed_and_loses_no_institution(drawn, usual):
    paper = drawn["campus"]
    messages = render_prompt(load_prompt(), paper).messages
    printed = {"authors": ["Ana Ruiz", "Wen Li", "Omar Haddad"], "institutions": ["UC Berkeley", "Tsinghua University", "KAIST"]}
    text = StandIn(usual_names=usual, readings={paper.title: printed}).answer({"messages": messages})
    named = json.loads(text)["institutions"]
    assert named != paper.institutions  # the stand-in wrote them otherwise than printed
    judged = assess(text, paper)
    assert judged.ok and not judged.dropped and len(judged.reading.institutions) == 3


def test_a_scanned_page_whose_only_text_is_an_invisible_ocr_layer_is_still_read(tmp_path):
    """Hidden text is no part of a page that has visible text; on a scan, the invisible OCR layer
    is all the text there is, and it is read."""
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    from pipeline.extract.pdf import extract
    from pipeline.metadata import read_metadata

    path = tmp_path / "scan.pdf"
    c = canvas.Canvas(str(path), pagesize=letter, invariant=True)
    rows = [("A Loop Lantern Theory for Parallel Scrolls", 16, 792 - 90), ("Ada Quill and Bo Lin", 11, 792 - 120),
            ("Department of Lanterns, Northlake University", 10, 792 - 136), ("Abstract", 11, 792 - 170),
            *[(line, 10, 792 - 186 - 13 * i) for i, line in enumerate(ABSTRACT_LINES)]]
    for text, size, y in rows:
        layer = c.beginText(72, y)
        layer.setTextRenderMode(3)  # invisible: the OCR layer over a page image
        layer.setFont("Times-Roman", size)
        layer.textOut(text)
        c.drawText(layer)
    c.showPage()
    c.save()
    paper = read_metadata(extract(path))
    assert paper.title == "A Loop Lantern Theory for Parallel Scrolls"
    assert paper.institutions == ["Northlake University"]
