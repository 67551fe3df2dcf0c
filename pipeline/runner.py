"""Drives a batch: discover PDFs, read them in a process pool, brief them concurrently, keep everything.

PDF reading (CPU) runs in worker processes while the event loop waits on the endpoint, so the
two overlap. Every brief is committed to the run store as soon as it is paid for and the report
is rewritten atomically as papers finish, so a crash or Ctrl-C loses nothing already bought.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gc
import logging
import multiprocessing
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from . import cassette
from .brief import write_brief
from .escape import terminal
from .grounding import decide
from .llm import EndpointUnusable, LLMClient, LLMError, RetryBudget
from .models import Brief, Paper, PaperResult, Report
from .pdf import PdfError
from .reading import exit_with_parent, prepare_paper, read_paper
from .prompts import PromptFile, RenderedPrompt, load_prompt, render
from .report import write_report
from .settings import Settings
from .store import STORE_NAME, RunStore

log = logging.getLogger("paperbrief")
REPORT_EVERY_S = 2.0


LLM_FAILED = "LLM call failed"


class RunAborted(Exception):
    """The run stopped early (dead endpoint); what was done is already saved."""


def discover(inputs: Path | list[Path]) -> list[Path]:
    """The PDFs to brief: each file named, and the PDFs directly in each folder named (in name
    order); a file named twice is briefed once."""
    found: list[Path] = []
    for item in [inputs] if isinstance(inputs, Path) else inputs:
        if item.is_dir():
            found += sorted((p for p in item.iterdir() if p.suffix.lower() == ".pdf" and not p.name.startswith(".")),
                            key=lambda p: p.name)
        else:
            found.append(item)
    return list(dict.fromkeys(found))


@contextlib.contextmanager
def _readable_main():
    """A new reader process imports the parent's main module first. When that module has no file
    to import from (a script piped to python, an interactive session), readers would die on
    start, so while they start, the main module names the reading module instead."""
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    if main is None or getattr(main, "__spec__", None) is not None or path is None or os.path.isfile(path):
        yield
        return
    import importlib.util

    main.__spec__ = importlib.util.find_spec("pipeline.reading")
    try:
        yield
    finally:
        main.__spec__ = None


@functools.lru_cache(maxsize=1)
def _reader_context() -> multiprocessing.context.BaseContext:
    """Readers start from a forkserver (spawn where there is none), never by forking this process:
    the run has threads (the SDK import, the event loop's executor), and forking a threaded
    process can deadlock the child. The server preloads the reading code once, so each reader
    starts in milliseconds."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["pipeline.reading"])
    return context


class PdfReaders:
    """Worker processes that read PDFs. A PDF that kills its worker (a crash in the PDF library)
    breaks the whole pool; then the pool is replaced and each paper that was in it is read again
    alone, so only the PDF that crashes twice is listed, and the batch goes on."""

    def __init__(self, workers: int):
        self.workers = workers
        self.pool = self._new_pool(workers)

    @staticmethod
    def _new_pool(workers: int) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(max_workers=workers, mp_context=_reader_context(), initializer=exit_with_parent,
                                   initargs=(os.getpid(),))

    async def prepare(self, path: Path, text_pages: int, prompt: PromptFile, model: str | None):
        loop = asyncio.get_running_loop()
        pool = self.pool
        try:
            with _readable_main():
                future = loop.run_in_executor(pool, prepare_paper, str(path), text_pages, prompt, model)
            return await future
        except BrokenProcessPool:
            if self.pool is pool:
                self.pool = self._new_pool(self.workers)
                pool.shutdown(wait=False)
        with self._new_pool(1) as alone:
            try:
                with _readable_main():
                    future = loop.run_in_executor(alone, prepare_paper, str(path), text_pages, prompt, model)
                return await future
            except BrokenProcessPool:
                return "the PDF crashed the PDF reader (its worker process died)"

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


@dataclass
class Progress:
    """A bar on a terminal, plain log lines elsewhere."""

    total: int
    done: int = 0
    bar: object = None

    def __post_init__(self) -> None:
        if sys.stderr.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=self.total, unit="paper", desc="briefing", file=sys.stderr)

    def step(self, result: PaperResult) -> None:
        self.done += 1
        if result.ok:
            state = "cached" if result.brief.cached else "ok"
        elif result.duplicate_of:
            state = f"duplicate of {result.duplicate_of}"
        else:
            state = f"FAILED: {result.error or result.brief.error}"
        if self.bar is not None:
            self.bar.update(1)
            if not result.ok and not result.duplicate_of:
                self.bar.write(terminal(f"{result.file}: {state}"), file=sys.stderr)
        else:
            log.info("[%d/%d] %s: %s", self.done, self.total, terminal(result.file), terminal(state))

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


