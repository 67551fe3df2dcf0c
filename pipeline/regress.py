"""Prompt regression against a recorded cassette: replay offline, say what a prompt change invalidates.

Each paper is replayed through the real brief path under `record_mode="none"`. A request the
cassette does not hold means the rendered prompt changed; the cassette's recorded requests are
then compared field by field to say which part (model, a parameter, system or user message).
"""

from __future__ import annotations

import asyncio
import difflib
import json
from pathlib import Path

import yaml
from pydantic import BaseModel

from . import cassette
from .brief import write_brief
from .llm import DEFAULT_ATTEMPTS, LLMClient, LLMError
from .models import CheckResult, Paper, Report
from .prompts import PromptFile, RenderedPrompt, render
from .reading import read_paper
from .validate import failures


class RegressRow(BaseModel):
    file: str
    prompt_matches: bool
    prompt_diff: str = ""
    validators_pass: bool = False
    failed_checks: list[str] = []
    golden_matches: bool | None = None
    brief: str = ""
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.prompt_matches and self.validators_pass and self.golden_matches is not False and not self.error


def recorded_requests(path: Path) -> list[dict]:
    """Request bodies recorded in a cassette, parsed."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    bodies = []
    for interaction in data.get("interactions", []):
        body = interaction.get("request", {}).get("body")
        try:
            bodies.append(json.loads(body if isinstance(body, str) else (body or {}).get("string", "{}")))
        except (json.JSONDecodeError, TypeError, AttributeError):
            continue
    return bodies


def describe_change(rendered: RenderedPrompt, recorded: list[dict]) -> str:
    """Which part of the rendered prompt differs from the closest first-attempt recording."""
    first_attempts = [b for b in recorded if len(b.get("messages", [])) == len(rendered.messages)]
    if not first_attempts:
        return "no recording for this paper"
    wanted_user = rendered.messages[-1]["content"]

    def closeness(body: dict) -> float:
        return difflib.SequenceMatcher(None, body["messages"][-1].get("content", ""), wanted_user).quick_ratio()

    best = max(first_attempts, key=closeness)
    parts = []
    if best.get("model") != rendered.model:
        parts.append(f"model {best.get('model')} -> {rendered.model}")
    for key in sorted(set(rendered.parameters) | {k for k in best if k not in ("model", "messages", "response_format")}):
        if best.get(key) != rendered.parameters.get(key):
            parts.append(f"parameter {key} {best.get(key)} -> {rendered.parameters.get(key)}")
    for old, new in zip(best["messages"], rendered.messages):
        if old.get("content") != new["content"]:
            parts.append(f"{new['role']} message: {_first_difference(old.get('content', ''), new['content'])}")
    return "; ".join(parts) or "request differs"


def _first_difference(old: str, new: str) -> str:
    for a, b in zip(old.splitlines(), new.splitlines()):
        if a != b:
            return f"'{a.strip()[:60]}' -> '{b.strip()[:60]}'"
    return "lines added or removed"


def regress(folder: Path, cassette_path: Path, prompt: PromptFile, model: str | None = None,
            golden: Report | None = None, attempts: int = DEFAULT_ATTEMPTS) -> list[RegressRow]:
    """One row per PDF in the folder."""
    from .runner import discover

    cassette.check_cassette(cassette_path)
    recorded = recorded_requests(cassette_path)
    golden_by_sha = {r.sha256: r for r in golden.results} if golden else {}
    rows = []
    for path in discover(folder):
        read = read_paper(str(path))
        if isinstance(read, str):
            rows.append(RegressRow(file=path.name, prompt_matches=False, error=read))
            continue
        rows.append(_row(path.name, read, prompt, model, cassette_path, recorded, golden_by_sha, golden is not None,
                         attempts))
    return rows


def _row(name: str, paper: Paper, prompt: PromptFile, model: str | None, cassette_path: Path, recorded: list[dict],
         golden_by_sha: dict, has_golden: bool, attempts: int) -> RegressRow:
    rendered = render(prompt, paper, model)

    async def go() -> tuple[str, list[CheckResult]]:
        client = LLMClient(base_url="http://replay.invalid/v1", api_key="replay", attempts=attempts, pause=False)
        try:
            with cassette.replay(cassette_path):
                brief = await write_brief(paper, rendered, client)  # raises only if the first request is not recorded
            return brief.text, brief.checks
        finally:
            await client.close()

    try:
        text, results = asyncio.run(go())
    except LLMError as exc:
        if "no recorded response" in str(exc):
            return RegressRow(file=name, prompt_matches=False, prompt_diff=describe_change(rendered, recorded))
        return RegressRow(file=name, prompt_matches=False, error=str(exc))
    failed = [f"{c.name}: {c.detail}" for c in failures(results)]
    golden_entry = golden_by_sha.get(paper.sha256)
    golden_ok = None
    if has_golden:
        golden_ok = bool(golden_entry and golden_entry.brief and golden_entry.brief.text == text)
    return RegressRow(file=name, prompt_matches=True, validators_pass=not failed, failed_checks=failed,
                      golden_matches=golden_ok, brief=text)
