"""Stage 3, read and brief: Paper -> Brief. One call reads page 1's header and writes the brief.

The answer is one JSON object (title, authors, institutions, brief). Its names are grounded in
the header text (grounding.py), the two readings make the published paper, and the brief is
checked against that paper. An answer that breaks the contract, fails a check, or misread the
header (a name page 1 does not print, an author given as an institution) gets one repair
request that says what was wrong; a failed check is never published.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..llm import EndpointUnusable, LLMClient, LLMError, RequestAbout
from ..metadata.decide import decide
from ..models import Brief, CheckResult, Completion, Dropped, Paper, Reading, Usage
from .answer import AnswerError, parse_answer, topic_of
from .grounding import ground, needs_repair
from .prompts import RenderedPrompt, RepairTemplates, load_prompt, repair_templates
from .validate import check, failed_checks

MAX_ATTEMPTS = 2
ECHO_LIMIT = 2000  # characters of a failed answer sent back in the repair request
CUT_ECHO_LIMIT = 300  # characters of an answer cut off at max_tokens sent back: the rest only made it long
CUT_OFF = "cut_off"  # the check an answer cut off at max_tokens fails (finish_reason "length")


_WRAPPERS = re.compile(
    r"^(?:```\w*\s*)?(?:\*{0,2}(?:简报|答案|回答|输出|Brief)\*{0,2}\s*[:：]\s*\*{0,2}\s*)?[\"“”'「『*]*|[\"“”'」』*]*(?:\s*```)?$")


def tidy_answer(text: str) -> str:
    """Drop what chat models wrap a sentence in (quotes, a code fence, a '简报：' label); keep the sentence."""
    return _WRAPPERS.sub("", text.strip()).strip()


_CHECK_NAMES = {CUT_OFF: "回答被截断", "answer": "回答格式", "shape": "格式", "one_sentence": "句子", "length": "长度",
                "institution": "机构",
                "title": "标题", "content": "内容", "numbers": "数字"}
_FIELD_NAMES = {"title": "标题", "authors": "作者", "institutions": "机构"}


@dataclass
class Assessment:
    """One answer judged: the brief sentence, the paper as published, and what is wrong."""

    text: str
    paper: Paper
    reading: Reading | None
    dropped: list[Dropped]
    results: list[CheckResult]
    failed: list[CheckResult] = field(default_factory=list)  # these keep the brief from being published
    misread: list[Dropped] = field(default_factory=list)  # these earn a repair, but do not block a good brief
    topic: str = ""  # the digest's topic (其他 for any other), '' when the digest has none
    relevant: bool | None = None  # on the digest's theme, when it has one and the answer said
    reason: str = ""

    @property
    def ok(self) -> bool:
        return not self.failed

    @property
    def clean(self) -> bool:
        return not self.failed and not self.misread

    @property
    def cut_off(self) -> bool:
        return any(r.name == CUT_OFF for r in self.failed)


def assess(answer: str, paper: Paper, topics: tuple[str, ...] = (), theme: str = "") -> Assessment:
    """An answer parsed, grounded in the header, decided against the rules, and checked. The
    digest's keys are read as given (a topic not in the list is 其他) and never fail a check."""
    try:
        parsed = parse_answer(answer)
    except AnswerError as exc:
        contract = CheckResult(name="answer", ok=False, detail=str(exc))
        return Assessment(text=tidy_answer(answer[:ECHO_LIMIT]), paper=decide(paper, None, []), reading=None, dropped=[],
                          results=[contract],
                          failed=[contract])
    reading, dropped = ground(parsed, paper.header_text, paper)
    final = decide(paper, reading, dropped)
    text = tidy_answer(parsed.brief)
    results = [CheckResult(name="answer", ok=True), *check(text, final)]
    return Assessment(text=text, paper=final, reading=reading, dropped=dropped, results=results,
                      failed=failed_checks(results), misread=needs_repair(dropped), topic=topic_of(parsed, topics),
                      relevant=parsed.relevant if theme else None, reason=parsed.reason if theme else "")


def cut_at_max_tokens(judged: Assessment, max_tokens: object) -> Assessment:
    """An answer the endpoint cut off (finish_reason "length"): one named failure says so, instead
    of whatever the cut text happens to fail (a length, a JSON that does not close)."""
    limit = f"max_tokens={max_tokens}" if max_tokens is not None else "max_tokens"
    cut = CheckResult(name=CUT_OFF, ok=False, detail=f"answer cut off at {limit}")
    return Assessment(text=judged.text, paper=judged.paper, reading=judged.reading, dropped=judged.dropped,
                      results=[cut, *judged.results], failed=[cut], misread=judged.misread, topic=judged.topic,
                      relevant=judged.relevant, reason=judged.reason)


def judge(text: str, finish_reason: str, paper: Paper, rendered: RenderedPrompt) -> Assessment:
    """One answer assessed; cut off at max_tokens, it fails as that whatever else it holds."""
    judged = assess(text, paper, rendered.topics, rendered.theme)
    if finish_reason == "length":
        return cut_at_max_tokens(judged, rendered.parameters.get("max_tokens"))
    return judged