@dataclass
class Batch:
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

    def new_client(self) -> LLMClient:
        s = self.settings
        return LLMClient(s.base_url, s.api_key, timeout=s.timeout, attempts=s.attempts,
                         budget=RetryBudget(left=s.retry_budget), rate_limit_wait=s.rate_limit_wait,
                         concurrency=s.concurrency, json_mode=s.json_mode)

    async def llm(self) -> LLMClient:
        if self.client is None:
            # the loop keeps dispatching PDFs while the SDK (~0.4 s) imports in the thread
            client = await self.client_ready if self.client_ready is not None else self.new_client()
            self.client = self.client or client
        return self.client

    def report(self) -> Report:
        return Report(
            title=self.settings.title, generated_at=datetime.now().strftime("%Y-%m-%d %H:%M:%S"),
            prompt_id=self.prompt.id, prompt_version=self.prompt.version,
            model=self.settings.model or self.prompt.model, results=list(self.results.values()),
        )

    def save_report(self, force: bool = False) -> None:
        now = time.monotonic()
        if self.write and (force or now - self.last_write >= REPORT_EVERY_S):
            write_report(self.report(), self.output)
            self.last_write = now


async def brief_paper(batch: Batch, paper: Paper, rendered: RenderedPrompt, gate: asyncio.Semaphore) -> Brief:
    """The stored brief when this exact prompt already ran on this paper, else one paid call."""
    cached = None if batch.settings.record else batch.store.lookup(paper.sha256, rendered.fingerprint, rendered.model)
    if cached is not None:
        return cached
    async with gate:
        if batch.stopped:  # checked after the wait: no call leaves once the endpoint is known unusable
            raise EndpointUnusable(batch.stopped)
        try:
            brief = await write_brief(paper, rendered, await batch.llm())
        except EndpointUnusable as exc:
            batch.stopped = batch.stopped or str(exc)
            if exc.partial is not None:  # paid for: stored before the run stops
                batch.store.save(paper.sha256, paper.file, exc.partial)
            raise
    batch.store.save(paper.sha256, paper.file, brief)
    return brief


async def _process(batch: Batch, path: Path, pool: PdfReaders, gate: asyncio.Semaphore,
                   ahead: asyncio.Semaphore, seen: dict[str, str]) -> PaperResult:
    """One paper from file to result; `ahead` bounds papers read but not yet briefed (memory, CPU).

    The result joins the batch with no await between the store's commit and here, so a Ctrl-C
    can never leave a paid brief in the store but out of the report written on the way out.
    """
    async with ahead:
        result = await _read_and_brief(batch, path, pool, gate, seen)
        batch.results[result.file] = result
        return result


async def _read_and_brief(batch: Batch, path: Path, pool: PdfReaders, gate: asyncio.Semaphore,
                          seen: dict[str, str]) -> PaperResult:
    prepared = await pool.prepare(path, batch.settings.text_pages, batch.prompt, batch.settings.model)
    if isinstance(prepared, str):
        return PaperResult(file=path.name, error=prepared)
    read, rendered = prepared
    if read.sha256 in seen:
        return PaperResult(file=path.name, sha256=read.sha256, duplicate_of=seen[read.sha256])
    seen[read.sha256] = path.name
    try:
        brief = await brief_paper(batch, read, rendered, gate)
    except EndpointUnusable:
        raise
    except LLMError as exc:
        return PaperResult(file=path.name, sha256=read.sha256, paper=decide(read, None), error=f"{LLM_FAILED}: {exc}")
    return PaperResult(file=path.name, sha256=read.sha256, paper=decide(read, brief), brief=brief,
                       error="" if brief.ok else brief.error)


