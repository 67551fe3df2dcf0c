"""The brief contract: shape, one sentence, institution, title and grounded numbers."""

from __future__ import annotations

import pytest

from pipeline.models import Paper
from pipeline.validate import check, failures

PAPER = Paper(
    file="x.pdf", sha256="0" * 64, title="LatticeKV: Paged Key-Value Caches for Long-Context Inference",
    authors=["A B"], author_count=1, institutions=["Northlake University"],
    abstract="LatticeKV serves 3.1 times more requests and lowers tail latency by 42% on 128K-token prompts.",
)
GOOD = "Northlake University发布了LatticeKV论文，使用分页键值缓存，解决了长上下文推理的内存瓶颈问题，达成了尾延迟降低42%的效果。"


def failed_names(text, paper=PAPER):
    return [r.name for r in failures(check(text, paper))]


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


def test_chinese_institution_rendering_is_accepted():
    assert failed_names(GOOD.replace("Northlake University", "北湖大学")) == []


def test_placeholder_is_allowed_only_for_anonymous_papers():
    anonymous = PAPER.model_copy(update={"institutions": [], "author_count": 0})
    assert failed_names(GOOD.replace("Northlake University", "匿名作者"), anonymous) == []


@pytest.mark.parametrize("wrapped", [f"“{GOOD}”", f"简报：{GOOD}", f"```\n{GOOD}\n```", f'"{GOOD}"'])
def test_wrappers_around_the_sentence_are_removed(wrapped):
    from pipeline.brief import tidy_answer

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
    assert failed_names(GOOD.replace("Northlake University", "Northlake University与南门学院"), paper) == []
