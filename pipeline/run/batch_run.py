"""The state of one provider-batch run, and its submission: request lines streamed into JSONL files,
cut at the provider's limits, each batch stored (as an intent, then as a batch) before anything waits on it."""

from __future__ import annotations

import json
import logging
import os
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from ..brief.prompts import PromptFile, RenderedPrompt
from ..llm import LLMClient, response_format
from ..models import BatchRequest, Failure, Paper, PaperResult
from ..settings import Settings
from .flow import PaperFlow, Prepared
from .store import RunStore

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


class BatchWriter:
    """Request lines streamed into a JSONL file, submitted as a batch at the provider's limits."""

    def __init__(self, run: ProviderBatchRun) -> None:
        self.run = run
        self.lines: list[BatchRequest] = []
        self.size = 0
        self.file = None
        self.path: Path | None = None

    async def add(self, pending: Pending, rendered: RenderedPrompt) -> None:
        body = {"model": rendered.model, "messages": pending.messages, **rendered.parameters}
        form = response_format(self.run.settings.json_mode, rendered.schema)  # the same request a live run sends first
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
            await create(self.run, key, file_id)
        finally:
            self.path.unlink(missing_ok=True)
            self.file, self.path, self.lines, self.size = None, None, [], 0


async def create(run: ProviderBatchRun, key: str, file_id: str) -> None:
    """Create the batch of an intent once (the client looks a create without answer up by key) and store it."""
    state = await run.client.create_batch(file_id, key)
    run.store.add_batch(state, key)
    run.submitted += 1
    log.info("batch %s submitted (%s)", state.id, state.status)


async def resolve_intents(run: ProviderBatchRun) -> None:
    """Batches whose create call never answered (a timeout, a stop): found at the provider by their
    key or input file and stored; created only when the provider has no such batch."""
    for key, file_id, lines in run.store.open_intents():
        found = await run.client.find_batch(key, file_id)
        if found is not None:
            run.store.add_batch(found, key)
            log.info("batch %s found at the provider: its create call had not answered", found.id)
        else:
            run.requests += lines
            await create(run, key, file_id)
