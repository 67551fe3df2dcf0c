"""The answer contract: one JSON object with title, authors, institutions and the brief (and, for a
configured digest, its topic and whether it is on the digest's theme).

The brief prompt asks the model to read page 1's header and write the brief in one call. The
answer is data from outside: it is parsed leniently (a code fence or words around the object are
fine) but typed strictly, and every text in it is capped and made valid Unicode (an escaped
lone surrogate, "\\ud835", decodes into a string no encoder takes), so a malformed, deeply nested
or huge answer is a named failure of that paper, never a crash or a 50 MB string carried along.
"""

from __future__ import annotations

import functools
import json
import re

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from ..extract.text import MAX_JSON_DEPTH, json_depth, valid_unicode
from ..models import OTHER_TOPIC

KEYS = ("title", "authors", "institutions", "brief")
MAX_NAME = 300  # characters in one title, author or institution
MAX_NAMES = 100  # names in one list
MAX_BRIEF = 4000  # characters kept of the brief (the length check rejects anything over 600)
MAX_REASON = 200  # characters kept of the theme's one-line reason
_SCAN = 200_000  # characters of an answer searched for the object


class AnswerError(ValueError):
    """The answer does not hold the contract; the message says how, in Chinese, for the repair request."""


class ModelAnswer(BaseModel):
    """What the model says the header prints, and the brief it wrote."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    title: str
    authors: list[str]
    institutions: list[str]
    brief: str

    @field_validator("title", "brief")
    @classmethod
    def _capped(cls, value: str, info) -> str:
        return valid_unicode(value[:_SCAN]).strip()[: MAX_BRIEF if info.field_name == "brief" else MAX_NAME]

    @field_validator("authors", "institutions")
    @classmethod
    def _names(cls, value: list[str]) -> list[str]:
        names = (" ".join(valid_unicode(v[: MAX_NAME * 4]).split())[:MAX_NAME] for v in value[:MAX_NAMES])
        return [name for name in names if name]


class DigestAnswer(ModelAnswer):
    """The contract with a digest's keys, each optional: an answer without them (a repair that
    dropped them, a prompt without topics) is still the brief; `topic` is checked against the list
    where it is used (topic_of), `relevant` is kept only when it is a boolean."""

    topic: str = ""
    relevant: bool | None = None
    reason: str = ""

    @field_validator("topic", "reason", mode="before")
    @classmethod
    def _short_text(cls, value: object, info) -> str:
        if not isinstance(value, str):
            return ""
        return " ".join(valid_unicode(value[: MAX_REASON * 4]).split())[: MAX_NAME if info.field_name == "topic" else MAX_REASON]

    @field_validator("relevant", mode="before")
    @classmethod
    def _boolean(cls, value: object) -> bool | None:
        return value if isinstance(value, bool) else None


def topic_of(answer: DigestAnswer, topics: tuple[str, ...]) -> str:
    """The answer's topic when it is one of the digest's (spaces and case aside), else 其他; '' when
    the digest has no topics. Never a reason for a repair request by itself."""
    if not topics:
        return ""
    wanted = {" ".join(t.split()).casefold(): t for t in topics}
    return wanted.get(answer.topic.casefold(), OTHER_TOPIC)


@functools.lru_cache(maxsize=16)
def answer_schema(topics: tuple[str, ...] = (), theme: bool = False) -> dict:
    """The JSON schema of the answer contract, closed to other keys: what a brief request asks the
    endpoint to hold its answer to (llm/formats.py). With a digest's topics the answer must name one
    of them (or 其他); with its theme it says whether the paper is on it, and why."""
    schema = {**ModelAnswer.model_json_schema(), "additionalProperties": False}
    if not topics and not theme:
        return schema
    properties, required = dict(schema["properties"]), list(schema["required"])
    if topics:
        properties["topic"] = {"type": "string", "enum": [*dict.fromkeys([*topics, OTHER_TOPIC])]}
        required.append("topic")
    if theme:
        properties["relevant"] = {"type": "boolean"}
        properties["reason"] = {"type": "string"}
        required += ["relevant", "reason"]
    return {**schema, "properties": properties, "required": required}


def parse_answer(text: str) -> DigestAnswer:
    """The first JSON object in the answer that holds the contract; AnswerError otherwise."""
    text = text[:_SCAN]
    if json_depth(text) > MAX_JSON_DEPTH:
        raise AnswerError("回答里的 JSON 嵌套过深，不是所要的 JSON 对象")
    decoder = json.JSONDecoder()
    found_object = False
    for match in re.finditer(r"\{", text):
        try:
            value, _end = decoder.raw_decode(text, match.start())
        except (ValueError, RecursionError):
            continue
        if not isinstance(value, dict):
            continue
        found_object = True
        missing = [k for k in KEYS if k not in value]
        if missing:
            raise AnswerError(f"JSON 对象缺少键：{', '.join(missing)}")
        try:
            return DigestAnswer.model_validate(value)
        except ValidationError as exc:
            where = "、".join(sorted({str(e["loc"][0]) for e in exc.errors()}))
            raise AnswerError(f"键的类型不对：{where}（title 与 brief 应为字符串，authors 与 institutions 应为字符串列表）") from None
    raise AnswerError("回答里没有 JSON 对象" if not found_object else "回答里的 JSON 无法解析")
