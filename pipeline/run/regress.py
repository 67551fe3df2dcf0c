"""Prompt regression against a recorded cassette: replay offline, say what a prompt change invalidates.

Each paper is replayed through the real brief path under `record_mode="none"`. A request the
cassette does not hold means the rendered prompt changed; the cassette's recorded requests are
then compared field by field to say which part (model, a parameter, system or user message).
A paper whose prompt is unchanged but which reads differently today (a reader change, another
machine's fonts) replays its recorded answer, checked against today's reading, and gets a
verdict of its own: its reading changed, which is not a prompt change.
"""

from __future__ import annotations

import asyncio
import difflib
import json
from pathlib import Path

import yaml
from pydantic import BaseModel

from ..brief.prompts import PromptFile, RenderedPrompt
from ..brief.validate import failed_checks
from ..extract.readers import discover
from ..llm import client_for
from ..models import KINDS, PaperResult, Report
from ..settings import Settings
from . import cassette, failures
from .flow import PaperFlow, Prepared, contained, contained_call
from .reads import read_all


class RegressRow(BaseModel):
    file: str
    prompt_matches: bool
    prompt_diff: str = ""
    validators_pass: bool = False
    failed_checks: list[str] = []
    golden_matches: bool | None = None
    brief: str = ""
    error: str = ""
    reading_changed: str = ""  # where today's reading of the paper differs from the recorded request ("header lines 7-8")
    golden_brief: str | None = None  # the golden report's brief of this paper, when it differs (None: it holds none)
    topic: str = ""  # a configured digest's topic and relevance in the replayed answer
    relevant: bool | None = None
    digest_moves: list[str] = []  # what moved against the golden report: 'topic 量化 -> 剪枝', 'relevant yes -> no'

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
    for old, new in zip(best["messages"], rendered.messages, strict=False):
        if old.get("content") != new["content"]:
            parts.append(f"{new['role']} message: {_first_difference(old.get('content', ''), new['content'])}")
    return "; ".join(parts) or "request differs"


def _first_difference(old: str, new: str) -> str:
    for a, b in zip(old.splitlines(), new.splitlines(), strict=False):
        if a != b:
            return f"'{a.strip()[:60]}' -> '{b.strip()[:60]}'"
    return "lines added or removed"


def regress(folder: Path | list[Path], cassette_path: Path, prompt: PromptFile, golden: Report | None = None,
            settings: Settings | None = None) -> list[RegressRow]:
    """One row per PDF in the folder, each replayed from the cassette. `settings` (the model, the
    reader limits) default to what `record` would resolve here."""
    settings = (settings or Settings.build()).model_copy(update={"cassette": Path(cassette_path)})
    cassette.check_cassette(settings.cassette)
    return asyncio.run(_regress(settings, folder, prompt, golden))


async def _regress(settings: Settings, folder: Path | list[Path], prompt: PromptFile, golden: Report | None) -> list[RegressRow]:
    recorded = recorded_requests(settings.cassette)
    golden_by_sha = {r.sha256: r for r in golden.results} if golden else {}
    replaying = settings.model_copy(update={"base_url": "http://replay.invalid/v1", "api_key": "replay"})
    client = client_for(replaying, pause=False)
    flow = PaperFlow(prompt, settings.model, store=None)  # a replay pays for nothing: nothing to store
    rows = []
    try:
        for read in (await read_all(settings, discover(folder if isinstance(folder, list) else Path(folder)))).values():
            started = contained_call(lambda failure, read=read: failures.failed(read.file, failure), lambda read=read: flow.start(read))
            if isinstance(started, PaperResult):
                rows.append(_row(started, None, recorded))
                continue
            with cassette.replay(settings.cassette) as replayed:
                result = await contained(read.file, flow.answer(started, client), read.sha256)
            row = _row(result, started, recorded, replayed)
            rows.append(_against_golden(row, read.sha256, golden_by_sha, golden is not None))
    finally:
        await client.close()
    return rows


def _row(result: PaperResult, prepared: Prepared | None, recorded: list[dict],
         replayed: cassette.Replay | None = None) -> RegressRow:
    """A replayed paper's verdicts, read from its failure's kind (models.KINDS) or its brief's checks."""
    verdict = KINDS[result.failure.kind].verdict if result.failure else ""
    if verdict == "prompt" and prepared is not None:
        return RegressRow(file=result.file, prompt_matches=False, prompt_diff=describe_change(prepared.rendered, recorded))
    if result.brief is None:
        return RegressRow(file=result.file, prompt_matches=False, error=result.error)
    failed = [f"{c.name}: {c.detail}" for c in failed_checks(result.brief.checks)]
    changed = replayed.reading_changes.get(result.sha256, "") if replayed is not None else ""
    return RegressRow(file=result.file, prompt_matches=True, validators_pass=not failed, failed_checks=failed,
                      brief=result.brief.text, reading_changed=changed, topic=result.brief.topic,
                      relevant=result.brief.relevant)


def prompt_verdict(row: RegressRow) -> str:
    """The prompt column of regress: same, READING (the prompt is the same, the paper reads
    differently than when it was recorded), CHANGED or ERROR."""
    if row.error:
        return "ERROR"
    if not row.prompt_matches:
        return "CHANGED"
    return "READING" if row.reading_changed else "same"


def _against_golden(row: RegressRow, sha256: str, golden_by_sha: dict, has_golden: bool) -> RegressRow:
    if not has_golden or not row.prompt_matches:
        return row
    entry = golden_by_sha.get(sha256)
    golden = entry.brief.text if entry and entry.brief else None
    moves = _digest_moves(entry.brief, row) if entry and entry.brief else []
    return row.model_copy(update={"golden_matches": golden == row.brief and not moves,
                                  "golden_brief": golden if golden != row.brief else None, "digest_moves": moves})


def _digest_moves(golden, row: RegressRow) -> list[str]:
    """A prompt change that moves a paper between a digest's topics, or in or out of its theme."""
    def yes_no(value: bool | None) -> str:
        return "-" if value is None else "yes" if value else "no"

    moves = [f"topic {golden.topic or '-'} -> {row.topic or '-'}"] if golden.topic != row.topic else []
    if golden.relevant != row.relevant:
        moves.append(f"relevant {yes_no(golden.relevant)} -> {yes_no(row.relevant)}")
    return moves


def shared_changes(rows: list[RegressRow]) -> dict[str, int]:
    """The prompt changes more than one paper shares (the system message, a parameter, the model),
    with how many papers each touches: said once, not once per paper."""
    from collections import Counter

    counts = Counter(part for row in rows for part in dict.fromkeys(row.prompt_diff.split("; ")) if row.prompt_diff)
    return {part: n for part, n in counts.items() if n > 1}
