"""One paper from its path to its result: the per-paper pipeline every command drives.

read -> de-duplicate -> render -> run-store lookup -> answer (a live call, a cassette replay or a
batch line) -> ground, check, repair -> store -> publish. The drivers (`run`, `run --batch`,
`rerun`, `compare`, `record`/`regress`, `inspect --llm`) only choose where answers come from and
what to do with the results; none writes a step of its own.

A paper's trouble stays that paper's: any exception that escapes one paper's steps becomes that
paper's `internal` failure (`contained`). Only what concerns every paper goes past: the endpoint
unusable, the run store unusable, Ctrl-C.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Awaitable, Callable, TypeVar

from ..brief.prompts import PromptFile, RenderedPrompt, render_prompt
from ..brief.write import Step, after_first, after_repair, unrepaired, write_brief
from ..llm import EndpointUnusable, LLMClient, LLMError, NotRecorded
from ..metadata.decide import published
from ..models import Brief, Completion, Failure, Paper, PaperResult, ReadFailure
from . import failures
from .store import RunStore, StoreError

log = logging.getLogger("paperbrief")

RUN_STOPPERS = (EndpointUnusable, StoreError)  # what no paper can get past: they stop the run, not one paper
_Value = TypeVar("_Value")


@dataclass(frozen=True)
class Prepared:
    """A paper read, not a duplicate, with no passing brief of this prompt in the run store: it needs an answer."""

    paper: Paper
    rendered: RenderedPrompt


class PaperFlow:
    """The steps of one paper's pipeline under one prompt and model, sharing one run store.

    `reuse` off (recording a cassette) sends every paper even when a passing brief is stored."""

    def __init__(self, prompt: PromptFile, model: str | None, store: RunStore | None, reuse: bool = True) -> None:
        self.prompt, self.model, self.store, self.reuse = prompt, model, store, reuse

    def render(self, paper: Paper) -> RenderedPrompt:
        return render_prompt(self.prompt, paper, self.model)

    def start(self, read: Paper | ReadFailure, seen: dict[str, str] | None = None) -> PaperResult | Prepared:
        """A read paper's result when it needs no answer (unreadable, a duplicate, a passing brief
        stored), else what its answer needs. `seen` maps content hashes to the first file that had them."""
        if isinstance(read, ReadFailure):
            return failures.failed(read.file, failures.unreadable(read.reason))
        if seen is not None:
            if read.sha256 in seen:
                return PaperResult(file=read.file, sha256=read.sha256, duplicate_of=seen[read.sha256])
            seen[read.sha256] = read.file
        rendered = self.render(read)
        stored = self.stored(read, rendered)
        return self.publish(read, stored) if stored is not None else Prepared(paper=read, rendered=rendered)

    def stored(self, paper: Paper, rendered: RenderedPrompt) -> Brief | None:
        """The passing brief this prompt and model already paid for on this paper, if any."""
        if self.store is None or not self.reuse:
            return None
        return self.store.lookup(paper.sha256, rendered.fingerprint, rendered.model)

    def plan(self, paper: Paper) -> str:
        """What a run would do with this paper (the --dry-runs): "reuse" a passing stored brief,
        send it "again" (its stored brief failed), or send it as "new"."""
        rendered = self.render(paper)
        if self.stored(paper, rendered) is not None:
            return "reuse"
        stored = self.store.latest(paper.sha256, rendered.fingerprint, rendered.model) if self.store else None
        return "again" if stored is not None else "new"

    async def answer(self, prepared: Prepared, client: LLMClient) -> PaperResult:
        """The live (or replayed) answer, its one repair when needed, stored and published."""
        paper = prepared.paper
        try:
            brief = await write_brief(paper, prepared.rendered, client)
        except EndpointUnusable as exc:
            if exc.partial is not None:  # paid for: stored before the run stops
                self.keep(paper, exc.partial)
            raise
        except LLMError as exc:
            return self.without_answer(paper, failures.no_answer(exc, isinstance(exc, NotRecorded)))
        return self.keep(paper, brief)

    # -- answers that arrive apart from their request (provider batches) -----------------------

    def first_answer(self, prepared: Prepared, answer: Completion) -> Step:
        """A first answer judged: its brief kept and stored, or the repair request to send."""
        step = after_first(prepared.paper, prepared.rendered, answer)
        if step.brief is not None:
            self.keep(prepared.paper, step.brief)
        return step

    def repair_answer(self, prepared: Prepared, first: Completion, second: Completion) -> Brief:
        """The brief after the repair answer (the first answer's, when only that one passed), stored."""
        return self.keep(prepared.paper, after_repair(prepared.paper, prepared.rendered, first, second)).brief

    def unrepaired(self, prepared: Prepared, first: Completion, why: str) -> Brief:
        """A first answer whose repair got no answer: kept, since it was paid for."""
        return self.keep(prepared.paper, unrepaired(prepared.paper, prepared.rendered, first, why)).brief

    def repair_request(self, prepared: Prepared, first: Completion) -> list[dict]:
        """The repair conversation for a first answer (a batch line lost on its way is asked again)."""
        return after_first(prepared.paper, prepared.rendered, first).repair or prepared.rendered.messages

    # -- results ---------------------------------------------------------------------------------

    def keep(self, paper: Paper, brief: Brief) -> PaperResult:
        """A brief just paid for: committed to the run store, then published."""
        if self.store is not None:
            self.store.save(paper.sha256, paper.file, brief)
        return self.publish(paper, brief)

    @staticmethod
    def publish(paper: Paper, brief: Brief) -> PaperResult:
        return PaperResult(file=paper.file, sha256=paper.sha256, paper=published(paper, brief), brief=brief,
                           failure=failures.of_brief(brief))

    @staticmethod
    def without_answer(paper: Paper, failure: Failure) -> PaperResult:
        return PaperResult(file=paper.file, sha256=paper.sha256, paper=published(paper, None), failure=failure)


async def contained(file: str, step: Awaitable[PaperResult], sha256: str = "") -> PaperResult:
    """The paper's result, or its `internal` failure when an exception nobody foresaw escapes it."""
    try:
        return await step
    except RUN_STOPPERS:
        raise
    except Exception as exc:  # a bug in one paper's steps must not end the run: not Ctrl-C, not a cancel
        return failures.failed(file, failures.internal(exc), sha256)


def contained_call(on_error: Callable[[Failure], _Value], step: Callable[[], _Value]) -> _Value:
    """`step()`, or `on_error(failure)` when an exception nobody foresaw escapes it (a batch line)."""
    try:
        return step()
    except RUN_STOPPERS:
        raise
    except Exception as exc:
        return on_error(failures.internal(exc))
