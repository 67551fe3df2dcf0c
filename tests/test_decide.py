"""Two readings, one decision: a weak model never makes the reading worse (pages drawn here, text invented)."""

from __future__ import annotations

import asyncio
import json
import re

import pytest
from pages import abstract_rows, draw
from support.standin import read_by_position

from pipeline.brief.answer import ModelAnswer
from pipeline.brief.grounding import ground
from pipeline.cli import main
from pipeline.extract.pdf import extract
from pipeline.metadata import read_metadata
from pipeline.metadata.decide import decide, published
from pipeline.metadata.field_checks import (
    ADDRESS_ALONE,
    AUTHOR_LINE,
    MARKERS_KEPT,
    NAMES_RUN_TOGETHER,
    NO_ORGANISATION,
    NOT_A_PERSON,
    ORGANISATION_AS_AUTHOR,
    PART_OF_TITLE,
    PERSON_AS_ORGANISATION,
    PROSE_AS_ORGANISATION,
    RUNNING_HEAD,
    SEVERAL_ORGANISATIONS,
    TEAM_AS_ORGANISATION,
    TITLE_FRAGMENT,
    author_faults,
    institution_faults,
    title_faults,
)
from pipeline.models import Brief, FieldDoubt, Paper, PaperResult, Reading, Report, Usage
from pipeline.render.report import UNSETTLED, report_html, report_markdown
from pipeline.run.rerun import read_with_model
from pipeline.settings import Settings

pytest.importorskip("reportlab")

TITLE = "Lantern Grids: Routing Attention Across Long Scrolls"
AFFILIATIONS = [("^1University of Westmarch", 9, "c", 137), ("^2Harborlight Systems Inc.", 9, "c", 150)]

# the pages a small model misreads by position: each a class of layout, not a paper
PAGES = {
    "running-head": [("Preprint. Under review.", 9, "c", 50), (TITLE, 16, "c", 80), ("Ada Quill^1, Bram Oakes^2", 11, "c", 105),
                     *AFFILIATIONS],
    "two-line-title": [("Lantern Grids: Routing Attention", 16, "c", 80), ("Across Long Scrolls", 16, "c", 100),
                       ("Ada Quill^1, Bram Oakes^2", 11, "c", 122), *AFFILIATIONS],
    "two-line-authors": [(TITLE, 16, "c", 80), ("Ada Quill^1, Bram Oakes^1, Cora Lind^2", 11, "c", 105),
                         ("Dov Pratt^2, Esme Rowe^1", 11, "c", 120), *AFFILIATIONS],
    "glued-markers": [(TITLE, 16, "c", 80), ("Ada Quill^1, Bram Oakes^2, Cora Lind^3", 11, "c", 105),
                      ("^1University of Westmarch ^2Harborlight Systems Inc. ^3Eastbrook University", 9, "c", 122)],
    "chinese-masthead": [("第 12 卷 第 3 期   灯笼学报   Vol. 12, No. 3", 9, "c", 40), ("长文档注意力的灯格路由方法", 16, "c", 80),
                         ("林小灯  王北辰", 11, "c", 105), ("（西湖大学 计算机学院，杭州 310000）", 9, "c", 122)],
    "team-report-title-lines": [("LanternKV", 18, "c", 60), ("LanternKV: Paged Key-Value Caches for", 16, "c", 85),
                                ("Long Scrolls on Lantern NPU", 16, "c", 105), ("LanternKV Team", 12, "c", 130)],
    # amsart: the byline in capitals, the affiliations at the paper's end (page 1 prints none)
    "capitals-byline": [("LANTERN GRIDS: ROUTING ATTENTION ACROSS LONG SCROLLS", 12, "c", 80),
                        ("ADA QUILL AND BRAM OAKES", 10, "c", 110)],
}
RULES_READ = {  # what the rules read on each page (and what must be published)
    "running-head": (TITLE, 2, ["University of Westmarch", "Harborlight Systems Inc."]),
    "two-line-title": (TITLE, 2, ["University of Westmarch", "Harborlight Systems Inc."]),
    "two-line-authors": (TITLE, 5, ["University of Westmarch", "Harborlight Systems Inc."]),
    "glued-markers": (TITLE, 3, ["University of Westmarch", "Harborlight Systems Inc.", "Eastbrook University"]),
    "chinese-masthead": ("长文档注意力的灯格路由方法", 2, ["西湖大学"]),
    # a team's report: the title's last line is no organisation (the model reads it as the byline's)
    "team-report-title-lines": ("LanternKV: Paged Key-Value Caches for Long Scrolls on Lantern NPU", None, []),
    "capitals-byline": ("LANTERN GRIDS: ROUTING ATTENTION ACROSS LONG SCROLLS", 2, []),
}


