"""A finished provider batch read line by line: each answer judged as a live run judges it, and the
requests to send again (a repair, a lost line) returned for a follow-up batch, or repairs asked live."""

from __future__ import annotations

import json
import logging

from ..brief.prompts import RenderedPrompt
from ..llm import DownloadCut, LLMError
from ..models import BatchRequest, BatchState, Completion, Failure, Usage
from .batch_run import BatchWriter, Pending, ProviderBatchRun, custom_id
from .flow import contained_call

log = logging.getLogger("paperbrief")


async def collect(run: ProviderBatchRun, state: BatchState) -> tuple[list[tuple[Pending, RenderedPrompt]], bool]:
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


async def send_again(run: ProviderBatchRun, follow_up: list[tuple[Pending, RenderedPrompt]]) -> None:
    """Follow-up requests go into a new batch, or, with repair_live, repairs are asked live now."""
    writer = BatchWriter(run)
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
        second = await run.client.complete(pending.messages, rendered.model, rendered.parameters, schema=rendered.schema)
    except LLMError as exc:
        run.flow.unrepaired(prepared, first, f"the live repair request failed: {exc}")
    else:
        run.flow.repair_answer(prepared, first, second)
