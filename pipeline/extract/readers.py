"""The one read path: PDF paths to Papers (or named read failures) in bounded reader processes.

Every command reads through here: a live run, `--batch`, `rerun`, `compare`, `regress` and
`inspect`, each through one pool. Readers are separate processes so that a PDF that hangs, eats
memory or crashes the PDF library costs its own paper and never the run.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import multiprocessing
import os
import signal
import sys
import threading
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Callable

from ..models import Document, Paper, ReadFailure
from ..rules import Rules
from ..settings import READER_MEMORY_MB, READER_TIMEOUT_S
from . import reading
from .inputs import PdfError, check_regular
from .text import readable_name

MANAGER_SETTLE_S = 5.0  # how long a killed pool's manager thread is given to finish (it needs milliseconds)

NO_TITLE = "no title found on page 1"


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
    as many of its last path parts as tell them apart (a/paper.pdf, b/paper.pdf). A name that is
    not UTF-8 (GBK bytes) is shown and stored with U+FFFD for those bytes; the Path reads the file."""
    names = _distinct_names(files)
    shown = {path: readable_name(name) for path, name in names.items()}
    taken = Counter(shown.values())
    # two names that differ only in their undecodable bytes would read the same: those show the bytes
    return {path: name if taken[name] == 1 else _escaped_bytes(names[path]) for path, name in shown.items()}


def _escaped_bytes(name: str) -> str:
    """'\\xc4\\xe3.pdf': a name with its undecodable bytes written out, so two such names stay apart."""
    try:
        return readable_name(name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace"))
    except UnicodeEncodeError:  # a surrogate that is no escaped byte
        return readable_name(name.encode("utf-8", "backslashreplace").decode("utf-8"))


def _distinct_names(files: list[Path]) -> dict[Path, str]:
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

    main.__spec__ = importlib.util.find_spec("pipeline.extract.reading")
    try:
        yield
    finally:
        main.__spec__ = None


@functools.lru_cache(maxsize=1)
def _reader_context(preload: tuple[str, ...] = ()) -> multiprocessing.context.BaseContext:
    """Readers start from a forkserver (spawn where there is none), never by forking this process:
    the run has threads (the SDK import, the event loop's executor), and forking a threaded
    process can deadlock the child. The server preloads the reading code (and `preload`, the
    modules of what the readers are handed) once, so each reader starts in milliseconds."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["pipeline.extract.reading", "pipeline.extract.pdf", *preload])
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
    takes it, not while it waits behind others. `interpret` is what a reader makes of a PDF's
    text (the metadata stage's read_metadata: run/reads.py hands it down)."""

    def __init__(self, workers: int, memory_mb: int = READER_MEMORY_MB, timeout_s: float = READER_TIMEOUT_S,
                 names: dict[Path, str] | None = None, text_pages: int = 2, rules: Rules | None = None,
                 interpret: Callable[[Document], Paper] | None = None):
        self.workers, self.memory_mb, self.timeout_s = workers, memory_mb, timeout_s
        self.names = names or {}  # the name each paper is reported under (display_names)
        self.text_pages = text_pages
        self.rules = rules or Rules()  # handed to each reader process: the run's thresholds, not the defaults
        self.interpret = interpret
        self.slots = asyncio.Semaphore(workers)
        self.pool = self._new_pool(workers)

    def _new_pool(self, workers: int) -> ProcessPoolExecutor:
        preload = (self.interpret.__module__,) if self.interpret else ()
        return ProcessPoolExecutor(max_workers=workers, mp_context=_reader_context(preload), initializer=reading.start_reader,
                                   initargs=(os.getpid(), self.memory_mb, self.rules))

    def name(self, path: Path) -> str:
        """The name this paper is reported under (display_names)."""
        return self.names.get(path) or readable_name(path.name)

    async def paper(self, path: Path) -> Paper | ReadFailure:
        """The one read path: a PDF path to its Paper (under its report name), or a named failure.
        A paper read without a title is a failure that still carries what was read (`inspect`)."""
        name = self.name(path)
        if self.interpret is None:
            raise TypeError("these readers were given nothing to read papers with (interpret)")
        read = await self.read(reading.read_paper, path, self.text_pages, self.interpret)
        if isinstance(read, str):
            return ReadFailure(file=name, reason=read)
        read = read.model_copy(update={"file": name})
        if not read.title:
            return ReadFailure(file=name, reason=NO_TITLE, paper=read)
        return read

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
        # not wait_for: on 3.11 it drops a cancel (Ctrl-C) that comes as the read finishes, and the
        # paper would go on to a paid call the run then waits for; a timeout block always passes it on
        async with asyncio.timeout(self.timeout_s):
            return await future

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
            process.join(30)  # the pool may not have reaped it yet (a loaded machine); its exit code says how it died
        codes = {process.exitcode for process in started}
        if self.memory_mb and -signal.SIGABRT in codes:
            return reading.memory_message(self.memory_mb)
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
    manager = getattr(pool, "_executor_manager_thread", None)  # shutdown forgets it
    pool.shutdown(wait=False, cancel_futures=True)
    if manager is not None and manager is not threading.current_thread():
        # its workers are dead, so it ends at once; until it has, an exit right after (Ctrl-C) races
        # its closing of the wake-up pipe and prints an OSError traceback (CPython before 3.12.1)
        manager.join(MANAGER_SETTLE_S)


class AlreadyRead:
    """Papers read before the run, behind the readers' interface: `compare` reads each PDF once
    and briefs it with every variant."""

    def __init__(self, reads: dict[Path, Paper | ReadFailure]) -> None:
        self.reads = reads

    def name(self, path: Path) -> str:
        return self.reads[path].file

    async def paper(self, path: Path) -> Paper | ReadFailure:
        return self.reads[path]

    def close(self, force: bool = False) -> None:
        """Nothing to let go: no reader was started for these."""
