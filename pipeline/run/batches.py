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
import json
import logging
import os
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ..brief.answer import answer_schema
from ..brief.prompts import PromptFile, RenderedPrompt, prompt_for
from ..llm import DownloadCut, LLMClient, LLMError, client_for, response_format
from ..models import BatchRequest, BatchState, Completion, Failure, Paper, PaperResult, Report, Usage
from ..render.escape import terminal_line
from ..render.report import write_report
from ..settings import Settings
from . import failures
from .flow import PaperFlow, Prepared, contained_call
from .reads import readers_for
from .store import STORE_NAME, RunStore

log = logging.getLogger("paperbrief")
BATCH_DISCOUNT = 0.5  # batch requests cost about half the live price


def custom_id(sha256: str, fingerprint: str, attempt: int, round_: int) -> str:
    """The request line's id: the paper's content hash, the prompt fingerprint, and which try."""
    return f"{sha256[:24]}-{fingerprint[:16]}-a{attempt}-r{round_}"


@dataclass
class Pending:
    """A request waiting to go into a batch file: its line and its row in the store."""

    request: BatchRequest
    messages: list[dict]


@dataclass
class ProviderBatchRun:
    """State of one batch-mode run."""

    settings: Settings
    output: Path
    prompt: PromptFile
    store: RunStore
    client: LLMClient
    papers: dict[str, Paper] = field(default_factory=dict)  # by content hash
    results: dict[str, PaperResult] = field(default_factory=dict)  # unreadable files and duplicates, by report name
    files: dict[str, str] = field(default_factory=dict)  # report name (display_names) -> content hash, in input order
    submitted: int = 0  # batches created by this run
    requests: int = 0  # model requests this run sent: lines of the batches it created, and live repairs
    failures: dict[str, Failure] = field(default_factory=dict)  # by content hash: papers whose lines this run could not handle
    flow: PaperFlow = field(init=False)  # the per-paper pipeline (the same steps as a live run)

    def __post_init__(self) -> None:
        self.flow = PaperFlow(self.prompt, self.settings.model, self.store)

    def prepared(self, paper: Paper) -> Prepared:
        return Prepared(paper=paper, rendered=self.flow.render(paper))

    def key(self, paper: Paper) -> tuple[str, str, str]:
        rendered = self.flow.render(paper)
        return paper.sha256, rendered.fingerprint, rendered.model


async def run_provider_batches(settings: Settings, files: list[Path], output: Path) -> Report:
    """Brief every file through provider batches; returns the report (also written to OUTPUT)."""
    output.mkdir(parents=True, exist_ok=True)
    store = RunStore(output / STORE_NAME)
    client = client_for(settings)
    run = ProviderBatchRun(settings=settings, output=output, prompt=prompt_for(settings), store=store, client=client)
    try:
        await _resolve_intents(run)
        await _read_and_submit(run, files)
        await _wait(run)
        report = _report(run)
        write_report(report, output)
        return report
    finally:
        await client.close()
        store.close()


async def _read_and_submit(run: ProviderBatchRun, files: list[Path]) -> None:
    """Read every PDF and submit a request for each paper not yet briefed nor in a live batch."""
    live = {(r.sha256, r.fingerprint, r.model) for r in run.store.batch_requests(state="pending")}
    writer = _BatchWriter(run)
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


class _BatchWriter:
    """Request lines streamed into a JSONL file, submitted as a batch at the provider's limits."""

    def __init__(self, run: ProviderBatchRun) -> None:
        self.run = run
        self.lines: list[BatchRequest] = []
        self.size = 0
        self.file = None
        self.path: Path | None = None

    async def add(self, pending: Pending, rendered: RenderedPrompt) -> None:
        body = {"model": rendered.model, "messages": pending.messages, **rendered.parameters}
        form = response_format(self.run.settings.json_mode, answer_schema())  # the same request a live run sends first
        if form is not None:
            body["response_format"] = form
        line = json.dumps({"custom_id": pending.request.custom_id, "method": "POST", "url": "/v1/chat/completions",
                           "body": body}, ensure_ascii=False) + "\n"
        data = line.encode("utf-8")
        limits = self.run.settings
        if self.lines and (len(self.lines) >= limits.batch_max_lines or self.size + len(data) > limits.batch_max_bytes):
            await self.flush()
        if self.file is None:
            handle, name = tempfile.mkstemp(prefix="paperbrief-batch-", suffix=".jsonl", dir=self.run.output)
            self.file, self.path = os.fdopen(handle, "wb"), Path(name)
        self.file.write(data)
        self.lines.append(pending.request)
        self.size += len(data)

    async def flush(self) -> None:
        """Upload the file, create the batch, and store both before anything waits on them."""
        if self.file is None:
            return
        self.file.close()
        try:
            file_id = await self.run.client.upload_batch_file(self.path)
            key = f"pb-{uuid.uuid4().hex}"
            self.run.store.add_intent(key, file_id, self.lines)  # before the create: a stop during it is looked up
            self.run.requests += len(self.lines)
            await _create(self.run, key, file_id)
        finally:
            self.path.unlink(missing_ok=True)
            self.file, self.path, self.lines, self.size = None, None, [], 0


