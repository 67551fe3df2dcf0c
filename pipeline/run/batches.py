"""Thousands of papers through the provider's Batch API: the same chat-completion requests, run
by the provider within 24 hours at about half the price and outside the live rate limits.

Every paper is read as in a live run. Each request goes into a JSONL file, written line by line
and never held in memory, and cut into several batches at the provider's limits. Each batch and
its request lines are stored in the run store before the wait begins. So a run that is killed
while it waits resumes when the same command runs again: papers already in a live batch, or
already briefed, are never sent again. Finished batches are read line by line and every answer
is checked exactly as a live run checks it. A failed check earns one repair request, and a
failed or expired line is sent again, both in a follow-up batch (or live, with repair_live).
Every paper ends as a brief or as a listed failure.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from datetime import datetime
from pathlib import Path

from ..brief.prompts import RenderedPrompt, prompt_for
from ..llm import client_for
from ..models import BatchRequest, BatchState, Paper, PaperResult, Report, Usage
from ..render.escape import terminal_line
from ..render.report import write_report
from ..settings import Settings
from . import failures
from .batch_answers import collect, send_again
from .batch_run import BATCH_DISCOUNT, BatchWriter, Pending, ProviderBatchRun, custom_id, resolve_intents
from .digests import Digest
from .flow import contained_call
from .reads import readers_for
from .store import STORE_NAME, RunStore

log = logging.getLogger("paperbrief")


async def run_provider_batches(settings: Settings, files: list[Path], output: Path) -> Report:
    """Brief every file through provider batches; returns the report (also written to OUTPUT)."""
    output.mkdir(parents=True, exist_ok=True)
    store = RunStore(output / STORE_NAME)
    client = client_for(settings)
    run = ProviderBatchRun(settings=settings, output=output, prompt=prompt_for(settings), store=store, client=client)
    try:
        await resolve_intents(run)
        await _read_and_submit(run, files)
        await _wait(run)
        digest = Digest.start(settings, output)
        report = digest.dress(_report(run))
        write_report(report, output)
        digest.keep(output)
        return report
    finally:
        await client.close()
        store.close()


async def _read_and_submit(run: ProviderBatchRun, files: list[Path]) -> None:
    """Read every PDF and submit a request for each paper not yet briefed nor in a live batch."""
    live = {(r.sha256, r.fingerprint, r.model) for r in run.store.batch_requests(state="pending")}
    writer = BatchWriter(run)
    readers = readers_for(run.settings, files)
    seen: dict[str, str] = {}  # content hash -> the first file that had it
    try:
        for path in files:
            read = await readers.paper(path)
            started = contained_call(lambda failure, path=path: failures.failed(readers.name(path), failure),
                                     lambda read=read: run.flow.start(read, seen))
            if isinstance(started, PaperResult) and (started.failure or started.duplicate_of):
                run.results[started.file] = started  # unreadable, a duplicate, or its steps failed
                continue
            paper = read  # read, and no duplicate: the report shows it, from the store or the batch
            run.papers[paper.sha256] = paper
            run.files[paper.file] = paper.sha256
            if isinstance(started, PaperResult):
                continue  # a passing brief of this prompt is stored
            key = run.key(paper)
            if key in live:
                continue  # already in a live batch: wait for it, never send it twice
            rendered = started.rendered
            request = BatchRequest(custom_id=custom_id(paper.sha256, rendered.fingerprint, 1, 1), sha256=paper.sha256,
                                   file=paper.file, fingerprint=rendered.fingerprint, model=rendered.model, attempt=1, round=1)
            await writer.add(Pending(request=request, messages=rendered.messages), rendered)
        await writer.flush()
    finally:
        readers.close(force=True)  # every read is done here, or the run is ending: no reader is waited for


async def _wait(run: ProviderBatchRun) -> None:
    """Poll the live batches until every request is settled; finished batches are read as they end."""
    progress = _Progress()
    cut: set[str] = set()  # batches whose files could not be read whole in this run: read again by the next
    while True:
        live = [b for b in run.store.batches(live_only=True) if b.id not in cut]
        if not live:
            break
        states = [await run.client.batch_state(b.id) for b in live]
        progress.show(states)
        follow_up: list[tuple[Pending, RenderedPrompt]] = []
        for state in states:
            read = False
            if state.finished:  # marked read in the store only once read: a crash mid-read reads it again
                again, read = await collect(run, state)
                follow_up += again
                if not read:
                    cut.add(state.id)
            run.store.update_batch(state, collected=read)
        if follow_up:
            await send_again(run, follow_up)
        if not any(not s.finished for s in states) and not follow_up:
            continue  # look once more: the follow-ups of this pass are live batches now
        await asyncio.sleep(run.settings.batch_poll)
    progress.close()


def _report(run: ProviderBatchRun) -> Report:
    results = dict(run.results)
    for file, sha in run.files.items():
        paper = run.papers[sha]
        results[file] = contained_call(lambda failure, file=file, sha=sha: failures.failed(file, failure, sha),
                                       lambda paper=paper: _result(run, paper))
    usage = sum((r.brief.usage for r in results.values() if r.brief), Usage())
    price = run.settings.price_of(run.settings.model or run.prompt.model)
    cost = None if price is None else BATCH_DISCOUNT * (usage.prompt_tokens * price.input +
                                                        usage.completion_tokens * price.output) / 1e6
    return Report(title=run.settings.title, generated_at=datetime.now().strftime("%Y-%m-%d %H:%M:%S"),
                  prompt_id=run.prompt.id, prompt_version=run.prompt.version,
                  model=run.settings.model or run.prompt.model, results=list(results.values()),
                  batch_cost_usd=cost, requests=run.requests)


def _result(run: ProviderBatchRun, paper: Paper) -> PaperResult:
    """A paper's result from what the store holds: its brief, or why its lines got none."""
    key = run.key(paper)
    brief = run.store.lookup(*key) or run.store.latest(*key)
    if brief is not None:
        return run.flow.publish(paper, brief)
    if paper.sha256 in run.failures:
        return run.flow.without_answer(paper, run.failures[paper.sha256])
    failed = [r for r in run.store.batch_requests(state="failed") if r.sha256 == paper.sha256]
    return run.flow.without_answer(paper, failures.batch(failed[-1].detail if failed else "no answer from the batch"))


