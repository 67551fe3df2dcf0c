"""Every message of the conversation lives in the prompt file: the repair request too, rendered by
langchain-core's template formatter and covered by the prompt's fingerprint."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.brief.prompts import DEFAULT_PROMPT, PromptError, load_prompt, render_prompt, template_fingerprint
from pipeline.brief.write import assess, cut_at_max_tokens, repair_message, repair_messages
from pipeline.extract.pdf import extract
from pipeline.metadata import read_metadata

NOT_JSON = "这不是一个 JSON 对象"


@pytest.fixture(scope="module")
def paper(sample_dir):
    return read_metadata(extract(sample_dir / "open-harbor-bench.pdf"))


def prompt_with(tmp_path: Path, old: str, new: str, name: str = "edited.yaml") -> Path:
    text = DEFAULT_PROMPT.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / name
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_the_default_prompt_holds_both_repair_requests():
    prompt = load_prompt()
    assert "{problems}" in prompt.repair and "{problems}" in prompt.repair_cut_off
    assert prompt.repair != prompt.repair_cut_off


def test_editing_the_repair_text_changes_the_fingerprint_and_a_comment_does_not(tmp_path, paper):
    default = load_prompt()
    repair = load_prompt(prompt_with(tmp_path, "上一条回答有以下问题，请改正：", "上一条回答不对，请改正：", "repair.yaml"))
    cut = load_prompt(prompt_with(tmp_path, "请只输出简短的 JSON 对象", "请只输出更短的 JSON 对象", "cut.yaml"))
    comment = tmp_path / "comment.yaml"
    comment.write_text("# a comment about the repair request\n" + DEFAULT_PROMPT.read_text(encoding="utf-8"),
                       encoding="utf-8")
    commented = load_prompt(comment)
    prints = {name: render_prompt(p, paper).fingerprint
              for name, p in (("default", default), ("repair", repair), ("cut", cut), ("comment", commented))}
    assert prints["comment"] == prints["default"]
    assert len({prints["default"], prints["repair"], prints["cut"]}) == 3
    templates = {template_fingerprint(p) for p in (default, repair, cut)}  # what a replay matches on
    assert len(templates) == 3 and template_fingerprint(commented) == template_fingerprint(default)


def test_the_repair_request_is_the_prompt_files_template_with_the_problems_filled_in(tmp_path, paper):
    mine = load_prompt(prompt_with(tmp_path, "上一条回答有以下问题，请改正：", "请按下列各条改正上一条回答："))
    rendered = render_prompt(mine, paper)
    judged = assess(NOT_JSON, paper)
    conversation = repair_messages(rendered.messages, NOT_JSON, judged, rendered.repair)
    assert conversation[:-2] == rendered.messages and conversation[-2] == {"role": "assistant", "content": NOT_JSON}
    asked = conversation[-1]["content"]
    assert asked.startswith("请按下列各条改正上一条回答：\n1. 回答格式：") and "{problems}" not in asked
    cut = repair_message(cut_at_max_tokens(judged, 700), rendered.repair)
    assert cut.startswith("上一条回答太长") and "1. 回答被截断：answer cut off at max_tokens=700" in cut


def test_without_templates_the_repair_request_is_the_default_prompts(paper):
    judged = assess(NOT_JSON, paper)
    assert repair_message(judged) == repair_message(judged, render_prompt(load_prompt(), paper).repair)


def test_repair_rendering_equals_langchain_chat_prompt_template(paper):
    from langchain_core.messages import convert_to_openai_messages
    from langchain_core.prompts import ChatPromptTemplate

    prompt = load_prompt()
    problems = "1. 回答格式：not JSON {with braces}\n2. 机构“X”：首页未印出，已删除"
    templates = render_prompt(prompt, paper).repair
    for cut_off, template in ((False, prompt.repair), (True, prompt.repair_cut_off)):
        expected = convert_to_openai_messages(ChatPromptTemplate.from_messages([("user", template)])
                                              .format_messages(problems=problems))
        assert templates.render(problems, cut_off) == expected[0]["content"]


@pytest.mark.parametrize(("old", "new", "said"), [
    ("{problems}\n  请重新读取", "{title}\n  请重新读取", "repair: unknown template variable(s) title; available: problems"),
    ("repair_cut_off: |-", "repair_cutoff: |-", "repair_cutoff: Extra inputs are not permitted"),
    ("上一条回答太长", "上一条回答太长{problems:>99999999}", "repair_cut_off: placeholder {problems:>99999999} is not a bare name"),
])
def test_a_repair_template_mistake_is_an_error_naming_the_field(tmp_path, old, new, said):
    with pytest.raises(PromptError) as caught:
        load_prompt(prompt_with(tmp_path, old, new))
    assert said in str(caught.value)


def test_a_prompt_file_without_the_repair_request_asks_with_the_shipped_one(tmp_path, paper):
    text = DEFAULT_PROMPT.read_text(encoding="utf-8")
    path = tmp_path / "older.yaml"
    path.write_text(text[:text.index("repair:")], encoding="utf-8")
    older, shipped = load_prompt(path), load_prompt()
    assert (older.repair, older.repair_cut_off) == (shipped.repair, shipped.repair_cut_off)
    assert render_prompt(older, paper).fingerprint == render_prompt(shipped, paper).fingerprint
