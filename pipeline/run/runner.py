"""Drives a live run: read the PDFs through the read path, brief them concurrently, keep everything.

PDF reading (CPU) runs in worker processes while the event loop waits on the endpoint, so the
two overlap. Every brief is committed to the run store as soon as it is paid for and the report
is rewritten atomically as papers finish, so a crash or Ctrl-C loses nothing already bought.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ..brief.prompts import PromptFile, prompt_for
from ..extract.inputs import PdfError
from ..extract.readers import AlreadyRead, PdfReaders
from ..extract.text import readable_name
from ..llm import EndpointUnusable, LLMClient, client_for, counting
from ..models import FailureKind, Paper, PaperResult, ReadFailure, Report
from ..render.report import load_report, write_report
from ..settings import Settings
from . import cassette
from .failures import LLM_FAILED, failed
from .flow import PaperFlow, Prepared, contained, contained_call
from .folder_lock import folder_lock
from .progress import Progress, not_tried, why_stopped
from .reads import read_one, readers_for
from .store import STORE_NAME, RunStore

log = logging.getLogger("paperbrief")
REPORT_EVERY_S = 2.0

__all__ = ["LLM_FAILED", "NotInReport", "RunAborted", "LiveRun", "run_live", "rerun_paper", "read_with_model"]


class RunAborted(Exception):
    """The run stopped early (dead endpoint); what was done is already saved, and `report` lists every
    paper of the run (briefed, failed with its reason, or not tried)."""

    def __init__(self, message: str, report: Report | None = None) -> None:
        super().__init__(message)
        self.report = report


@dataclass
class LiveRun:
    """State of one run: its settings, its results so far and where they are kept."""

    settings: Settings
    output: Path
    prompt: PromptFile
    store: RunStore
    results: dict[str, PaperResult] = field(default_factory=dict)
    client: LLMClient | None = None
    last_write: float = 0.0
    stopped: str = ""  # why the endpoint is unusable; set once, read before every further call
    client_ready: asyncio.Future | None = None  # the client being built in a thread (SDK import included)
    write: bool = True  # write report.* into `output` as papers finish (compare keeps only the store there)
    previous: dict[str, PaperResult] = field(default_factory=dict)  # the report found in `output`, by file
    sent: dict[Path, list[int]] = field(default_factory=dict)  # requests sent for each paper so far (a stop reads them)
    flow: PaperFlow = field(init=False)  # the per-paper pipeline under this run's prompt, model and store

    def __post_init__(self) -> None:
        self.flow = PaperFlow(self.prompt, self.settings.model, self.store, reuse=not self.settings.record)

    def new_client(self) -> LLMClient:
        return client_for(self.settings)

    async def llm(self) -> LLMClient:
        if self.client is None:
            # the loop keeps dispatching PDFs while the SDK (~0.4 s) imports in the thread
            client = await self.client_ready if self.client_ready is not None else self.new_client()
            self.client = self.client or client
        return self.client

    def report(self, final: bool = True) -> Report:
        return Report(
            title=self.settings.title, generated_at=datetime.now().strftime("%Y-%m-%d %H:%M:%S"),
            prompt_id=self.prompt.id, prompt_version=self.prompt.version,
            model=self.settings.model or self.prompt.model, results=self._shown(final),
            requests=self.client.calls if self.client else 0,
            concurrency=self.client.pacer.limit if self.client and self.client.calls else None,
        )

    def _shown(self, final: bool) -> list[PaperResult]:
        """This run's results; before the run has finished (and when it stops on an error) the
        report found in the folder fills in the papers not done yet, so it never shrinks."""
        if final or len(self.results) >= len(self.previous):
            return list(self.results.values())
        done = {r.sha256 for r in self.results.values() if r.sha256}
        kept = {f: r for f, r in self.previous.items() if not (r.sha256 and r.sha256 in done)}
        return list({**kept, **self.results}.values())

    def save_report(self, force: bool = False, final: bool = False) -> None:
        now = time.monotonic()
        if self.write and (force or now - self.last_write >= REPORT_EVERY_S):
            write_report(self.report(final), self.output)
            self.last_write = now


async def answer_paper(live: LiveRun, prepared: Prepared, gate: asyncio.Semaphore) -> PaperResult:
    """One paid answer (and its repair) for a paper the run store cannot serve, under the run's gate."""
    async with gate:
        if live.stopped:  # checked after the wait: no call leaves once the endpoint is known unusable
            raise EndpointUnusable(live.stopped)
        try:
            return await live.flow.answer(prepared, await live.llm())
        except EndpointUnusable as exc:
            live.stopped = live.stopped or str(exc)
            raise


