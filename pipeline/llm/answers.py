"""Answer parsing: a chat completion (live, or a batch file's line) as a Completion, every field
checked and bounded, and the error objects an endpoint sends with status 200."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from ..extract.text import MAX_JSON_DEPTH, json_depth
from ..models import BatchState, Completion, Usage
from .errors import LLMError, MalformedAnswer, QuotaSpent, Refused
from .secrets import capped, printable, scrub

MAX_TEXT = 20_000  # characters of an answer's text kept; a longer answer is cut, never carried whole
MAX_RAW = 40_000  # characters of an answer's raw JSON kept
MAX_TOKENS = 100_000_000  # a token count above this is no count any endpoint meant: it is stored as this


def answer_body(raw) -> object:
    """The JSON value of a 200, or MalformedAnswer naming what came instead (an HTML page, not JSON)."""
    kind = str(raw.headers.get("content-type") or "no content type").split(";")[0].strip()[:60]
    try:
        return _json_value(raw.content)
    except (ValueError, UnicodeDecodeError):
        raise MalformedAnswer(f"the endpoint's answer is not a chat completion ({printable(kind)})") from None


def _json_value(text: str | bytes) -> object:
    """json.loads, with a value nested deeper than any completion refused (ValueError) before the
    decoder recurses into it: a body of 990 brackets is a malformed answer, never a RecursionError."""
    if isinstance(text, bytes):
        text = text.decode(json.detect_encoding(text), "surrogatepass")  # as json.loads decodes bytes
    if json_depth(text) > MAX_JSON_DEPTH:
        raise ValueError("nested too deep")
    try:
        return json.loads(text)
    except RecursionError:
        raise ValueError("nested too deep") from None


def completion_of(body: object, model: str, latency_s: float) -> Completion:
    """A chat-completion body (live, or one line of a batch's output file) as a Completion.

    Any JSON value is accepted; one that is not a chat completion raises MalformedAnswer, an error
    object saying the quota is spent raises QuotaSpent, a refusal raises Refused. The text kept is
    valid Unicode (an escaped lone surrogate in the body is replaced)."""
    _raise_error_object(body)
    text = _message_text(body)
    choice = body["choices"][0]
    finish = choice.get("finish_reason") if isinstance(choice.get("finish_reason"), str) else ""
    usage = body.get("usage") if isinstance(body.get("usage"), dict) else {}
    answered = body.get("model")
    raw = json.dumps(body, ensure_ascii=False, default=str)
    return Completion(text=capped(text, MAX_TEXT).strip(),
                      usage=Usage(prompt_tokens=_count(usage.get("prompt_tokens")),
                                  completion_tokens=_count(usage.get("completion_tokens"))),
                      model=capped(answered, 200) if isinstance(answered, str) and answered else model,
                      latency_s=latency_s, raw=capped(raw, MAX_RAW), finish_reason=printable(finish[:40]))


def _message_text(body: object) -> str:
    """choices[0].message.content, or MalformedAnswer saying which part is missing or of the wrong type."""
    def bad(why: str) -> MalformedAnswer:
        return MalformedAnswer(f"the endpoint's answer is not a chat completion ({why})")

    if not isinstance(body, dict):
        raise bad(f"a JSON {_json_kind(body)}, not an object")
    choices = body.get("choices")
    if not isinstance(choices, list) or not choices:
        raise bad("no choices")
    message = choices[0].get("message") if isinstance(choices[0], dict) else None
    if isinstance(message, dict) and not message.get("content") and isinstance(message.get("refusal"), str):
        raise Refused(f"the model refused to answer ({printable(message['refusal'][:120])})")
    filtered = isinstance(choices[0], dict) and choices[0].get("finish_reason") == "content_filter"
    if filtered and not (isinstance(message, dict) and message.get("content")):
        raise Refused("the model's answer was withheld by its content filter")
    if not isinstance(message, dict) or not isinstance(message.get("content"), str):
        raise bad("no message text")
    return message["content"]


def _raise_error_object(body: object) -> None:
    """A status-200 body that is an error object: the quota spent ends the run; others are malformed."""
    error = body.get("error") if isinstance(body, dict) and "choices" not in body else None
    if not isinstance(error, dict):
        return
    code = error.get("code") if isinstance(error.get("code"), str) else error.get("type")
    if code == "insufficient_quota":
        raise QuotaSpent("the endpoint answered insufficient_quota (HTTP 200): the account's quota is spent; "
                         "add credit or use another key")
    raise MalformedAnswer(f"the endpoint's answer is an error ({printable(str(code)[:80]) if code else 'no code'})")


@dataclass
class BatchLine:
    """One line of a batch's output or error file: its request's id, and its answer or why there is none."""

    custom_id: str | None
    completion: Completion | None = None
    error: str = ""
    final: bool = False  # no point sending it again (its answer is over the limit)


def batch_line(text: str) -> BatchLine:
    """Any line, as data: a line that is not JSON, not an object or of the wrong types says so in `error`."""
    try:
        item = _json_value(text)
    except (ValueError, UnicodeDecodeError):
        return BatchLine(None, error="a line that is not JSON in the batch's files")
    if not isinstance(item, dict) or not isinstance(item.get("custom_id"), str):
        return BatchLine(None, error="a line without a custom_id in the batch's files")
    custom_id, response, error = capped(item["custom_id"], 200), item.get("response"), item.get("error")
    if isinstance(response, dict) and response.get("status_code") == 200:
        try:
            return BatchLine(custom_id, completion_of(response.get("body"), "", 0.0))
        except LLMError as exc:  # malformed, refused, an error object: that line's failure
            return BatchLine(custom_id, error=f"{exc} in the batch")
    if isinstance(error, dict):
        code = error.get("code")
        return BatchLine(custom_id, error=f"{printable(code[:80]) if isinstance(code, str) and code else 'error'} in the batch")
    status = response.get("status_code") if isinstance(response, dict) else None
    return BatchLine(custom_id, error=f"HTTP {status if isinstance(status, int) else '?'} in the batch")


class LineSplitter:
    """Bytes into BatchLines, one line at most `limit` bytes: a longer line becomes that request's
    failure as soon as it passes the limit (its custom_id read from its start), and the rest of it
    is skipped unread."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.buffer = bytearray()
        self.skipping = False  # inside a line already reported as too long

    def feed(self, chunk: bytes) -> list["BatchLine"]:
        out: list[BatchLine] = []
        while chunk:
            end = chunk.find(b"\n")
            part, chunk = (chunk, b"") if end < 0 else (chunk[:end], chunk[end + 1:])
            if not self.skipping:
                self.buffer += part
                if len(self.buffer) > self.limit:
                    out.append(self._too_long())
            if end >= 0:
                out += self.end()
        return out

    def end(self) -> list["BatchLine"]:
        """The line in hand, at a newline or the end of the file."""
        data, skipped = bytes(self.buffer), self.skipping
        self.buffer, self.skipping = bytearray(), False
        text = data.decode("utf-8", "replace")
        return [batch_line(scrub(text))] if text.strip() and not skipped else []

    def _too_long(self) -> "BatchLine":
        found = re.search(rb'"custom_id"\s*:\s*"([^"\\]{1,200})"', bytes(self.buffer[:4096]))
        self.buffer, self.skipping = bytearray(), True
        custom_id = capped(found.group(1).decode("utf-8", "replace"), 200) if found else None
        return BatchLine(custom_id, error=f"an answer larger than {self.limit >> 20} MB in the batch (answer_limit_mb)",
                         final=True)


def _json_kind(value: object) -> str:
    return {list: "list", str: "string", int: "number", float: "number", bool: "boolean"}.get(type(value), "null")


def _count(value: object) -> int:
    """A count from an answer, bounded before anything stores it (SQLite holds 64 bits: 10**23 would not fit)."""
    return min(value, MAX_TOKENS) if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


def field_of(obj: object, name: str) -> str:
    """A string attribute of an SDK answer, or MalformedAnswer (the SDK hands back HTML as a str)."""
    value = getattr(obj, name, None)
    if not isinstance(value, str) or not value:
        raise MalformedAnswer(f"the endpoint's answer has no {name}")
    return value


def batch_state_of(batch) -> BatchState:
    counts = getattr(batch, "request_counts", None)
    try:
        return BatchState(id=field_of(batch, "id"), status=field_of(batch, "status"),
                          total=_count(getattr(counts, "total", 0)), completed=_count(getattr(counts, "completed", 0)),
                          failed=_count(getattr(counts, "failed", 0)), output_file_id=batch.output_file_id,
                          error_file_id=batch.error_file_id)
    except (AttributeError, ValueError) as exc:  # pydantic's ValidationError is a ValueError
        raise MalformedAnswer(f"the endpoint's answer is not a batch ({type(exc).__name__})") from None

