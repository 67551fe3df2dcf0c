"""Prompt files: strict YAML models rendered with langchain-core templates, and their fingerprints.

A typo in a YAML key is an error (extra="forbid"), not a silently ignored field. The fingerprint is
the hash of what is actually sent (rendered messages, model, parameters), so editing a comment in
the YAML changes nothing, while editing a template invalidates exactly the runs it affects.
"""

from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .models import Paper

PROMPTS_DIR = Path(__file__).resolve().parent.parent / "prompts"
DEFAULT_PROMPT = PROMPTS_DIR / "brief.yaml"
ABSTRACT_LIMIT = 2400  # characters: the brief needs the abstract, not the whole paper


class PromptError(Exception):
    """A prompt file that cannot be used; the message names the file and the field."""


class PromptFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    version: str
    model: str = "gpt-4o-mini"
    parameters: dict[str, Any] = Field(default_factory=dict)
    system: str
    user: str


class RenderedPrompt(BaseModel):
    """Exactly what goes to the endpoint for one paper, with its fingerprint."""

    model_config = ConfigDict(frozen=True)

    prompt_id: str
    prompt_version: str
    model: str
    parameters: dict[str, Any]
    messages: list[dict[str, str]]
    fingerprint: str


def load_prompt(path: str | Path | None = None) -> PromptFile:
    path = Path(path) if path else DEFAULT_PROMPT
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PromptError(f"{path}: prompt file not found") from None
    except yaml.YAMLError as exc:
        raise PromptError(f"{path}: invalid YAML ({exc})") from None
    try:
        return PromptFile.model_validate(data)
    except ValidationError as exc:
        fields = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise PromptError(f"{path}: {fields}") from None


def paper_variables(paper: Paper) -> dict[str, str]:
    """Paper fields as template values; delimiters inside the data are neutralised."""
    values = {
        "title": paper.title,
        "institutions": "; ".join(paper.institutions) or "（论文未署名机构）",
        "abstract": paper.abstract[:ABSTRACT_LIMIT],
        "authors": ", ".join(paper.authors),
        "author_count": str(paper.author_count if paper.author_count is not None else ""),
    }
    return {k: _defang(v) for k, v in values.items()}


def _defang(text: str) -> str:
    return text.replace("<paper>", "‹paper›").replace("</paper>", "‹/paper›")


@functools.lru_cache(maxsize=32)
def _template(system: str, user: str):
    """Parsed once per prompt text: a batch renders the same template for every paper."""
    from langchain_core.prompts import ChatPromptTemplate

    return ChatPromptTemplate.from_messages([("system", system), ("user", user)])


def render(prompt: PromptFile, paper: Paper, model: str | None = None) -> RenderedPrompt:
    from langchain_core.messages import convert_to_openai_messages

    template = _template(prompt.system, prompt.user)
    try:
        messages = convert_to_openai_messages(template.format_messages(**paper_variables(paper)))
    except KeyError as exc:
        raise PromptError(f"prompt {prompt.id}: unknown template variable {exc}") from None
    chosen = model or prompt.model
    return RenderedPrompt(
        prompt_id=prompt.id,
        prompt_version=prompt.version,
        model=chosen,
        parameters=dict(prompt.parameters),
        messages=[{"role": m["role"], "content": m["content"]} for m in messages],
        fingerprint=fingerprint(messages, chosen, prompt.parameters),
    )


def fingerprint(messages: list[dict[str, Any]], model: str, parameters: dict[str, Any]) -> str:
    payload = json.dumps({"messages": messages, "model": model, "parameters": parameters}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]
