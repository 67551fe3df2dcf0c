"""Recorded LLM responses (vcrpy cassettes): replay offline, or record from a live endpoint.

Requests match on method and path (a cassette recorded against one host replays against any base
URL) and then, by default, on what the request is about: the paper (its content hash), the prompt
(its template fingerprint), the model and parameters, and the attempt (first answer or repair),
which the client sends as X-Paperbrief-* headers (llm.RequestAbout). A request whose body differs
from its recording only in the paper's text (the reader, a PDFium release or the machine's fonts
read the paper differently) still replays its recorded answer, which the brief path then checks
against today's reading as any answer; replay says so in one line per paper and keeps the change
in `Replay.reading_changes` (regress reports it). A changed prompt or model is a miss, never a
silently reused answer. `--match exact` (match="exact") keeps matching on the exact body, and a
cassette recorded before the headers existed is always matched on its exact bodies.
Authorization and every key-bearing header or query parameter are filtered before writing, and
the key's value is scrubbed from every other header and from request and response bodies (an
endpoint may echo it anywhere).
"""

from __future__ import annotations

import contextlib
import contextvars
import difflib
import json
import logging
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from ..files import FileProblem, read_yaml
from ..llm import ATTEMPT_HEADER, PAPER_HEADER, PROMPT_HEADER, request_about

log = logging.getLogger("paperbrief.cassette")

SECRET_HEADERS = ["authorization", "api-key", "x-api-key", "openai-organization", "openai-project", "cookie", "set-cookie"]
SECRET_QUERY = ["api_key", "api-key", "key"]
MATCH_ON = ("method", "path", "body")
MATCH_MODES = ("paper", "exact")  # found by paper, prompt, model and attempt (the default); by the exact body
_MATCH: contextvars.ContextVar[str] = contextvars.ContextVar("paperbrief_cassette_match", default="paper")


@contextlib.contextmanager
def matching(mode: str) -> Iterator[None]:
    """Replays started inside (by any command's code) match requests this way (--match)."""
    if mode not in MATCH_MODES:
        raise ValueError(f"unknown match mode {mode!r}; one of {', '.join(MATCH_MODES)}")
    token = _MATCH.set(mode)
    try:
        yield
    finally:
        _MATCH.reset(token)


def _vcr(record_mode: str, replayed: "Replay | None" = None):
    import vcr

    match_on = MATCH_ON
    if replayed is not None and replayed.match == "paper":
        match_on = ("method", "path", "paperbrief")
    made = vcr.VCR(
        record_mode=record_mode,
        match_on=match_on,
        filter_headers=SECRET_HEADERS,
        filter_query_parameters=SECRET_QUERY,
        decode_compressed_response=True,
        before_record_request=_scrub_request,
        before_record_response=_strip_response_headers,
    )
    if replayed is not None:
        made.register_matcher("paperbrief", replayed.matches)
    return made


def _scrub_value(value):
    """A header value or body (str, bytes, or a list of them) with the key's value scrubbed."""
    from ..llm import scrub

    if isinstance(value, (str, bytes)):
        return scrub(value)
    if isinstance(value, list):
        return [_scrub_value(v) for v in value]
    return value


def without_userinfo(uri: str) -> str:
    """The URI with any `user:password@` taken out of its host part: a cassette never stores it."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(uri)
    if "@" not in parts.netloc:
        return uri
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))


def _scrub_request(request):
    """The request as recorded: the key's value gone from its headers, URI and body."""
    for name in list(request.headers):
        request.headers[name] = _scrub_value(request.headers[name])
    request.uri = _scrub_value(without_userinfo(request.uri))
    request.body = _scrub_value(request.body)
    return request


def _strip_response_headers(response: dict) -> dict:
    """The response as recorded: secret headers dropped by name, the key's value scrubbed from the rest and the body."""
    headers = response.get("headers", {})
    for name in list(headers):
        if name.lower() in SECRET_HEADERS or name.lower().startswith("openai-"):
            headers.pop(name)
        else:
            headers[name] = _scrub_value(headers[name])
    body = response.get("body")
    if isinstance(body, dict) and "string" in body:
        body["string"] = _scrub_value(body["string"])
    return response


class CassetteError(Exception):
    """A cassette file that cannot be used; the message names the file and the cause in one line."""


