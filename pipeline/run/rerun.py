"""One paper again: `rerun` briefs it with a (tweaked) prompt and updates its report entry in place;
`inspect --llm` reads it with the model beside the rules, storing nothing. Both go through the same
per-paper pipeline (flow.py) and answer gate (runner.answer_paper) as a run."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

from ..brief.prompts import PromptFile, prompt_for
from ..extract.inputs import PdfError
from ..extract.text import readable_name
from ..llm import client_for
from ..models import Paper, PaperResult, ReadFailure, Report
from ..render.report import load_report, write_report
from ..settings import Settings
from . import cassette
from .digests import Digest
from .failures import failed
from .flow import PaperFlow, Prepared, contained, contained_call
from .folder_lock import folder_lock
from .reads import read_one
from .runner import LiveRun, answer_paper
from .store import STORE_NAME, RunStore


@dataclass
class Rerun:
    """One paper briefed again: what the report held before, what it holds now, and calls made."""

    old: PaperResult | None
    new: PaperResult
    calls: int
    kept_old: bool = False  # the new brief failed: the report keeps the passing one it had


class NotInReport(Exception):
    """`rerun` of a paper the report in the output folder does not hold (or of a folder with no report)."""


async def rerun_paper(settings: Settings, pdf: Path, output: Path, add: bool = False) -> Rerun:
    """Brief one paper with the current prompt (free if already run) and update its report entry in place.
    A paper the report does not hold is added only with `add`: a mistyped -o or PDF never grows a report."""
    prompt = prompt_for(settings)
    read = await read_one(pdf, settings)
    if isinstance(read, ReadFailure):
        raise PdfError(read.reason)
    if not add and load_report(output) is None:  # before the lock: a mistyped -o leaves no folder behind
        raise NotInReport(f"{pdf}: not in {output} (it holds no report); brief it with paperbrief run, or pass --add to add it")
    async with folder_lock(output, "paperbrief rerun", settings.wait):
        return await _rerun_locked(settings, prompt, read, pdf, output, add)


async def _rerun_locked(settings: Settings, prompt: PromptFile, read: Paper, pdf: Path, output: Path, add: bool) -> Rerun:
    store = RunStore(output / STORE_NAME)
    live = LiveRun(settings=settings, output=output, prompt=prompt, store=store,
                   digest=Digest.start(settings.model_copy(update={"new_only": False}), output))
    previous = load_report(output)
    if previous is not None:
        live.results = {r.file: r for r in previous.results}
    old = next((r for r in live.results.values() if r.sha256 == read.sha256), None)
    name = rerun_name(pdf, live.results, old)
    if old is None and name not in live.results and not add:
        store.close()
        where = f"the report in {output}" if previous is not None else f"{output} (it holds no report)"
        raise NotInReport(f"{pdf}: not in {where}; brief it with paperbrief run, or pass --add to add it")
    read = read.model_copy(update={"file": name})
    started = contained_call(lambda failure: failed(name, failure, read.sha256), lambda: live.flow.start(read))
    if isinstance(started, Prepared):
        try:
            settings.require_endpoint()  # only a brief that is not in the run store needs the endpoint
        except Exception:
            store.close()
            raise
    context = cassette.for_settings(settings)
    try:
        with context:
            new = started if isinstance(started, PaperResult) else await contained(
                name, answer_paper(live, started, asyncio.Semaphore(1)), read.sha256)
    finally:
        calls = live.client.calls if live.client else 0
        if live.client is not None:
            await live.client.close()
        store.close()
    new = new.model_copy(update={"requests": calls, "rerun": True})
    kept_old = old is not None and old.ok and not new.ok
    if not kept_old:  # a failed try never replaces a brief the report publishes
        if old is not None:
            live.results.pop(old.file, None)
        live.results[new.file] = new  # an entry of that name (the paper before an edit) is replaced
    _write_rerun_report(live, previous)
    return Rerun(old=old, new=new, calls=calls, kept_old=kept_old)


def _write_rerun_report(live: LiveRun, previous: Report | None) -> None:
    """The report with the one entry changed; its title, prompt and model stay the report's own
    (each entry names the prompt and model of its brief)."""
    report = live.report()
    if previous is not None:
        report = report.model_copy(update={"title": previous.title, "prompt_id": previous.prompt_id,
                                           "prompt_version": previous.prompt_version, "model": previous.model})
    write_report(report, live.output)


def rerun_name(pdf: Path, results: dict[str, PaperResult], old: PaperResult | None) -> str:
    """The report name of a paper briefed again: its entry's, when the report holds these bytes;
    else the entry that alone ends with the shortest tail of its path (the paper before an edit),
    else that tail."""
    if old is not None:
        return old.file
    parts = [readable_name(part) for part in pdf.absolute().parts]  # a name that is not UTF-8, as display_names gives it
    for depth in range(1, len(parts)):
        name = "/".join(parts[-depth:])
        taken = [f for f in results if f == name or f.endswith("/" + name)]
        if len(taken) <= 1:
            return taken[0] if taken else name
    return readable_name(str(pdf.absolute()))


async def read_with_model(settings: Settings, read: Paper) -> PaperResult:
    """A paper the rules read, read by the model too (one brief call, or its cassette): `inspect --llm`.
    Nothing is stored: inspecting is not a run."""
    flow = PaperFlow(prompt_for(settings), settings.model, store=None)
    context = cassette.for_settings(settings)
    client = client_for(settings)
    async def answer() -> PaperResult:
        return await flow.answer(Prepared(paper=read, rendered=flow.render(read)), client)

    try:
        with context:
            return await contained(read.file, answer(), read.sha256)
    finally:
        await client.close()