def drawn(path, rows):
    draw(path, [*rows, *abstract_rows(200)])
    return read_metadata(extract(path))


def by_position(paper, standin):
    standin.by_position = True
    return asyncio.run(read_with_model(Settings(base_url=standin.base_url, api_key="k"), paper))


# ---- the checks, one by one ----------------------------------------------------------------------


@pytest.mark.parametrize("title, why", [
    ("Preprint. Under review.", RUNNING_HEAD),
    ("Under review as a conference paper at ICLR 2031", RUNNING_HEAD),
    ("Journal of Lantern Studies 41 (2031) 102938", RUNNING_HEAD),
    ("第 12 卷 第 3 期   灯笼学报   Vol. 12, No. 3", RUNNING_HEAD),
    ("Ada Quill, Bram Oakes", AUTHOR_LINE),
    ("Lantern Grids: Routing Attention", TITLE_FRAGMENT),
    (TITLE, ""),
    ("长文档注意力的灯格路由方法", ""),
])
def test_a_title_is_no_running_head_venue_author_line_or_fragment(title, why):
    other = TITLE if title != TITLE else ""  # the other reading's title, which a fragment is a piece of
    found = title_faults(title, ["Ada Quill", "Bram Oakes"], other)
    assert found.startswith(why) if why else found == ""


@pytest.mark.parametrize("name, why", [
    ("Across Long Scrolls", PART_OF_TITLE),
    ("University of Westmarch", ORGANISATION_AS_AUTHOR),
    ("Ada Quill Bram Oakes Cora Lind", NAMES_RUN_TOGETHER),
    ("Ada Quill and Bram Oakes", NAMES_RUN_TOGETHER),
    ("林小灯 王北辰", NAMES_RUN_TOGETHER),
    ("Preliminary", NOT_A_PERSON),
    ("ada@westmarch.edu", NOT_A_PERSON),
    ("Ada Quill1∗", ""),
    ("Jan van der Berg", ""),
    ("Lun Du", ""),
    ("林小灯", ""),
])
def test_an_author_is_a_person_not_the_title_an_organisation_or_a_list(name, why):
    found = author_faults([name], [TITLE], ["University of Westmarch"])
    assert found.startswith(why) if why else found == ""


@pytest.mark.parametrize("name, why", [
    ("University of Westmarch2 Harborlight Systems Inc.3 Eastbrook University", SEVERAL_ORGANISATIONS),
    ("University of Westmarch   Harborlight Systems Inc.", SEVERAL_ORGANISATIONS),
    ("1 University of Westmarch", MARKERS_KEPT),
    ("Ada Quill", PERSON_AS_ORGANISATION),
    ("12 Lantern Street, Westmarch 310000", ADDRESS_ALONE),
    ("Portugal", ADDRESS_ALONE),
    ("formed in the lantern facilities", NO_ORGANISATION),
    ("University of Westmarch", ""),
    ("University College London", ""),
    ("Tencent (WeChat AI)", ""),
    ("Qwen Team", TEAM_AS_ORGANISATION),  # a report's signature: no organisation is named
    ("Baidu ERNIE Team", ""),  # the company is named in it
    ("ADA QUILL AND BRAM OAKES", NO_ORGANISATION),  # amsart's byline in capitals, its words acronyms of the registry's
    ("西湖 ３１００２４２ 西湖大学灯笼研究中心", ADDRESS_ALONE),  # a town and its postal code run into the name
    ("Institution B", NO_ORGANISATION),  # a template's placeholder
    ("ORCHARD UNIVERSITY AND MIT", ""),
])
def test_an_institution_is_one_organisation_not_a_run_a_person_or_an_address(name, why):
    found = institution_faults([name], ["Ada Quill"])
    assert found.startswith(why) if why else found == ""


# ---- the decision, against a model that reads by position ----------------------------------------