async def _create(run: ProviderBatchRun, key: str, file_id: str) -> None:
    """Create the batch of an intent once (the client looks a create without answer up by key) and store it."""
    state = await run.client.create_batch(file_id, key)
    run.store.add_batch(state, key)
    run.submitted += 1
    log.info("batch %s submitted (%s)", state.id, state.status)


async def _resolve_intents(run: ProviderBatchRun) -> None:
    """Batches whose create call never answered (a timeout, a stop): found at the provider by their
    key or input file and stored; created only when the provider has no such batch."""
    for key, file_id, lines in run.store.open_intents():
        found = await run.client.find_batch(key, file_id)
        if found is not None:
            run.store.add_batch(found, key)
            log.info("batch %s found at the provider: its create call had not answered", found.id)
        else:
            run.requests += lines
            await _create(run, key, file_id)


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
                again, read = await _collect(run, state)
                follow_up += again
                if not read:
                    cut.add(state.id)
            run.store.update_batch(state, collected=read)
        if follow_up:
            await _send_again(run, follow_up)
        if not any(not s.finished for s in states) and not follow_up:
            continue  # look once more: the follow-ups of this pass are live batches now
        await asyncio.sleep(run.settings.batch_poll)
    progress.close()


async def _collect(run: ProviderBatchRun, state: BatchState) -> tuple[list[tuple[Pending, RenderedPrompt]], bool]:
    """Read a finished batch's output and error files; returns the requests to send again, and
    whether the files were read whole. A download cut short (batch_download_timeout, the file
    limit) leaves the requests it did not reach pending: the next run reads the files again,
    and nothing is sent again for them.

    A malformed line (not JSON, not an object, wrong types) settles its request, when its
    custom_id can be read, as retried or failed with the reason; it never ends the run."""
    requests = {r.custom_id: r for r in run.store.batch_requests(state.id, state="pending")}
    again: list[tuple[Pending, RenderedPrompt]] = []
    try:
        await _read_files(run, state, requests, again)
    except DownloadCut as exc:
        log.warning("batch %s: %s; %d answer(s) not read are read by the next run", state.id, exc, len(requests))
        return again, not requests  # with nothing left unanswered, the batch is read
    for request in requests.values():  # lines in neither file (or unreadable): the batch ended without them
        again += _retry_or_fail(run, request, f"no answer (the batch {state.status})")
    return again, True


async def _read_files(run: ProviderBatchRun, state: BatchState, requests: dict[str, BatchRequest],
                      again: list[tuple[Pending, RenderedPrompt]]) -> None:
    """Each line of the batch's files judged as it comes (`requests` loses the ones answered)."""
    settings = run.settings
    for file_id in (state.output_file_id, state.error_file_id):
        if not file_id:
            continue
        async for line in run.client.batch_lines(file_id, settings.answer_limit_mb << 20, settings.batch_download_timeout):
            request = requests.pop(line.custom_id, None) if line.custom_id else None
            if request is None:
                if line.custom_id is None:
                    log.warning("batch %s: a result line was skipped: %s", state.id, line.error)
                continue
            if line.completion is not None:
                again += _judged(run, request, line.completion)
            elif line.final:  # sending it again would buy the same answer
                run.store.settle_request(request.custom_id, "failed", line.error)
            else:
                again += _retry_or_fail(run, request, line.error)


