"""The checks in a batch against the stand-in: correct forms publish at the first answer, planted
errors are never published (every paper and answer here is invented for the test)."""

from __future__ import annotations

import json

import pytest
from pages import paper_page

from pipeline.cli import main

pytest.importorskip("reportlab")

ABSTRACT = ("We present {name}, a method that answers 73% of queries within 2.5 ms on a phone and runs 3.1 "
            "times faster than the strongest baseline while keeping accuracy on every benchmark we tried.")
PAPERS = {  # file: (title, authors, affiliations)
    "lumen.pdf": ("Lumen, Light-Weight Retrieval for Edge Search", "Mira Castellan, Tobias Rennick", ["KAIST"]),
    "orbit.pdf": ("Orbit: Scheduling Satellites with Sparse Attention", "Ines Okafor, Hale Whitcombe",
                  ["Tsinghua University, Beijing, China"]),
    "harbor.pdf": ("Harbor: Tide Tables for Cache Eviction", "Rosa Delacroix, Piet Lindqvist, Bo Jensen",
                   ["1 Orchard University", "2 Harbor Labs", "3 Tsinghua University"]),
    "quill.pdf": ("Quill: Sketching Proofs with Small Models", "Amara Quist, Elif Kaya",
                  ["Korea Advanced Institute of Science and Technology"]),
}
SENTENCE = "发布了{title}论文，使用轻量检索，解决了边缘搜索延迟高的问题，达成了{effect}的效果。"


def folder_of_papers(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for file, (title, authors, affiliations) in PAPERS.items():
        paper_page(folder / file, title, authors, affiliations, ABSTRACT.format(name=title.split(":")[0].split(",")[0]))
    return folder


def brief_requests(standin):
    return [r for r in standin.requests if "首页:" not in r["body"]["messages"][-1]["content"]]


def run(folder, out, standin) -> int:
    return main(["run", str(folder), "-o", str(out), "--base-url", standin.base_url, "--api-key", "k"])


def test_correct_forms_publish_at_the_first_answer(tmp_path, fake_model):
    folder = folder_of_papers(tmp_path)
    answers = {
        # acronym spelt out, 《short title》 before a comma, the whole answer in quotes, 73.0% for 73%
        "Lumen, Light-Weight Retrieval for Edge Search":
            "“Korea Advanced Institute of Science and Technology"
            + SENTENCE.format(title="《Lumen》", effect="73.0%的查询在2.5毫秒内完成") + "”",
        # a known Chinese name, a bold label, 3.1倍 for '3.1 times'
        "Orbit: Scheduling Satellites with Sparse Attention":
            "**简报**：清华大学" + SENTENCE.format(title="Orbit", effect="速度提升3.1倍"),
        # several institutions joined with 、 and 与, one of them in Chinese
        "Harbor: Tide Tables for Cache Eviction":
            "Orchard University、Harbor Labs与清华大学" + SENTENCE.format(title="Harbor", effect="速度提升3.10x"),
        # the acronym for a page that spells the name out
        "Quill: Sketching Proofs with Small Models": "KAIST" + SENTENCE.format(title="《Quill》", effect="73%的查询快速完成"),
    }
    fake_model.replies.update(answers)
    assert run(folder, tmp_path / "out", fake_model) == 0
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert sorted(r["file"] for r in report["results"] if r["brief"] and r["brief"]["ok"]) == sorted(PAPERS)
    assert len(brief_requests(fake_model)) == len(PAPERS)  # no repair request was needed
    assert all(r["brief"]["attempts"] == 1 for r in report["results"])


def test_planted_errors_are_never_published(tmp_path, fake_model):
    folder = folder_of_papers(tmp_path)
    planted = {
        "Lumen, Light-Weight Retrieval for Edge Search":  # an author as the institution
            "Mira Castellan" + SENTENCE.format(title="Lumen", effect="73%的查询快速完成"),
        "Orbit: Scheduling Satellites with Sparse Attention":  # another paper's institution
            "Orchard University" + SENTENCE.format(title="Orbit", effect="73%的查询快速完成"),
        "Harbor: Tide Tables for Cache Eviction":  # another paper's title
            "Orchard University" + SENTENCE.format(title="Orbit", effect="73%的查询快速完成"),
        "Quill: Sketching Proofs with Small Models":  # an invented number and a wrong Chinese name
            "北京大学" + SENTENCE.format(title="Quill", effect="99.5%的查询快速完成"),
    }
    fake_model.replies.update(planted)
    assert run(folder, tmp_path / "out", fake_model) == 1
    report_md = (tmp_path / "out" / "report.md").read_text()
    for answer in planted.values():
        assert answer not in report_md
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert not [r for r in report["results"] if r["brief"] and r["brief"]["ok"]]
    repairs = [r["body"]["messages"][-1]["content"] for r in brief_requests(fake_model) if len(r["body"]["messages"]) > 2]
    assert len(repairs) == len(PAPERS)
    joined = "\n".join(repairs)
    for words in ("作者姓名", "不在论文署名机构中", "论文标题应写", "99.5", "Peking University"):
        assert words in joined