def test_the_position_reader_copies_the_header_line_by_line_markers_included():
    header = ("Preprint\nLantern Grids: Routing\nAttention Across Scrolls\nAda Quill1, Bram Oakes2\n"
              "1 University of Westmarch2 Harborlight Inc.")
    assert read_by_position(header) == {"title": "Preprint", "authors": ["Lantern Grids: Routing"],
                                        "institutions": ["1 University of Westmarch2 Harborlight Inc."]}


@pytest.mark.parametrize("page", sorted(PAGES))
def test_a_model_reading_by_position_never_makes_the_reading_worse(tmp_path, fake_model, page):
    paper = drawn(tmp_path / f"{page}.pdf", PAGES[page])
    title, count, institutions = RULES_READ[page]
    assert (paper.title, paper.author_count, paper.institutions) == (title, count, institutions)  # the rules read it right
    result = by_position(paper, fake_model)
    shown = result.paper
    assert shown.model_reading is not None and shown.model_reading != shown.rules_reading  # the model misread the page
    assert (shown.title, shown.author_count, shown.institutions) == (title, count, institutions)
    # each misreading failed a check the rules' reading passed
    assert shown.overruled and not shown.unsettled, (shown.model_reading, shown.unsettled)
    assert all(re.search(r"the rules' reading (?:\(none\) )?stands", note) for note in shown.disagreements)


def test_a_run_with_a_position_reader_publishes_no_running_head_and_no_title_fragment(tmp_path, fake_model, capsys):
    folder = tmp_path / "in"
    folder.mkdir()
    for page, rows in PAGES.items():
        draw(folder / f"{page}.pdf", [*rows, *abstract_rows(200)])
    fake_model.by_position = True
    out = tmp_path / "out"
    main(["run", str(folder), "-o", str(out), "--base-url", fake_model.base_url, "--api-key", "k"])
    report = Report.model_validate_json((out / "report.json").read_text(encoding="utf-8"))
    papers = {r.file.removesuffix(".pdf"): r.paper for r in report.results}
    for page, (title, count, institutions) in RULES_READ.items():
        assert (papers[page].title, papers[page].author_count, papers[page].institutions) == (title, count, institutions)
    assert report.overruled >= 10 and report.unsettled == 0
    said = capsys.readouterr().out  # the summary tells the user how often the model was overruled
    assert f"reading(s) differ from the rules' ({report.overruled} field(s) overruled)" in said
    digest = (out / "report.md").read_text(encoding="utf-8")
    assert "Preprint" not in digest and "灯笼学报" not in digest


# ---- the rules' confidence, a partial reading, doubt shown ---------------------------------------


def test_a_sure_rules_field_changes_only_when_the_rules_fail_a_check_the_model_passes(tmp_path):
    paper = drawn(tmp_path / "p.pdf", PAGES["running-head"])
    misread = paper.model_copy(update={"title": "Preprint. Under review."})  # the rules, sure, read the running head
    fixed = decide(misread, Reading(title=TITLE, authors=paper.authors, institutions=paper.institutions), [])
    assert fixed.title == TITLE and "title" not in fixed.unsettled
    other = decide(paper, Reading(title="Routing Attention for Scrolls of Any Length", authors=paper.authors,
                                  institutions=paper.institutions), [])
    assert other.title == TITLE and "both readings pass" in other.unsettled["title"]  # the sure rules stand, unsettled
    assert other.rules_reading.title == TITLE and other.model_reading.title.startswith("Routing")
    doubted = paper.model_copy(update={"confidence": {**paper.confidence, "title": FieldDoubt(confidence=0.2, reason="x")}})
    assert decide(doubted, other.model_reading, []).title == other.model_reading.title  # a doubted rules field gives way


def test_a_partial_model_reading_never_beats_the_rules_complete_one(tmp_path):
    paper = drawn(tmp_path / "p.pdf", PAGES["running-head"])
    answer = ModelAnswer(title=TITLE, authors=["Ada Quill", "Bram Oakes"], brief="x",
                         institutions=["University of Westmarch", "Invented Institute of Lanterns"])
    reading, dropped = ground(answer, paper.header_text, paper)
    assert reading.institutions == ["University of Westmarch"] and dropped
    shown = decide(paper, reading, dropped)
    assert shown.institutions == ["University of Westmarch", "Harborlight Systems Inc."] and "institutions" in shown.overruled
    fuller = decide(paper, Reading(title=TITLE, authors=["Ada Quill", "Bram Oakes", "Cora Lind"],
                                   institutions=paper.institutions), [])
    assert fuller.author_count == 3  # the complete reading wins whichever reading it is


