"""Stage 3, write the brief: Paper -> Brief. Render, call, validate; one named retry, then fail.

A failed check is never published: after the second answer still fails, the Brief carries
ok=False and the failed checks, and the report lists the paper as failed with that reason.
"""

from __future__ import annotations

import re

from .llm import EndpointUnusable, LLMClient, LLMError
from .models import Brief, CheckResult, Paper, Usage
from .prompts import RenderedPrompt
from .validate import check, failures

MAX_ATTEMPTS = 2


_WRAPPERS = re.compile(
    r"^(?:```\w*\s*)?(?:\*{0,2}(?:简报|答案|回答|输出|Brief)\*{0,2}\s*[:：]\s*\*{0,2}\s*)?[\"“”'「『*]*|[\"“”'」』*]*(?:\s*```)?$")


def tidy_answer(text: str) -> str:
    """Drop what chat models wrap a sentence in (quotes, a code fence, a '简报：' label); keep the sentence."""
    return _WRAPPERS.sub("", text.strip()).strip()


_CHECK_NAMES = {"shape": "格式", "one_sentence": "句子", "length": "长度", "institution": "机构",
                "title": "标题", "numbers": "数字"}


def repair_message(failed: list[CheckResult]) -> str:
    """The failures as instructions the model can act on, one numbered line each."""
    lines = [f"{i}. {_CHECK_NAMES.get(r.name, r.name)}：{r.detail}" for i, r in enumerate(failed, 1)]
    return ("上一条回答有以下问题，请改正：\n" + "\n".join(lines) +
            "\n请只输出改正后的一句中文简报，格式为：<机构>发布了<论文标题>论文，使用<方法>，解决了<问题>，达成了<效果>。")


def assess(answer: str, paper: Paper) -> tuple[str, list[CheckResult], list[CheckResult]]:
    """An answer tidied and checked: (the sentence, every check, the failed ones)."""
    text = tidy_answer(answer)
    results = check(text, paper)
    return text, results, failures(results)


def repair_messages(messages: list[dict], text: str, failed: list[CheckResult]) -> list[dict]:
    """The conversation for the one repair request: the answer, then its failures as instructions."""
    return [*messages, {"role": "assistant", "content": text}, {"role": "user", "content": repair_message(failed)}]


async def write_brief(paper: Paper, rendered: RenderedPrompt, client: LLMClient) -> Brief:
    """Ask, check, and on a failed check ask once more with the failures named.

    Only the first request's failure raises: once an answer is paid for, a failed repair request
    ends in a failed Brief that keeps that answer, its checks and its tokens.
    """
    messages = list(rendered.messages)
    usage, latency = Usage(), 0.0
    completion = await client.complete(messages, rendered.model, rendered.parameters)
    for attempt in range(1, MAX_ATTEMPTS + 1):
        usage, latency = usage + completion.usage, latency + completion.latency_s
        text, results, failed = assess(completion.text, paper)
        if not failed:
            return brief_of(rendered, text, True, results, attempt, usage, latency, raw=completion.raw)
        reason = "; ".join(f"{r.name}: {r.detail}" for r in failed)
        if attempt == MAX_ATTEMPTS:
            break
        messages = repair_messages(messages, text, failed)
        try:
            completion = await client.complete(messages, rendered.model, rendered.parameters)
        except EndpointUnusable as exc:  # the run stops, but the answer already paid for is kept
            exc.partial = brief_of(rendered, text, False, results, attempt, usage, latency, raw=completion.raw,
                                 error=f"brief failed checks ({reason}); the run stopped before the repair: {exc}")
            raise
        except LLMError as exc:
            return brief_of(rendered, text, False, results, attempt, usage, latency, raw=completion.raw,
                          error=f"brief failed checks ({reason}); the repair request failed: {exc}")
    return brief_of(rendered, text, False, results, MAX_ATTEMPTS, usage, latency,
                  error=f"brief failed checks twice ({reason})", raw=completion.raw)


def brief_of(rendered: RenderedPrompt, text: str, ok: bool, results: list[CheckResult], attempts: int,
           usage: Usage, latency: float, error: str = "", raw: str = "") -> Brief:
    return Brief(
        text=text, ok=ok, checks=results, attempts=attempts, usage=usage, latency_s=round(latency, 3),
        prompt_id=rendered.prompt_id, prompt_version=rendered.prompt_version, fingerprint=rendered.fingerprint,
        model=rendered.model, error=error, raw_response=raw,
    )
