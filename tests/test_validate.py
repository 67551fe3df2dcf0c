"""The brief contract: shape, one sentence, institution, title and grounded numbers."""

from __future__ import annotations

import pytest

from pipeline.brief.validate import check, failed_checks
from pipeline.models import Paper

PAPER = Paper(
    file="x.pdf", sha256="0" * 64, title="LatticeKV: Paged Key-Value Caches for Long-Context Inference",
    authors=["A B"], author_count=1, institutions=["Northlake University"],
    abstract="LatticeKV serves 3.1 times more requests and lowers tail latency by 42% on 128K-token prompts.",
)
GOOD = "Northlake University发布了LatticeKV论文，使用分页键值缓存，解决了长上下文推理的内存瓶颈问题，达成了尾延迟降低42%的效果。"


def failed_names(text, paper=PAPER):
    return [r.name for r in failed_checks(check(text, paper))]


def test_a_good_brief_passes_every_check():
    assert failed_names(GOOD) == []


def test_full_title_in_book_quotes_is_accepted():
    text = GOOD.replace("LatticeKV论文", "《LatticeKV: Paged Key-Value Caches for Long-Context Inference》论文")
    assert failed_names(text) == []


@pytest.mark.parametrize(
    ("text", "failed"),
    [
        (GOOD.replace("Northlake University", "研究团队"), ["institution"]),
        (GOOD.replace("Northlake University", "Southgate College"), ["institution"]),
        (GOOD.replace("LatticeKV论文", "KVLattice论文"), ["title"]),
        (GOOD.replace("42%", "57%"), ["numbers"]),
        (GOOD.replace("，解决了", "。解决了"), ["shape", "one_sentence"]),
        ("这篇论文很好。", ["shape", "length"]),
        (GOOD.rstrip("。"), ["shape", "one_sentence"]),
    ],
)
def test_each_broken_rule_is_named(text, failed):
    assert failed_names(text) == failed


def test_a_chinese_name_nobody_can_verify_is_not_published():
    assert failed_names(GOOD.replace("Northlake University", "北湖大学")) == ["institution"]


def test_placeholder_is_allowed_only_for_anonymous_papers():
    anonymous = PAPER.model_copy(update={"institutions": [], "author_count": 0})
    assert failed_names(GOOD.replace("Northlake University", "匿名作者"), anonymous) == []


@pytest.mark.parametrize("wrapped", [f"“{GOOD}”", f"简报：{GOOD}", f"```\n{GOOD}\n```", f'"{GOOD}"'])
def test_wrappers_around_the_sentence_are_removed(wrapped):
    from pipeline.brief.write import tidy_answer

    assert tidy_answer(wrapped) == GOOD


def test_latin_institutions_must_each_be_printed_in_the_paper():
    paper = PAPER.model_copy(update={"header_text": "Mira Castellan 1 Northlake University 2 Harbor Labs"})
    two = GOOD.replace("Northlake University", "Northlake University and Harbor Labs")
    assert failed_names(two, paper) == []  # Harbor Labs is on the page though the rules missed it
    invented = GOOD.replace("Northlake University", "Northlake University and Southgate College")
    assert failed_names(invented, paper) == ["institution"]


def test_latin_names_joined_by_chinese_conjunctions_are_checked_each():
    paper = PAPER.model_copy(update={"header_text": "Northlake University"})
    assert failed_names(GOOD.replace("Northlake University", "Northlake University与Southgate College"), paper) == ["institution"]
    assert failed_names(GOOD.replace("Northlake University", "Northlake University与南门学院"), paper) == ["institution"]


# ---- issue: accept every correct form, publish no wrong one (tables of invented examples) ----

TSINGHUA = PAPER.model_copy(update={
    "title": "Lumen, Light-Weight Retrieval for Edge Search", "institutions": ["Tsinghua University", "KAIST"],
    "authors": ["Mira Castellan", "Tobias Rennick"], "abstract": "Lumen answers 73% of queries within 2.5 ms, 3.1 times faster.",
    "header_text": "Lumen Mira Castellan Tobias Rennick Tsinghua University KAIST"})
BODY = "论文，使用轻量检索，解决了边缘搜索延迟高的问题，达成了73%查询在2.5毫秒内完成的效果。"


@pytest.mark.parametrize("org", [
    "Tsinghua University", "清华大学", "清华大学与KAIST", "Tsinghua University、Korea Advanced Institute of Science and Technology",
    "Korea Advanced Institute of Science and Technology", "韩国科学技术院", "Tsinghua", "清华大学和韩国科学技术院",
])
def test_institution_forms_accepted(org):
    assert failed_names(f"{org}发布了Lumen{BODY}", TSINGHUA) == []


@pytest.mark.parametrize(("org", "why"), [
    ("Mira Castellan", "作者姓名"),            # an author is not an institution
    ("Peking University", "不是本文机构"),      # a known institution that is not this paper's
    ("北京大学", "Peking University"),          # a Chinese name the table gives to another institution
    ("Southgate College", "不在论文署名机构中"),  # printed nowhere
    ("KAISTX", "不是本文机构"),                 # acronyms match as whole tokens
])
def test_institution_forms_rejected(org, why):
    results = check(f"{org}发布了Lumen{BODY}", TSINGHUA)
    bad = [r for r in results if not r.ok]
    assert [r.name for r in bad] == ["institution"] and why in bad[0].detail