def test_an_unsettled_field_is_marked_in_the_report_and_both_readings_kept(tmp_path):
    paper = drawn(tmp_path / "p.pdf", PAGES["running-head"])
    shown = decide(paper, Reading(title=TITLE, authors=["Ada Quill", "Bram Oakes"], institutions=["Eastbrook University"]), [])
    assert shown.institutions == paper.institutions and "institutions" in shown.unsettled
    brief = Brief(text="University of Westmarch发布了Lantern Grids论文，使用灯格，解决了长文档，达成了省显存。", ok=True, checks=[],
                  attempts=1, usage=Usage(), latency_s=0.0, prompt_id="brief", prompt_version="1", fingerprint="f", model="m")
    report = Report(title="t", generated_at="now", prompt_id="brief", prompt_version="1", model="m",
                    results=[PaperResult(file="p.pdf", paper=shown, brief=brief)])
    assert report.unsettled == 1 and report.overruled == 0
    assert f"**主要机构**: University of Westmarch, Harborlight Systems Inc.{UNSETTLED}" in report_markdown(report)
    assert "**作者数量**: 2人\n" in report_markdown(report)  # the fields the readings agree on carry no mark
    assert f"Harborlight Systems Inc.{UNSETTLED}" in report_html(report)
    kept = json.loads(report.model_dump_json())["results"][0]["paper"]
    assert kept["rules_reading"]["institutions"] == paper.institutions
    assert kept["model_reading"]["institutions"] == ["Eastbrook University"] and kept["unsettled"]["institutions"]


# ---- one form in 主要机构 ------------------------------------------------------------------------


def test_institutions_are_published_as_page_one_prints_them_whatever_form_the_model_answered(tmp_path):
    paper = drawn(tmp_path / "p.pdf", [(TITLE, 16, "c", 80), ("Ada Quill^1, Bram Oakes^2", 11, "c", 105),
                                       ("^1Tsinghua University", 9, "c", 122), ("^2Peking University", 9, "c", 135)])
    assert paper.institutions == ["Tsinghua University", "Peking University"]
    agreed = decide(paper, Reading(title=TITLE, authors=paper.authors, institutions=["清华大学", "北京大学"]), [])
    assert agreed.institutions == ["Tsinghua University", "Peking University"] and not agreed.disagreements
    assert agreed.model_reading.institutions == ["清华大学", "北京大学"]  # report.json keeps the model's form
    unread = paper.model_copy(update={"institutions": [], "confidence": {**paper.confidence,
                                                                         "institutions": FieldDoubt(confidence=0.3, reason="x")}})
    won = decide(unread, Reading(title=TITLE, authors=paper.authors, institutions=["北京大学", "Tsinghua University"]), [])
    assert won.institutions == ["Peking University", "Tsinghua University"]


def test_a_short_form_read_alone_is_published_with_the_full_name_the_model_gives_it(tmp_path):
    paper = drawn(tmp_path / "p.pdf", [(TITLE, 16, "c", 80), ("Ada Quill^1, Bram Oakes^2", 11, "c", 105),
                                       ("^1KAIST", 9, "c", 122), ("^2Harborlight Systems Inc.", 9, "c", 135)])
    assert "KAIST" in " ".join(paper.institutions)
    full = "Korea Advanced Institute of Science and Technology (KAIST)"
    shown = decide(paper, Reading(title=TITLE, authors=paper.authors, institutions=[full, "Harborlight Systems Inc."]), [])
    assert shown.institutions[0] == full and shown.model_reading.institutions[0] == full


def test_without_a_model_the_rules_reading_is_published_unchanged(tmp_path):
    paper = drawn(tmp_path / "p.pdf", PAGES["two-line-authors"])
    shown = published(paper, None)
    assert (shown.title, shown.authors, shown.institutions) == (paper.title, paper.authors, paper.institutions)
    assert not shown.unsettled and not shown.overruled and shown.model_reading is None