@dataclass
class Recording:
    """A recording under way: `keep` says whether it replaces the cassette when the run ends."""

    path: Path
    keep: bool = True


def check_cassette(path: Path) -> None:
    """A readable vcrpy cassette, or one line that says why not (before vcrpy's own tracebacks)."""
    try:
        data = read_yaml(path, "cassette file")
    except FileProblem as exc:
        raise CassetteError(f"{path}: {exc}; re-record it with paperbrief record"
                            if "YAML" in str(exc) or "UTF-8" in str(exc) else f"{path}: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("interactions"), list):
        raise CassetteError(f"{path}: not a vcrpy cassette (no list of interactions); re-record it with paperbrief record")
    for number, interaction in enumerate(data["interactions"], 1):
        problem = _interaction_problem(interaction)
        if problem:
            raise CassetteError(f"{path}: interaction {number} {problem}; re-record it with paperbrief record")


_BODY = (str, bytes, type(None))


def _interaction_problem(interaction) -> str:
    """What makes one recorded exchange unusable for vcrpy, or "" (checked before vcrpy's tracebacks)."""
    if not isinstance(interaction, dict):
        return "is not a mapping"
    request, response = interaction.get("request"), interaction.get("response")
    if not isinstance(request, dict) or not isinstance(response, dict):
        return "has no request and response"
    for name in ("uri", "method"):
        if not isinstance(request.get(name), str) or not request.get(name):
            return f"has a request without a {name}"
    if not isinstance(request.get("body"), _BODY):
        return "has a request body that is not text"
    if not isinstance(request.get("headers", {}), dict) or not isinstance(response.get("headers", {}), dict):
        return "has headers that are not a mapping"
    status, body = response.get("status"), response.get("body")
    if not isinstance(status, dict) or not isinstance(status.get("code"), int):
        return "has a response without a status code"
    if not isinstance(body, dict) or not isinstance(body.get("string"), _BODY):
        return "has a response body that is not text"
    return ""


@dataclass
class Replay:
    """A replay under way: how it matches, and each paper whose reading changed since it was
    recorded (content hash -> where its request differs, e.g. "header lines 7-8")."""

    path: Path
    match: str = "paper"
    reading_changes: dict[str, str] = field(default_factory=dict)
    _said: set[tuple[str, str]] = field(default_factory=set, repr=False)  # (paper, attempt) already named in a log line

    def matches(self, live, recorded) -> bool:
        """vcrpy's matcher: the same body, or (by paper) the same paper, prompt, model and attempt."""
        if _same_body(live, recorded):
            return True
        about = _about(recorded)
        if about is None or about != _about(live):
            return False  # recorded before the headers existed, or another paper, prompt or attempt
        sent, kept = _json_body(live), _json_body(recorded)
        if sent is None or kept is None or _settings(sent) != _settings(kept) or _roles(sent) != _roles(kept):
            return False  # another model, parameter or JSON mode, or another conversation
        self._note(about, reading_change(kept["messages"], sent["messages"]))
        return True

    def _note(self, about: tuple[str, str, str], where: str) -> None:
        """Say once per paper that its reading changed (and keep it), or once per request that only
        the repair instructions did (the checks of the first answer found something else today)."""
        paper, _prompt, attempt = about
        if (paper, attempt) in self._said:
            return
        self._said.add((paper, attempt))
        known = request_about()
        name = known.file if known is not None and known.file else f"paper {paper[:12]}"
        if not _PAPER_TEXT.search(where):
            log.warning("%s: the %s request differs from its recording only in %s; the recorded answer is replayed "
                        "and checked against today's reading", name, attempt, where)
        elif paper not in self.reading_changes:
            self.reading_changes[paper] = where
            log.warning("%s: the reading of this paper changed since it was recorded: %s; the recorded answer is "
                        "replayed and checked against today's reading (re-record to refresh it)", name, where)


def _same_body(live, recorded) -> bool:
    """vcrpy's own body matcher (JSON bodies compared as data)."""
    from vcr.matchers import body

    try:
        body(live, recorded)
    except AssertionError:
        return False
    return True


def _about(request) -> tuple[str, str, str] | None:
    """(paper, prompt, attempt) from a request's X-Paperbrief-* headers; None when any is missing."""
    values = tuple(request.headers.get(name) for name in (PAPER_HEADER, PROMPT_HEADER, ATTEMPT_HEADER))
    return values if all(isinstance(v, str) and v for v in values) else None


def _json_body(request) -> dict | None:
    body = request.body
    try:
        data = json.loads(body.decode("utf-8") if isinstance(body, bytes) else body or "")
    except (ValueError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) and isinstance(data.get("messages"), list) else None


def _settings(body: dict) -> dict:
    """Everything a request sends besides its messages: model, parameters, JSON mode."""
    return {k: v for k, v in body.items() if k != "messages"}


def _roles(body: dict) -> list:
    return [m.get("role") if isinstance(m, dict) else None for m in body["messages"]]


_HEADER_BLOCK = re.compile(r"<header>\n(.*?)\n?</header>", re.S)


_PAPER_TEXT = re.compile(r"(?:^|; )(?:header |the abstract|(?:user|system) message)")  # parts of the paper's request


def reading_change(recorded: list[dict], sent: list[dict]) -> str:
    """Where the messages sent today differ from the recorded ones, in the paper's terms: the
    header lines that changed (numbered as sent today), the abstract, or a message's lines; in a
    repair request, the answer echoed back or the repair instructions after it."""
    parts = []
    answered = False  # past the recorded answer: the rest is the repair conversation
    for old, new in zip(recorded, sent, strict=False):
        before, after = str(old.get("content", "")), str(new.get("content", ""))
        if new.get("role") == "assistant":
            answered = True
        if before == after:
            continue
        if answered:
            parts.append("the answer echoed back" if new.get("role") == "assistant" else "the repair instructions")
            continue
        old_header, new_header = _HEADER_BLOCK.search(before), _HEADER_BLOCK.search(after)
        if old_header and new_header:
            if old_header.group(1) != new_header.group(1):
                parts.append("header " + _changed_lines(old_header.group(1), new_header.group(1)))
            if _HEADER_BLOCK.sub("", before) != _HEADER_BLOCK.sub("", after):
                parts.append("the abstract" if "<abstract>" in after else f"{new.get('role')} message outside the header")
        else:
            parts.append(f"{new.get('role')} message " + _changed_lines(before, after))
    return "; ".join(dict.fromkeys(parts)) or "the request's text"


def _changed_lines(before: str, after: str) -> str:
    """'line 4', 'lines 7-8' or 'lines 2, 7-8': today's lines that differ from the recorded ones."""
    ranges = []
    matcher = difflib.SequenceMatcher(None, before.splitlines(), after.splitlines(), autojunk=False)
    for tag, _i1, _i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        first, last = j1 + 1, max(j1 + 1, j2)  # a deletion is shown where it happened
        ranges.append(str(first) if first == last else f"{first}-{last}")
    words = "line" if len(ranges) == 1 and "-" not in ranges[0] else "lines"
    return f"{words} {', '.join(ranges)}" if ranges else "lines"


def for_settings(settings) -> contextlib.AbstractContextManager:
    """The cassette a command's calls go through, chosen in one place: written from live calls
    (record), replayed from (--cassette), or none (a live run)."""
    if settings.cassette is None:
        return contextlib.nullcontext()
    return record(settings.cassette) if settings.record else replay(settings.cassette)


@contextlib.contextmanager
def replay(path: Path, match: str | None = None) -> Iterator[Replay]:
    """Serve every request from the cassette; a request it does not hold is an error, not a call.
    `match` is "paper" or "exact" (default: the mode set by matching(), else "paper")."""
    check_cassette(path)
    replayed = Replay(path=path, match=match or _MATCH.get())
    with _vcr("none", replayed).use_cassette(str(path)):
        yield replayed


@contextlib.contextmanager
def record(path: Path) -> Iterator[Recording]:
    """Call the live endpoint and record every exchange into a temporary file, which replaces the
    cassette only when the recording succeeded: a failed recording leaves the old cassette as it was."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.recording")
    partial.unlink(missing_ok=True)
    recording = Recording(path=path)
    try:
        with _vcr("all").use_cassette(str(partial)):
            yield recording
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    if recording.keep and partial.exists():
        os.replace(partial, path)
    else:
        partial.unlink(missing_ok=True)
