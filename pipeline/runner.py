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
import signal
import sys
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from . import cassette
from .brief import write_brief
from .escape import terminal_line
from .grounding import published
from .llm import EndpointUnusable, LLMClient, LLMError, RetryBudget, counting
from .models import Brief, Paper, PaperResult, Report
from .pdf import PdfError, check_regular
from .reading import inspect_paper, memory_message, prepare_paper, read_paper, start_reader
from .prompts import PromptFile, RenderedPrompt, load_prompt, render
from .report import load_report, write_report
from .settings import READER_MEMORY_MB, READER_TIMEOUT_S, Settings
from .store import STORE_NAME, RunStore, folder_lock

log = logging.getLogger("paperbrief")
REPORT_EVERY_S = 2.0


LLM_FAILED = "LLM call failed"


class RunAborted(Exception):
    """The run stopped early (dead endpoint); what was done is already saved."""


def discover(inputs: Path | list[Path]) -> list[Path]:
    """The PDFs to brief: each file named, and the PDFs directly in each folder named (in name
    order); a file named twice is briefed once. Entries that are not regular files (a FIFO, a
    socket, a device named x.pdf) stay in the list: the readers name them as bad input without
    opening them (PdfReaders.read)."""
    found: list[Path] = []
    for item in [inputs] if isinstance(inputs, Path) else inputs:
        if item.is_dir():
            found += sorted((p for p in item.iterdir() if p.suffix.lower() == ".pdf" and not p.name.startswith(".")),
                            key=lambda p: p.name)
        else:
            found.append(item)
    return list(dict.fromkeys(found))


def display_names(files: list[Path]) -> dict[Path, str]:
    """Each file's name in the report: its bare name, or, when another input has the same name,
    as many of its last path parts as tell them apart (a/paper.pdf, b/paper.pdf)."""
    by_name: dict[str, list[Path]] = defaultdict(list)
    for path in files:
        by_name[path.name].append(path)
    names: dict[Path, str] = {}
    for name, paths in by_name.items():
        if len(paths) == 1:
            names[paths[0]] = name
            continue
        parts = {p: p.absolute().parts for p in paths}
        for depth in range(2, max(len(v) for v in parts.values())):
            labels = {p: "/".join(v[-depth:]) for p, v in parts.items()}
            if len(set(labels.values())) == len(paths):
                break
        else:
            labels = {p: str(p.absolute()) for p in paths}
        names.update(labels)
    return names


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


CRASHED = "the PDF crashed the PDF reader (its worker process died)"


class PdfReaders:
    """Worker processes that read PDFs, each bounded: an address-space limit per process
    (`memory_mb`, set when it starts) and a time limit per paper (`timeout_s`).

    A PDF that kills its worker (a crash in the PDF library, an allocation refused under the
    limit) breaks the whole pool; a PDF that takes too long gets its pool killed, since a stuck
    worker cannot be interrupted. Either way the pool is replaced and each other paper that was in
    it is read again alone, so only the PDF at fault is listed, and the batch goes on. At most
    `workers` papers are handed to the readers at once, so a paper's time starts when a worker
    takes it, not while it waits behind others."""

    def __init__(self, workers: int, memory_mb: int = READER_MEMORY_MB, timeout_s: float = READER_TIMEOUT_S,
                 names: dict[Path, str] | None = None):
        self.workers, self.memory_mb, self.timeout_s = workers, memory_mb, timeout_s
        self.names = names or {}  # the name each paper is reported under (display_names)
        self.slots = asyncio.Semaphore(workers)
        self.pool = self._new_pool(workers)

    def _new_pool(self, workers: int) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(max_workers=workers, mp_context=_reader_context(), initializer=start_reader,
                                   initargs=(os.getpid(), self.memory_mb))

    async def prepare(self, path: Path, text_pages: int, prompt: PromptFile, model: str | None):
        """(Paper, RenderedPrompt), or a one-line cause; the paper carries its reported name."""
        prepared = await self.read(prepare_paper, path, text_pages, prompt, model)
        if isinstance(prepared, tuple) and path in self.names:
            paper, rendered = prepared
            prepared = paper.model_copy(update={"file": self.names[path]}), rendered
        return prepared

    async def read(self, function, path: Path, *args):
        """function(str(path), *args) in a reader process: its value, or a one-line cause."""
        try:
            check_regular(path)  # a FIFO or a device is never handed to a reader: open() would block it
        except PdfError as exc:
            return str(exc)
        async with self.slots:
            pool = self.pool
            try:
                return await self._call(pool, function, path, *args)
            except BrokenProcessPool:
                self._replace(pool)
            except TimeoutError:
                self._replace(pool)
                return self._too_slow()
            alone = self._new_pool(1)
            try:
                return await self._call(alone, function, path, *args)
            except TimeoutError:
                return self._too_slow()
            except BrokenProcessPool:
                return self._death(alone)
            finally:
                _stop(alone)

    async def _call(self, pool: ProcessPoolExecutor, function, path: Path, *args):
        with _readable_main():
            future = asyncio.get_running_loop().run_in_executor(pool, function, str(path), *args)
        pool.started = list(pool._processes.values())  # the executor keeps no record of how they ended
        return await asyncio.wait_for(future, self.timeout_s)

    def _replace(self, pool: ProcessPoolExecutor) -> None:
        if self.pool is pool:
            self.pool = self._new_pool(self.workers)
        _stop(pool)

    def _too_slow(self) -> str:
        return f"reading took longer than {self.timeout_s:g} s"

    def _death(self, pool: ProcessPoolExecutor) -> str:
        """Why a reader died: PDFium aborts when an allocation is refused under the memory limit."""
        started = getattr(pool, "started", [])
        for process in started:
            process.join(5)  # the pool may not have reaped it yet; its exit code says how it died
        codes = {process.exitcode for process in started}
        if self.memory_mb and -signal.SIGABRT in codes:
            return memory_message(self.memory_mb)
        return CRASHED

    def close(self, force: bool = False) -> None:
        """Idle readers are let go; with `force` (the run is ending early) every reader is killed."""
        if force:
            _stop(self.pool)
        else:
            self.pool.shutdown(wait=True, cancel_futures=True)