def test_a_usual_name_where_page_one_prints_a_short_form_is_published_as_full_name_and_short_form(tmp_path):
    paper = drawn(tmp_path / "p.pdf", [(TITLE, 16, "c", 80), ("Ada Quill^1", 11, "c", 105), ("^1EECS, UC Berkeley", 9, "c", 122)])
    unread = paper.model_copy(update={"institutions": [], "confidence": {**paper.confidence,
                                                                         "institutions": FieldDoubt(confidence=0.3, reason="x")}})
    won = decide(unread, Reading(title=TITLE, authors=paper.authors, institutions=["University of California, Berkeley"]), [])
    assert won.institutions == ["University of California, Berkeley (UC Berkeley)"]
    assert won.model_reading.institutions == ["University of California, Berkeley"]


# ---- an academy's institute, whole words, a Chinese name in page 1's form ------------------------------

def _paper(header: str, institutions: list[str], doubt: str = "") -> Paper:
    confidence = {"institutions": FieldDoubt(confidence=0.3, reason=doubt)} if doubt else {}
    return Paper(file="p.pdf", sha256="s", title="Quiet Lanterns for Long Documents", authors=["Ada Quill", "Bo Lin"],
                 author_count=2, institutions=institutions, abstract="x", header_text=header, confidence=confidence)


def test_an_academy_institute_is_named_at_its_own_level_not_as_words_run_into_the_academy():
    header = ("Quiet Lanterns for Long Documents\nAda Quill1 Bo Lin2\n1 Institute of Lantern Engineering, "
              "Chinese Academy of Sciences\n2 Northlake University\nAbstract")
    answer = ModelAnswer(title="Quiet Lanterns for Long Documents", authors=["Ada Quill", "Bo Lin"],
                         institutions=["Institute of Lantern Engineering, Chinese Academy of Sciences", "Northlake University"],
                         brief="x")
    rules = _paper(header, ["Chinese Academy", "Northlake University"], doubt="an academy kept where page 1 prints its institute")
    reading, dropped = ground(answer, header, rules)
    assert reading.institutions[0] == "Institute of Lantern Engineering, Chinese Academy of Sciences"  # not lifted
    assert decide(rules, reading, dropped).institutions == answer.institutions
    lab = "Lantern Lab, Northlake University"  # a university's lab is lifted to the university, as before
    assert ground(answer.model_copy(update={"institutions": [lab]}), header.replace("Northlake University", lab),
                  rules)[0].institutions == ["Northlake University"]


def test_an_author_the_rules_read_as_an_organisation_does_not_fail_the_models_author_list():
    """The rules read the byline's second half as organisations ('<Given> <Family>' with no
    organisation word): those names make no author of the model's an organisation."""
    header = ("Quiet Lanterns for Long Documents\nAda Quill1, Bo Lin2,\nCora Lind Vance1, Dov Pratt2\n"
              "1 Northlake University; 2 Harbor Polytechnic\nAbstract")
    rules = _paper(header, ["Cora Lind Vance", "Dov Pratt", "Northlake University", "Harbor Polytechnic"])
    model = Reading(title=rules.title, authors=["Ada Quill", "Bo Lin", "Cora Lind Vance", "Dov Pratt"],
                    institutions=["Northlake University", "Harbor Polytechnic"])
    shown = decide(rules, model, [])
    assert shown.authors == model.authors and shown.author_count == 4
    assert shown.institutions == ["Northlake University", "Harbor Polytechnic"]


def test_a_name_inside_another_only_as_whole_words():
    header = "Quiet Lanterns for Long Documents\nAda Quill1 Bo Lin1\n1 University of Westmarchs\nAbstract"
    rules = _paper(header, ["University of Westmarch"])  # the text layer lost a letter
    model = Reading(title=rules.title, authors=rules.authors, institutions=["University of Westmarchs"])
    assert decide(rules.model_copy(update={"confidence": {"institutions": FieldDoubt(confidence=0.3, reason="x")}}),
                  model, []).institutions == ["University of Westmarchs"]


def test_a_chinese_name_is_published_in_page_ones_form():
    header = "Quiet Lanterns for Long Documents\nAda Quill1 Bo Lin2\n1 Zhihu Inc.\n2 MIT\nAbstract"
    rules = _paper(header, ["Zhihu Inc."])
    shown = decide(rules, Reading(title=rules.title, authors=rules.authors, institutions=["知乎", "麻省理工学院"]), [])
    assert shown.institutions == ["Zhihu Inc.", "Massachusetts Institute of Technology (MIT)"]
    assert shown.model_reading.institutions == ["知乎", "麻省理工学院"]  # the model's form is kept beside it