async def _process(live: LiveRun, path: Path, pool: PdfReaders | AlreadyRead, gate: asyncio.Semaphore,
                   ahead: asyncio.Semaphore, seen: dict[str, str]) -> PaperResult:
    """One paper from file to result; `ahead` bounds papers read but not yet briefed (memory, CPU).

    The result joins the run with no await between the store's commit and here, so a Ctrl-C
    can never leave a paid brief in the store but out of the report written on the way out.
    """
    async with ahead:
        result = await _read_and_brief(live, path, pool, gate, seen)  # a stop raises: progress.not_tried lists it
        live.results[result.file] = result
        return result


async def _read_and_brief(live: LiveRun, path: Path, pool: PdfReaders | AlreadyRead, gate: asyncio.Semaphore,
                          seen: dict[str, str]) -> PaperResult:
    """The paper's result (its `internal` failure if its steps raise), with the requests sent for it."""
    sent = live.sent[path] = counting()
    result = await contained(pool.name(path), _result_of(live, path, pool, gate, seen))
    return result.model_copy(update={"requests": sent[0]}) if sent[0] else result


async def _result_of(live: LiveRun, path: Path, pool: PdfReaders | AlreadyRead, gate: asyncio.Semaphore,
                     seen: dict[str, str]) -> PaperResult:
    started = live.flow.start(await pool.paper(path), seen)  # under its report name (readers.display_names)
    return started if isinstance(started, PaperResult) else await answer_paper(live, started, gate)


async def run_live(settings: Settings, files: list[Path], output: Path, write: bool = True,
                    reads: dict[Path, Paper | ReadFailure] | None = None) -> Report:
    """Brief every file; returns the final report (also written to OUTPUT/report.* unless `write`
    is off). The run store is OUTPUT/runs.sqlite either way. One run at a time holds the folder
    (folder_lock.py): another stops at once, or waits with `settings.wait`. With `reads`, the
    files were read already (`compare`) and no reader is started."""
    prompt = prompt_for(settings)
    command = "paperbrief " + ("record" if settings.record else "run" if write else "compare")
    async with folder_lock(output, command, settings.wait):
        return await _run_locked(settings, prompt, files, output, write, reads)


def _previous_results(output: Path) -> dict[str, PaperResult]:
    """The results of the report already in `output` (none when it is missing or unreadable)."""
    try:
        previous = load_report(output)
    except (OSError, ValueError):
        return {}
    return {r.file: r for r in previous.results} if previous else {}