def _judged(run: ProviderBatchRun, request: BatchRequest, answer: Completion) -> list[tuple[Pending, RenderedPrompt]]:
    """`_judge`, with any exception nobody foresaw settling that line (and its paper) as `internal`."""
    def fail(failure: Failure) -> list:
        run.failures[request.sha256] = failure
        run.store.settle_request(request.custom_id, "failed", failure.detail)
        return []

    return contained_call(fail, lambda: _judge(run, request, answer))


def _judge(run: ProviderBatchRun, request: BatchRequest, answer: Completion) -> list[tuple[Pending, RenderedPrompt]]:
    """Judge one answer with the live run's brief path: keep the brief, or ask for the one repair."""
    paper = run.papers.get(request.sha256)
    if paper is None:  # a paper no longer among the inputs
        run.store.settle_request(request.custom_id, "failed", "paper not among the inputs")
        return []
    prepared = run.prepared(paper)
    if request.first_answer:  # this was the repair request
        _settle(run, request, run.flow.repair_answer(prepared, _first_answer(request), answer).error, done=True)
        return []
    step = run.flow.first_answer(prepared, answer)
    if step.brief is not None:
        _settle(run, request, step.brief.error, done=step.brief.ok)
        return []
    run.store.settle_request(request.custom_id, "retried", "to repair")
    rendered = prepared.rendered
    repair = BatchRequest(custom_id=custom_id(paper.sha256, rendered.fingerprint, request.attempt + 1, request.round + 1),
                          sha256=paper.sha256, file=paper.file, fingerprint=rendered.fingerprint, model=rendered.model,
                          attempt=request.attempt + 1, round=request.round + 1,
                          first_answer=answer.model_dump_json())
    return [(Pending(request=repair, messages=step.repair), rendered)]


def _settle(run: ProviderBatchRun, request: BatchRequest, error: str, done: bool) -> None:
    """A line whose brief is stored: done when it passed, failed (with why) when not."""
    run.store.settle_request(request.custom_id, "done" if done and not error else "failed", error)


def _first_answer(request: BatchRequest) -> Completion:
    """The first answer a repair request follows, as the store kept it (older stores kept less)."""
    kept = json.loads(request.first_answer)
    return Completion(text=kept["text"], usage=Usage(**kept.get("usage", {})), model=kept.get("model", request.model),
                      latency_s=kept.get("latency_s", 0.0), raw=kept.get("raw", ""),
                      finish_reason=kept.get("finish_reason", ""))


def _retry_or_fail(run: ProviderBatchRun, request: BatchRequest, why: str) -> list[tuple[Pending, RenderedPrompt]]:
    """A line with no answer is sent again while the attempt rules allow, else recorded as failed."""
    paper = run.papers.get(request.sha256)
    if paper is None or request.round >= run.settings.attempts:
        run.store.settle_request(request.custom_id, "failed", why)
        return []
    run.store.settle_request(request.custom_id, "retried", why)
    prepared = run.prepared(paper)
    rendered = prepared.rendered
    again = request.model_copy(update={"custom_id": custom_id(paper.sha256, rendered.fingerprint, request.attempt,
                                                               request.round + 1), "round": request.round + 1,
                                       "state": "pending", "detail": ""})
    messages = rendered.messages
    if request.first_answer:  # the lost line was a repair request: ask the same repair again
        messages = run.flow.repair_request(prepared, _first_answer(request))
    return [(Pending(request=again, messages=messages), rendered)]


async def _send_again(run: ProviderBatchRun, follow_up: list[tuple[Pending, RenderedPrompt]]) -> None:
    """Follow-up requests go into a new batch, or, with repair_live, repairs are asked live now."""
    writer = _BatchWriter(run)
    for pending, rendered in follow_up:
        if run.settings.repair_live and pending.request.first_answer:
            await _repair_live(run, pending, rendered)
        else:
            await writer.add(pending, rendered)
    await writer.flush()


async def _repair_live(run: ProviderBatchRun, pending: Pending, rendered: RenderedPrompt) -> None:
    """The repair request of a batch answer, asked live (repair_live), through the live brief path."""
    request, paper = pending.request, run.papers[pending.request.sha256]
    prepared, first = run.prepared(paper), _first_answer(request)
    run.requests += 1
    try:
        second = await run.client.complete(pending.messages, rendered.model, rendered.parameters, schema=answer_schema())
    except LLMError as exc:
        run.flow.unrepaired(prepared, first, f"the live repair request failed: {exc}")
    else:
        run.flow.repair_answer(prepared, first, second)


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