def test_nothing_is_run_into_a_rules_name_that_is_no_organisation():
    """The rules cut 'Engineering and Advanced' out of a laboratory's name: the model's whole name
    is no organisation with words run into it, since the fragment is no organisation at all."""
    whole = "State Key Laboratory of Lantern Engineering and Advanced Computing"
    header = f"Quiet Lanterns for Long Documents\nAda Quill1 Bo Lin1\n1 {whole}\nAbstract"
    rules = _paper(header, ["Engineering and Advanced"], doubt="no sign of an organisation in: Engineering and Advanced")
    model = Reading(title=rules.title, authors=rules.authors, institutions=[whole])
    assert decide(rules, model, []).institutions == [whole]


# ---- one answer for a paper signed by a team ------------------------------------------------------

TEAM_PAGE = [(TITLE, 16, "c", 80), ("Lantern Team", 11, "c", 105), ("Harborlight Systems Inc.", 9, "c", 122)]


@pytest.mark.parametrize("model_authors", [["Lantern Team"], [], ["Harborlight Systems Inc."]])
def test_a_team_signed_paper_is_团队署名_whatever_the_model_read(tmp_path, model_authors):
    """The rules see a team's signature (no count of people); a model that reads the team as one
    author, or none, must not turn that into 1人 or 0人 anywhere (report.json keeps null)."""
    paper = drawn(tmp_path / "p.pdf", TEAM_PAGE)
    assert paper.author_count is None
    doubted = paper.model_copy(update={"confidence": {**paper.confidence, "authors": FieldDoubt(confidence=0.2, reason="x")}})
    for rules in (paper, doubted) if model_authors == ["Lantern Team"] else (paper,):  # a doubted rules reading gives way
        shown = decide(rules, Reading(title=TITLE, authors=model_authors, institutions=paper.institutions), [])
        assert shown.author_count is None
        brief = Brief(text="x", ok=True, checks=[], attempts=1, usage=Usage(), latency_s=0.0, prompt_id="brief",
                      prompt_version="1", fingerprint="f", model="m")
        report = Report(title="t", generated_at="now", prompt_id="brief", prompt_version="1", model="m",
                        results=[PaperResult(file="p.pdf", paper=shown, brief=brief)])
        assert "**作者数量**: 团队署名" in report_markdown(report) and "团队署名" in report_html(report)
        assert not any(f"{n}人" in report_markdown(report) for n in (0, 1))
        assert json.loads(report.model_dump_json())["results"][0]["paper"]["author_count"] is None


def test_an_anonymous_paper_is_not_a_team(tmp_path):
    paper = drawn(tmp_path / "p.pdf", [(TITLE, 16, "c", 80), ("Anonymous Authors", 11, "c", 105)])
    shown = decide(paper, Reading(title=TITLE, authors=[], institutions=[]), [])
    assert shown.author_count == 0


def test_a_published_paper_keeps_no_working_text_and_a_runs_readers_send_no_reasons(tmp_path):
    """What a run holds for each paper to its end: no header block and no rules' reasons (no report
    shows them; at a thousand papers they were megabytes). `inspect --explain` still gets its reasons."""
    from pipeline.run.reads import read_one, readers_for

    paper = drawn(tmp_path / "p.pdf", PAGES["running-head"])
    assert paper.header_text and paper.decisions  # the reading itself has both: the checks and inspect use them
    shown = published(paper, None)
    assert shown.header_text == "" and shown.decisions == []
    assert shown.title == paper.title and shown.institutions == paper.institutions
    settings = Settings()
    pool = readers_for(settings, [tmp_path / "p.pdf"])
    try:
        batch_read = asyncio.run(pool.paper(tmp_path / "p.pdf"))
    finally:
        pool.close(force=True)
    assert batch_read.decisions == [] and batch_read.header_text == paper.header_text
    assert asyncio.run(read_one(tmp_path / "p.pdf", settings)).decisions == paper.decisions