def test_acronym_is_a_whole_token():
    paper = TSINGHUA.model_copy(update={"institutions": ["UCLA"], "header_text": "UCLA"})
    assert failed_names(f"UCL发布了Lumen{BODY}", paper) == ["institution"]
    assert failed_names(f"UCLA发布了Lumen{BODY}", paper) == []


def test_unknown_chinese_name_fails_and_asks_for_the_printed_name():
    results = check(f"清湖大学发布了Lumen{BODY}", TSINGHUA)
    inst_result = next(r for r in results if r.name == "institution")
    assert not inst_result.ok and "照论文首页的写法" in inst_result.detail


def test_names_are_not_split_inside_a_name():
    from pipeline.brief.validate import split_names

    paper = TSINGHUA.model_copy(update={"institutions": ["University of Science and Technology of China"]})
    assert split_names("University of Science and Technology of China与清华大学", paper) == [
        "University of Science and Technology of China", "清华大学"]
    assert split_names("Korea Advanced Institute of Science and Technology", TSINGHUA) == [
        "Korea Advanced Institute of Science and Technology"]
    assert split_names("Orchard University and Harbor Labs", TSINGHUA) == ["Orchard University", "Harbor Labs"]


@pytest.mark.parametrize(("effect", "ok"), [
    ("73.0%查询在2.5毫秒内完成", True), ("73%查询在2.50毫秒内完成", True), ("速度提升3.1倍", True),
    ("速度提升3.1x", True), ("速度提升3.10 times", True), ("速度提升4倍", False), ("74%查询完成", False),
])
def test_numbers_compare_by_value(effect, ok):
    text = f"Tsinghua University发布了Lumen论文，使用轻量检索，解决了边缘搜索延迟高的问题，达成了{effect}的效果。"
    assert (failed_names(text, TSINGHUA) == []) is ok


@pytest.mark.parametrize(("named", "ok"), [
    ("Lumen", True), ("《Lumen》", True), ("“Lumen”", True), ("Lumen, Light-Weight Retrieval for Edge Search", True),
    ("《Lumen, Light-Weight Retrieval for Edge Search》", True), ("LatticeKV", False), ("Lantern", False),
])
def test_title_forms(named, ok):
    assert (failed_names(f"Tsinghua University发布了{named}{BODY}", TSINGHUA) == []) is ok


def test_short_title_before_a_dash():
    paper = TSINGHUA.model_copy(update={"title": "Lumen – Light-Weight Retrieval for Edge Search"})
    assert failed_names(f"Tsinghua University发布了《Lumen》{BODY}", paper) == []


def test_repair_request_names_each_failure_as_an_instruction():
    import json

    from pipeline.brief.write import assess, repair_message

    answer = json.dumps({"title": TSINGHUA.title, "authors": TSINGHUA.authors, "institutions": TSINGHUA.institutions,
                         "brief": f"北京大学发布了LatticeKV{BODY.replace('73%', '99%')}"}, ensure_ascii=False)
    message = repair_message(assess(answer, TSINGHUA))
    assert "1. 机构" in message and "Tsinghua University" in message
    assert "2. 标题" in message and "Lumen" in message
    assert "3. 数字" in message and "99" in message


def test_names_copied_with_their_markers_are_not_a_subject():
    """A small model copies the affiliation line by position, markers and all: the brief must name
    the organisations, not the line."""
    two = PAPER.model_copy(update={"institutions": ["Northlake University", "Harborlight Systems Inc."]})
    rest = GOOD.removeprefix("Northlake University")
    assert "institution" in failed_names("1 Northlake University2 Harborlight Systems Inc." + rest, two)
    assert "institution" in failed_names("Northlake University∗ Harborlight Systems Inc.†" + rest, two)
    assert failed_names("Northlake University、Harborlight Systems Inc." + rest, two) == []
    three_m = PAPER.model_copy(update={"institutions": ["3M Company"]})  # a digit inside a name is no marker
    assert "institution" not in failed_names("3M Company" + rest, three_m)


def test_a_footnote_sentence_copied_as_the_subject_fails():
    rest = GOOD.removeprefix("Northlake University")
    for subject in ("• A. Bo is with Northlake University", "A. Bo is also with Northlake University",
                    "The authors are with Northlake University"):
        assert "institution" in failed_names(subject + rest), subject
    assert failed_names(GOOD) == []


def test_a_companys_chinese_name_names_its_team():
    """'<Brand> Seed <Team>' printed on page 1: the brand's Chinese name opens an honest brief."""
    paper = PAPER.model_copy(update={"institutions": ["ByteDance Seed Lanterns"]})
    assert failed_names(GOOD.replace("Northlake University", "字节跳动"), paper) == []
    assert failed_names(GOOD.replace("Northlake University", "腾讯"), paper) == ["institution"]


@pytest.mark.parametrize("subject", ["Orchard Institute for Data Science   Department of Optics", "Department of Optics"])
def test_a_subject_copying_side_by_side_cells_or_a_department_fails(subject):
    paper = PAPER.model_copy(update={"header_text": "LatticeKV\nA B\nOrchard Institute for Data Science   Department of Optics"})
    assert failed_names(GOOD.replace("Northlake University", subject), paper) == ["institution"]