def _stop(pool: ProcessPoolExecutor) -> None:
    """Kill a pool's workers and let it go: a worker stuck in a PDF cannot be waited for."""
    for process in list((pool._processes or {}).values()):  # the executor offers no other handle on them
        with contextlib.suppress(OSError, ValueError, AttributeError):
            process.kill()
    pool.shutdown(wait=False, cancel_futures=True)


async def read_one(path: Path, settings: Settings, need_title: bool = False):
    """One PDF read in one bounded reader, as a run reads it (`inspect`, `rerun`): the Paper, or a
    one-line cause."""
    readers = PdfReaders(1, settings.reader_memory_mb, settings.reader_timeout_s)
    try:
        return await readers.read(read_paper if need_title else inspect_paper, path, settings.text_pages)
    finally:
        readers.close(force=True)


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
                self.bar.write(terminal_line(f"{result.file}: {state}"), file=sys.stderr)
        else:  # one line each: a newline in a file name cannot forge a progress line
            log.info("[%d/%d] %s: %s", self.done, self.total, terminal_line(result.file), terminal_line(state))

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def client_for(s: Settings) -> LLMClient:
    """The LLM client a live command uses, built from its settings."""
    return LLMClient(s.base_url, s.api_key, timeout=s.timeout, attempts=s.attempts,
                     budget=RetryBudget(left=s.retry_budget), rate_limit_wait=s.rate_limit_wait,
                     concurrency=s.concurrency, json_mode=s.json_mode)


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
    names: dict[Path, str] = field(default_factory=dict)  # each input's name in the report (display_names)
    previous: dict[str, PaperResult] = field(default_factory=dict)  # the report found in `output`, by file

    def name_of(self, path: Path) -> str:
        return self.names.get(path, path.name)

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
    """The paper's result, with the requests sent for it (this task's own count)."""
    sent = counting()
    result = await _result_of(batch, path, pool, gate, seen)
    return result.model_copy(update={"requests": sent[0]}) if sent[0] else result


async def _result_of(batch: Batch, path: Path, pool: PdfReaders, gate: asyncio.Semaphore,
                     seen: dict[str, str]) -> PaperResult:
    name = batch.name_of(path)
    prepared = await pool.prepare(path, batch.settings.text_pages, batch.prompt, batch.settings.model)
    if isinstance(prepared, str):
        return PaperResult(file=name, error=prepared)
    read, rendered = prepared
    if read.sha256 in seen:
        return PaperResult(file=name, sha256=read.sha256, duplicate_of=seen[read.sha256])
    seen[read.sha256] = name
    try:
        brief = await brief_paper(batch, read, rendered, gate)
    except EndpointUnusable:
        raise
    except LLMError as exc:
        return PaperResult(file=name, sha256=read.sha256, paper=published(read, None), error=f"{LLM_FAILED}: {exc}")
    return PaperResult(file=name, sha256=read.sha256, paper=published(read, brief), brief=brief,
                       error="" if brief.ok else brief.error)


async def run_batch(settings: Settings, files: list[Path], output: Path, write: bool = True) -> Report:
    """Brief every file; returns the final report (also written to OUTPUT/report.* unless `write`
    is off). The run store is OUTPUT/runs.sqlite either way. One run at a time holds the folder
    (store.folder_lock): another stops at once, or waits with `settings.wait`."""
    prompt = settings.prompt_file()
    command = "paperbrief " + ("record" if settings.record else "run" if write else "compare")
    async with folder_lock(output, command, settings.wait):
        return await _run_locked(settings, prompt, files, output, write)