def test_a_partial_model_reading_does_not_win_over_a_name_with_no_sign_of_an_organisation():
    """The rules read five organisations, one with no organisation word ('Tidewater Animal Health
    Trust'), and doubt it; a weak model reads only the first. The model's partial reading is no
    reason to lose the other four."""
    names = ["Northlake University", "Quiet Lantern Health Institute", "Tidewater Animal Health Trust", "Harbor Polytechnic"]
    header = "Quiet Lanterns for Long Documents\nAda Quill1 Bo Lin2\n" + "\n".join(f"{i} {n}" for i, n in enumerate(names, 1))
    rules = _paper(header, names, doubt="no sign of an organisation in: Tidewater Animal Health Trust")
    shown = decide(rules, Reading(title=rules.title, authors=rules.authors, institutions=["Northlake University"]), [])
    assert shown.institutions == names and "institutions" in shown.overruled


def test_a_one_word_line_of_the_title_is_no_organisation():
    """'…Outbreak on a University' / 'campus': a small model reads the title's last line as the institution."""
    header = "Scenario Analysis for an Outbreak on a University\ncampus\nAda Quill\nAugust 15, 2031\nAbstract"
    rules = _paper(header, []).model_copy(update={"title": "Scenario Analysis for an Outbreak on a University campus",
                                                   "author_count": 1, "authors": ["Ada Quill"]})
    shown = decide(rules, Reading(title=rules.title, authors=["Ada Quill"], institutions=["campus"]), [])
    assert shown.institutions == []


def test_a_teaser_figures_words_in_the_rules_reading_lose_to_the_models_shorter_one():
    """The rules read a teaser figure's words as two more organisations ('Write a story named
    Lanternia', 'Lanterns ... [No Light]'); a model reads the three the page prints. Words of a
    sentence are worse than no sign of an organisation: the model's reading is published."""
    names = ["Northlake University", "Tidewater Institute of Technology", "Harbor Artificial Intelligence Laboratory"]
    figure = ["Write a story named Lanternia", "Lanterns ... [No Light]"]
    header = "Quiet Lanterns\nAda Quill1 Bo Lin2\n" + "\n".join(f"{i} {n}" for i, n in enumerate(names, 1)) + "\n" + "\n".join(figure)
    rules = _paper(header, names + figure, doubt="dropped as not organisations: Para 1: Lanternia is …")
    shown = decide(rules, Reading(title=rules.title, authors=rules.authors, institutions=names), [])
    assert shown.institutions == names and "institutions" not in shown.overruled
    assert PROSE_AS_ORGANISATION in institution_faults(figure, [])


def test_a_model_naming_what_the_rules_doubt_they_could_not_read_wins():
    """'1 Sigma Lantern, Paris, France': the rules read it as an address and doubt their two names
    for it; a model reads 'Sigma Lantern' too. A name with no organisation word is no reason to keep
    the shorter list when it is the very entry the rules' doubt names."""
    names = ["Sigma Lantern", "Mistrale Systems Inc.", "Rhizome Labs"]
    header = "Quiet Lanterns\nAda Quill1 Bo Lin2\n1 Sigma Lantern, Paris, France\n2 Mistrale Systems Inc., Paris\n3 Rhizome Labs, Paris"
    rules = _paper(header, names[1:], doubt="an entry names an address but no organisation the rules could read: "
                                            "Sigma Lantern, Paris, France")
    shown = decide(rules, Reading(title=rules.title, authors=rules.authors, institutions=names), [])
    assert shown.institutions == names
    unrelated = _paper(header, names[1:], doubt="the authors cite affiliation 4, but only 2 were read")
    assert decide(unrelated, Reading(title=rules.title, authors=rules.authors, institutions=names), []).institutions == names[1:]


def test_a_campus_the_registry_knows_as_its_own_university_is_not_words_run_into_the_other():
    """'The Chinese University of Hong Kong, Shenzhen' beside the rules' 'The Chinese University of Hong
    Kong': the registry knows the whole as another university, so the model's name is no run-in."""
    assert not institution_faults(["The Chinese University of Hong Kong, Shenzhen"], [], ["The Chinese University of Hong Kong"])
    assert institution_faults(["Northlake University Lantern Lab"], [], ["Northlake University"])


def test_letters_alone_read_as_an_institution_are_no_organisation():
    """A weak model reads a figure's axis letters under the byline ('t t') as the institution the
    rules could not find: letters alone carry no sign of an organisation, so nothing is published."""
    header = "Quiet Lanterns\nAda Quill\nt t\nAbstract"
    rules = _paper(header, [])
    assert decide(rules, Reading(title=rules.title, authors=rules.authors, institutions=["t t"]), []).institutions == []
    assert institution_faults(["t t"], []) and not institution_faults(["A*STAR"], [])