def repair_message(judged: Assessment, templates: RepairTemplates | None = None) -> str:
    """What was wrong, as instructions the model can act on, one numbered line each, in the prompt
    file's repair template (the default prompt's when none is given)."""
    lines = [f"{_CHECK_NAMES.get(r.name, r.name)}：{r.detail}" for r in judged.failed]
    lines += [f"{_FIELD_NAMES.get(d.field, d.field)}“{d.name[:120]}”：{d.reason}，已删除" for d in judged.misread]
    numbered = "\n".join(f"{i}. {line}" for i, line in enumerate(lines, 1))
    return (templates or repair_templates(load_prompt())).render(numbered, judged.cut_off)


def repair_messages(messages: list[dict], answer: str, judged: Assessment, templates: RepairTemplates) -> list[dict]:
    """The conversation for the one repair request: a bounded part of the answer, then what was wrong.

    An answer cut off at max_tokens is long by definition: only its start goes back, so the
    repair request does not grow by the whole cut text."""
    limit = CUT_ECHO_LIMIT if judged.cut_off else ECHO_LIMIT
    echo = answer if len(answer) <= limit else answer[:limit] + "…（后略）"
    return [*messages, {"role": "assistant", "content": echo}, {"role": "user", "content": repair_message(judged, templates)}]


def failure_reason(judged: Assessment) -> str:
    """The failed checks for the terminal and report.json, in English: a detail written in Chinese
    (for the model's repair request and the report) is left to the report, which shows it."""
    return "; ".join(f"{r.name}: {r.detail}" if r.detail.isascii() and r.detail else r.name for r in judged.failed)


@dataclass
class Step:
    """Where a first answer leads: a brief to keep, or the one repair request to send."""

    brief: Brief | None = None
    repair: list[dict] | None = None


def after_first(paper: Paper, rendered: RenderedPrompt, answer: Completion) -> Step:
    """The one repair decision, for a live answer and a batch line alike: a clean answer is the
    brief; any other gets the repair request that names what was wrong."""
    judged = judge(answer.text, answer.finish_reason, paper, rendered)
    if judged.clean:
        return Step(brief=brief_of(rendered, judged, 1, answer.usage, answer.latency_s, raw=answer.raw))
    return Step(repair=repair_messages(rendered.messages, answer.text, judged, rendered.repair))


def after_repair(paper: Paper, rendered: RenderedPrompt, first: Completion, second: Completion) -> Brief:
    """The brief after the repair answer; when that one fails and the first answer passed, the first."""
    usage, latency = first.usage + second.usage, first.latency_s + second.latency_s
    judged = judge(second.text, second.finish_reason, paper, rendered)
    if not judged.ok:
        earlier = judge(first.text, first.finish_reason, paper, rendered)
        if earlier.ok:
            return brief_of(rendered, earlier, MAX_ATTEMPTS, usage, latency, raw=first.raw)
    error = "" if judged.ok else f"brief failed checks twice ({failure_reason(judged)})"
    return brief_of(rendered, judged, MAX_ATTEMPTS, usage, latency, raw=second.raw, error=error)


def unrepaired(paper: Paper, rendered: RenderedPrompt, first: Completion, why: str) -> Brief:
    """The brief of a first answer whose repair request got no answer: kept, since it was paid for."""
    judged = judge(first.text, first.finish_reason, paper, rendered)
    error = "" if judged.ok else f"brief failed checks ({failure_reason(judged)}); {why}"
    return brief_of(rendered, judged, 1, first.usage, first.latency_s, raw=first.raw, error=error)


async def write_brief(paper: Paper, rendered: RenderedPrompt, client: LLMClient) -> Brief:
    """Ask, and when the answer is wrong ask once more with what was wrong named (after_first).

    Only the first request's failure raises: once an answer is paid for, a failed repair request
    ends in a Brief that keeps that answer, its checks and its tokens."""
    about = RequestAbout(paper=paper.sha256, prompt=rendered.template, file=paper.file)  # what a replay matches on
    first = await client.complete(rendered.messages, rendered.model, rendered.parameters, schema=rendered.schema, about=about)
    step = after_first(paper, rendered, first)
    if step.brief is not None:
        return step.brief
    try:
        second = await client.complete(step.repair, rendered.model, rendered.parameters, schema=rendered.schema,
                                       about=about.repair())
    except EndpointUnusable as exc:  # the run stops, but the answer already paid for is kept
        exc.partial = unrepaired(paper, rendered, first, f"the run stopped before the repair: {exc}")
        raise
    except LLMError as exc:
        return unrepaired(paper, rendered, first, f"the repair request failed: {exc}")
    return after_repair(paper, rendered, first, second)


def brief_of(rendered: RenderedPrompt, judged: Assessment, attempts: int, usage: Usage, latency: float,
             error: str = "", raw: str = "") -> Brief:
    return Brief(
        text=judged.text, ok=judged.ok, checks=judged.results, attempts=attempts, usage=usage,
        latency_s=round(latency, 3), prompt_id=rendered.prompt_id, prompt_version=rendered.prompt_version,
        fingerprint=rendered.fingerprint, model=rendered.model, error=error, raw_response=raw,
        reading=judged.reading, dropped=judged.dropped, topic=judged.topic, relevant=judged.relevant,
        relevance_reason=judged.reason,
    )