async def run_batch(settings: Settings, files: list[Path], output: Path, write: bool = True) -> Report:
    """Brief every file; returns the final report (also written to OUTPUT/report.* unless `write`
    is off). The run store is OUTPUT/runs.sqlite either way."""
    prompt = load_prompt(settings.prompt)
    output.mkdir(parents=True, exist_ok=True)
    store = RunStore(output / STORE_NAME)
    batch = Batch(settings=settings, output=output, prompt=prompt, store=store, write=write)
    progress = Progress(total=len(files))
    gate = asyncio.Semaphore(settings.concurrency)
    ahead = asyncio.Semaphore(2 * settings.concurrency + 4)
    seen: dict[str, str] = {}
    workers = max(1, min((os.cpu_count() or 2) - 1, 4, len(files)))  # one core stays with the event loop
    context = contextlib.nullcontext()
    if settings.cassette:
        context = cassette.record(settings.cassette) if settings.record else cassette.replay(settings.cassette)
    if not settings.cassette or settings.record:
        # building the client overlaps the first PDFs being read instead of delaying the first call
        # the import allocates ~100k long-lived objects: collecting during it only costs time
        gc.disable()
        batch.client_ready = asyncio.get_running_loop().run_in_executor(None, batch.new_client)
        batch.client_ready.add_done_callback(_collect_again)
    try:
        pool = PdfReaders(workers)
        with context as recording, contextlib.closing(pool):
            tasks = {asyncio.ensure_future(_process(batch, p, pool, gate, ahead, seen)): p for p in files}
            try:
                for next_done in asyncio.as_completed(tasks):
                    result = await next_done
                    progress.step(result)
                    batch.save_report()
                    if settings.record and result.error.startswith(LLM_FAILED):
                        recording.keep = False  # a cassette of failed calls must not replace a good one
            except EndpointUnusable as exc:
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
                raise RunAborted(f"stopped: {exc}") from None
            except asyncio.CancelledError:
                for task in tasks:
                    task.cancel()
                raise
    finally:
        gc.enable()  # in case the run ended before the client thread did
        progress.close()
        batch.save_report(force=True)
        if batch.client is not None:
            await batch.client.close()
        store.close()
    return batch.report()


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


async def rerun_paper(settings: Settings, pdf: Path, output: Path) -> Rerun:
    """Brief one paper with the current prompt (free if already run) and update its report entry in place."""
    from .report import load_report

    read = read_paper(str(pdf), settings.text_pages)
    if isinstance(read, str):
        raise PdfError(read)
    prompt = load_prompt(settings.prompt)
    store = RunStore(output / STORE_NAME)
    batch = Batch(settings=settings, output=output, prompt=prompt, store=store)
    previous = load_report(output)
    if previous is not None:
        batch.results = {r.file: r for r in previous.results}
    old = next((r for r in batch.results.values() if r.sha256 == read.sha256), None)
    context = cassette.replay(settings.cassette) if settings.cassette else contextlib.nullcontext()
    try:
        with context:
            rendered = render(prompt, read, settings.model)
            brief = await brief_paper(batch, read, rendered, asyncio.Semaphore(1))
    except LLMError as exc:
        new = PaperResult(file=pdf.name, sha256=read.sha256, paper=decide(read, None), error=f"{LLM_FAILED}: {exc}")
    else:
        new = PaperResult(file=pdf.name, sha256=read.sha256, paper=decide(read, brief), brief=brief,
                          error="" if brief.ok else brief.error)
    finally:
        calls = batch.client.calls if batch.client else 0
        if batch.client is not None:
            await batch.client.close()
        store.close()
    if old is not None:
        batch.results.pop(old.file, None)
    batch.results[new.file] = new
    if previous is not None:
        batch.settings = settings.model_copy(update={"title": previous.title})
    batch.save_report(force=True)
    return Rerun(old=old, new=new, calls=calls)


async def read_with_model(settings: Settings, pdf: Path) -> PaperResult:
    """One paper read by the rules and by the model (one brief call, or its cassette): `inspect --llm`."""
    read = read_paper(str(pdf), settings.text_pages)
    if isinstance(read, str):
        raise PdfError(read)
    rendered = render(load_prompt(settings.prompt), read, settings.model)
    context = cassette.replay(settings.cassette) if settings.cassette else contextlib.nullcontext()
    batch = Batch(settings=settings, output=Path("."), prompt=load_prompt(settings.prompt), store=None, write=False)
    client = batch.new_client()
    try:
        with context:
            brief = await write_brief(read, rendered, client)
    except LLMError as exc:
        return PaperResult(file=pdf.name, sha256=read.sha256, paper=decide(read, None), error=f"{LLM_FAILED}: {exc}")
    finally:
        await client.close()
    return PaperResult(file=pdf.name, sha256=read.sha256, paper=decide(read, brief), brief=brief,
                       error="" if brief.ok else brief.error)