async def _run_locked(settings: Settings, prompt: PromptFile, files: list[Path], output: Path, write: bool,
                      reads: dict[Path, Paper | ReadFailure] | None) -> Report:
    output.mkdir(parents=True, exist_ok=True)
    store = RunStore(output / STORE_NAME)
    live = LiveRun(settings=settings, output=output, prompt=prompt, store=store, write=write,
                  previous=_previous_results(output) if write else {})
    progress = Progress(total=len(files))
    gate = asyncio.Semaphore(settings.concurrency)
    ahead = asyncio.Semaphore(2 * settings.concurrency + 4)
    seen: dict[str, str] = {}
    context = contextlib.nullcontext()
    if settings.cassette:
        context = cassette.record(settings.cassette) if settings.record else cassette.replay(settings.cassette)
    if not settings.cassette or settings.record:
        # building the client overlaps the first PDFs being read instead of delaying the first call
        # the import allocates ~100k long-lived objects: collecting during it only costs time
        gc.disable()
        live.client_ready = asyncio.get_running_loop().run_in_executor(None, live.new_client)
        live.client_ready.add_done_callback(_collect_again)
    finished = False
    try:
        pool = AlreadyRead(reads) if reads is not None else readers_for(settings, files)
        with context as recording, _closing(pool):
            tasks = {asyncio.ensure_future(_process(live, p, pool, gate, ahead, seen)): p for p in files}
            try:
                for next_done in asyncio.as_completed(tasks):
                    result = await next_done
                    progress.step(result)
                    live.save_report()
                    if settings.record and result.failure and result.failure.kind == FailureKind.ENDPOINT:
                        recording.keep = False  # a cassette of failed calls must not replace a good one
            except EndpointUnusable as exc:
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
                not_tried(live.results, live.previous, live.sent, files, pool, str(exc), "the endpoint could not be used")
                raise RunAborted(f"stopped: {exc}", live.report()) from None
            except BaseException as exc:  # Ctrl-C or SIGTERM, a store that cannot be written, a full disk: no more calls
                if isinstance(exc, (KeyboardInterrupt, asyncio.CancelledError)):
                    await _finish_calls_in_flight(live)
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
                not_tried(live.results, live.previous, live.sent, files, pool, why_stopped(exc), why_stopped(exc))
                raise
            finished = True
    finally:
        gc.enable()  # in case the run ended before the client thread did
        progress.close()
        try:
            live.save_report(force=True, final=finished)
        finally:
            if live.client is not None:
                await live.client.close()
            store.close()
    return live.report()


STOP_GRACE_S = 10.0  # at most this long (and never past --timeout) a stopped run waits for answers in flight


async def _finish_calls_in_flight(live: LiveRun) -> None:
    """On Ctrl-C or SIGTERM: no new request leaves, and the answers already being paid for are awaited
    (a little while) and kept, instead of being abandoned and bought again by the next run."""
    client = live.client
    if client is None:
        return
    client.stopping = True
    live.stopped = live.stopped or "the run was stopped"
    if client.pacer.in_flight:
        grace = min(STOP_GRACE_S, live.settings.timeout)
        log.warning("stopping: waiting up to %.0f s for %d answer(s) in flight (press Ctrl-C again to stop at once)",
                    grace, client.pacer.in_flight)
        end = time.monotonic() + grace
        while client.pacer.in_flight and time.monotonic() < end:
            await asyncio.sleep(0.05)


@contextlib.contextmanager
def _closing(pool: PdfReaders | AlreadyRead):
    """The readers end with the run; when it ends early, stuck readers are killed, not waited for."""
    try:
        yield pool
    except BaseException:
        pool.close(force=True)
        raise
    pool.close()


def _collect_again(_future: asyncio.Future) -> None:
    """After the SDK import: keep its objects out of later collections, then collect as usual."""
    gc.freeze()
    gc.enable()


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
    live = LiveRun(settings=settings, output=output, prompt=prompt, store=store)
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
    context = cassette.replay(settings.cassette) if settings.cassette else contextlib.nullcontext()
    try:
        with context:
            new = started if isinstance(started, PaperResult) else await contained(
                name, answer_paper(live, started, asyncio.Semaphore(1)), read.sha256)
    finally:
        calls = live.client.calls if live.client else 0
        if live.client is not None:
            await live.client.close()
        store.close()
    new = new.model_copy(update={"requests": calls})
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
    context = cassette.replay(settings.cassette) if settings.cassette else contextlib.nullcontext()
    client = client_for(settings)
    async def answer() -> PaperResult:
        return await flow.answer(Prepared(paper=read, rendered=flow.render(read)), client)

    try:
        with context:
            return await contained(read.file, answer(), read.sha256)
    finally:
        await client.close()
