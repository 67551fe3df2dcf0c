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
from ..extract.readers import AlreadyRead, PdfReaders
from ..llm import EndpointUnusable, LLMClient, client_for, counting
from ..models import FailureKind, Paper, PaperResult, ReadFailure, Report
from ..render.report import load_report, write_report
from ..settings import Settings
from . import cassette
from .digests import Digest
from .failures import LLM_FAILED
from .flow import PaperFlow, Prepared, contained
from .folder_lock import folder_lock
from .progress import Progress, not_tried, why_stopped
from .reads import readers_for
from .store import STORE_NAME, RunStore

log = logging.getLogger("paperbrief")
REPORT_EVERY_S = 2.0

__all__ = ["LLM_FAILED", "RunAborted", "LiveRun", "answer_paper", "run_live"]


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
    keep_reruns: bool = True  # a brief `rerun` published stays, whatever this run's prompt (--replace-reruns: not)
    kept_reruns: list[PaperResult] = field(default_factory=list)  # the reruns' briefs this run kept
    sent: dict[Path, list[int]] = field(default_factory=dict)  # requests sent for each paper so far (a stop reads them)
    flow: PaperFlow = field(init=False)  # the per-paper pipeline under this run's prompt, model and store
    digest: Digest | None = None  # a configured digest's marks on the report (topics, theme, watch, --new)
    progress: Progress | None = None  # the run's bar or lines: reading and briefing counted as they go

    def __post_init__(self) -> None:
        self.flow = PaperFlow(self.prompt, self.settings.model, self.store, reuse=not self.settings.record)

    def rerun_of(self, paper: Paper, fingerprint: str) -> PaperResult | None:
        """The passing brief an earlier `rerun` published for these bytes with another prompt than
        this run's (`fingerprint`), kept under this run's name for the paper: the user chose that
        prompt for it, and a plain run must not silently undo it."""
        if not self.keep_reruns:
            return None
        kept = next((r for r in self.previous.values() if r.rerun and r.ok and r.sha256 == paper.sha256
                     and r.brief.fingerprint != fingerprint), None)
        if kept is None:
            return None
        kept = kept.model_copy(update={"file": paper.file, "requests": 0})
        self.kept_reruns.append(kept)
        return kept

    def new_client(self) -> LLMClient:
        return client_for(self.settings)

    async def llm(self) -> LLMClient:
        if self.client is None:
            # the loop keeps dispatching PDFs while the SDK (~0.4 s) imports in the thread
            client = await self.client_ready if self.client_ready is not None else self.new_client()
            self.client = self.client or client
        return self.client

    def report(self, final: bool = True) -> Report:
        report = Report(
            title=self.settings.title, generated_at=datetime.now().strftime("%Y-%m-%d %H:%M:%S"),
            prompt_id=self.prompt.id, prompt_version=self.prompt.version,
            model=self.settings.model or self.prompt.model, results=self._shown(final),
            requests=self.client.calls if self.client else 0,
            concurrency=self.client.pacer.limit if self.client and self.client.calls else None,
            reruns_kept=sorted(r.file for r in self.kept_reruns),
        )
        return self.digest.dress(report) if self.digest is not None else report

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
    read = await pool.paper(path)
    if live.progress is not None:
        live.progress.read()  # reading is shown as it goes, before the first brief is done
    started = live.flow.start(read, seen)  # under its report name (readers.display_names)
    if isinstance(started, Prepared):
        return live.rerun_of(started.paper, started.rendered.fingerprint) or await answer_paper(live, started, gate)
    if started.ok and started.brief.cached:  # the store's brief of this run's prompt, unless a rerun's stands
        return live.rerun_of(started.paper, started.brief.fingerprint) or started
    return started


async def run_live(settings: Settings, files: list[Path], output: Path, write: bool = True,
                    reads: dict[Path, Paper | ReadFailure] | None = None, keep_reruns: bool = True) -> Report:
    """Brief every file; returns the final report (also written to OUTPUT/report.* unless `write`
    is off). The run store is OUTPUT/runs.sqlite either way. One run at a time holds the folder
    (folder_lock.py): another stops at once, or waits with `settings.wait`. With `reads`, the
    files were read already (`compare`) and no reader is started. A brief `rerun` published stays
    unless `keep_reruns` is off (the report names the prompt each brief came from)."""
    prompt = prompt_for(settings)
    command = "paperbrief " + ("record" if settings.record else "run" if write else "compare")
    async with folder_lock(output, command, settings.wait):
        return await _run_locked(settings, prompt, files, output, write, reads, keep_reruns)


def _previous_results(output: Path) -> dict[str, PaperResult]:
    """The results of the report already in `output` (none when it is missing or unreadable)."""
    try:
        previous = load_report(output)
    except (OSError, ValueError):
        return {}
    return {r.file: r for r in previous.results} if previous else {}


async def _run_locked(settings: Settings, prompt: PromptFile, files: list[Path], output: Path, write: bool,
                      reads: dict[Path, Paper | ReadFailure] | None, keep_reruns: bool = True) -> Report:
    output.mkdir(parents=True, exist_ok=True)
    store = RunStore(output / STORE_NAME)
    live = LiveRun(settings=settings, output=output, prompt=prompt, store=store, write=write,
                  previous=_previous_results(output) if write else {}, keep_reruns=keep_reruns and write,
                  digest=Digest.start(settings, output) if write else None)
    progress = live.progress = Progress(total=len(files))
    gate = asyncio.Semaphore(settings.concurrency)
    ahead = asyncio.Semaphore(2 * settings.concurrency + 4)
    seen: dict[str, str] = {}
    context = cassette.for_settings(settings)
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
            if finished and live.write and live.digest is not None:
                live.digest.keep(output)
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