class _Progress:
    """completed / failed / total of the live batches, on one line (a bar on a terminal)."""

    LOG_EVERY_S = 10.0  # plain log lines (not a terminal) at most this often

    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()
        self.last = ""
        self.logged = 0.0

    def show(self, states: list[BatchState]) -> None:
        done = sum(s.completed for s in states)
        failed = sum(s.failed for s in states)
        total = sum(s.total for s in states)
        finished = sum(s.finished for s in states)
        line = terminal_line(f"batches: {len(states) - finished} running, {finished} finished; {done} completed, "
                        f"{failed} failed of {total} requests")
        now = time.monotonic()
        if self.tty:
            print("\r" + line, end="", file=sys.stderr, flush=True)
        elif line != self.last and (now - self.logged >= self.LOG_EVERY_S or finished):
            print(f"{line} ({time.strftime('%H:%M:%S')})", file=sys.stderr, flush=True)
            self.logged = now
        self.last = line

    def close(self) -> None:
        if self.tty and self.last:
            print(file=sys.stderr)


async def batch_states(settings: Settings, output: Path, cancel: bool = False) -> list[BatchState]:
    """Every batch of an output folder, refreshed from the provider (and cancelled, with cancel).
    Only a batch still running needs the endpoint: finished ones are shown as the store has them."""
    store = RunStore(output / STORE_NAME) if cancel else RunStore.for_looking(output / STORE_NAME)
    client = None
    try:
        known_batches = store.batches()
        if any(not known.finished for known in known_batches):
            settings.require_endpoint()
            client = client_for(settings)
        states = []
        for known in known_batches:
            state = known
            if not known.finished:
                state = await (client.cancel_batch(known.id) if cancel else client.batch_state(known.id))
                if not store.readonly:  # status in a read-only folder shows the fresh state without keeping it
                    store.update_batch(state)
                if cancel:  # cancelled on purpose: its unanswered lines are not sent again by a waiting run
                    for request in store.batch_requests(known.id, state="pending"):
                        store.settle_request(request.custom_id, "cancelled", "batch cancelled")
            states.append(state)
        return states
    finally:
        if client is not None:
            await client.close()
        store.close()