def _previous_results(output: Path) -> dict[str, PaperResult]:
    """The results of the report already in `output` (none when it is missing or unreadable)."""
    try:
        previous = load_report(output)
    except (OSError, ValueError):
        return {}
    return {r.file: r for r in previous.results} if previous else {}


async def _run_locked(settings: Settings, prompt: PromptFile, files: list[Path], output: Path, write: bool) -> Report:
    output.mkdir(parents=True, exist_ok=True)
    store = RunStore(output / STORE_NAME)
    batch = Batch(settings=settings, output=output, prompt=prompt, store=store, write=write,
                  names=display_names(files), previous=_previous_results(output) if write else {})
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
    finished = False
    try:
        pool = PdfReaders(workers, settings.reader_memory_mb, settings.reader_timeout_s, batch.names)
        with context as recording, _closing(pool):
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
            except BaseException:  # Ctrl-C, a store that cannot be written, a full disk: no more calls
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
                raise
            finished = True
    finally:
        gc.enable()  # in case the run ended before the client thread did
        progress.close()
        try:
            batch.save_report(force=True, final=finished)
        finally:
            if batch.client is not None:
                await batch.client.close()
            store.close()
    return batch.report()


@contextlib.contextmanager
def _closing(pool: PdfReaders):
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


async def rerun_paper(settings: Settings, pdf: Path, output: Path) -> Rerun:
    """Brief one paper with the current prompt (free if already run) and update its report entry in place."""
    prompt = settings.prompt_file()
    async with folder_lock(output, "paperbrief rerun", settings.wait):
        return await _rerun_locked(settings, prompt, pdf, output)


async def _rerun_locked(settings: Settings, prompt: PromptFile, pdf: Path, output: Path) -> Rerun:
    read = await read_one(pdf, settings, need_title=True)
    if isinstance(read, str):
        raise PdfError(read)
    store = RunStore(output / STORE_NAME)
    batch = Batch(settings=settings, output=output, prompt=prompt, store=store)
    previous = load_report(output)
    if previous is not None:
        batch.results = {r.file: r for r in previous.results}
    old = next((r for r in batch.results.values() if r.sha256 == read.sha256), None)
    name = rerun_name(pdf, batch.results, old)
    read = read.model_copy(update={"file": name})
    context = cassette.replay(settings.cassette) if settings.cassette else contextlib.nullcontext()
    try:
        with context:
            rendered = render(prompt, read, settings.model)
            brief = await brief_paper(batch, read, rendered, asyncio.Semaphore(1))
    except LLMError as exc:
        new = PaperResult(file=name, sha256=read.sha256, paper=published(read, None), error=f"{LLM_FAILED}: {exc}")
    else:
        new = PaperResult(file=name, sha256=read.sha256, paper=published(read, brief), brief=brief,
                          error="" if brief.ok else brief.error)
    finally:
        calls = batch.client.calls if batch.client else 0
        if batch.client is not None:
            await batch.client.close()
        store.close()
    new = new.model_copy(update={"requests": calls})
    if old is not None:
        batch.results.pop(old.file, None)
    batch.results[new.file] = new  # an entry of that name (the paper before an edit) is replaced
    if previous is not None:
        batch.settings = settings.model_copy(update={"title": previous.title})
    batch.save_report(force=True)
    return Rerun(old=old, new=new, calls=calls)


def rerun_name(pdf: Path, results: dict[str, PaperResult], old: PaperResult | None) -> str:
    """The report name of a paper briefed again: its entry's, when the report holds these bytes;
    else the entry that alone ends with the shortest tail of its path (the paper before an edit),
    else that tail."""
    if old is not None:
        return old.file
    parts = pdf.absolute().parts
    for depth in range(1, len(parts)):
        name = "/".join(parts[-depth:])
        taken = [f for f in results if f == name or f.endswith("/" + name)]
        if len(taken) <= 1:
            return taken[0] if taken else name
    return str(pdf.absolute())


async def read_with_model(settings: Settings, pdf: Path) -> PaperResult:
    """One paper read by the rules and by the model (one brief call, or its cassette): `inspect --llm`."""
    read = await read_one(pdf, settings, need_title=True)
    if isinstance(read, str):
        raise PdfError(read)
    rendered = render(settings.prompt_file(), read, settings.model)
    context = cassette.replay(settings.cassette) if settings.cassette else contextlib.nullcontext()
    client = client_for(settings)
    try:
        with context:
            brief = await write_brief(read, rendered, client)
    except LLMError as exc:
        return PaperResult(file=pdf.name, sha256=read.sha256, paper=published(read, None), error=f"{LLM_FAILED}: {exc}")
    finally:
        await client.close()
    return PaperResult(file=pdf.name, sha256=read.sha256, paper=published(read, brief), brief=brief,
                       error="" if brief.ok else brief.error)

