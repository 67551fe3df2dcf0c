"""Recorded LLM responses (vcrpy cassettes): replay offline, or record from a live endpoint.

Requests match on method, path and body, so a cassette recorded against one host replays
against any base URL, and a changed prompt is a miss, never a silently reused answer.
Authorization and every key-bearing header or query parameter are filtered before writing, and
the key's value is scrubbed from every other header and from request and response bodies (an
endpoint may echo it anywhere).
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from .files import FileProblem, read_yaml

SECRET_HEADERS = ["authorization", "api-key", "x-api-key", "openai-organization", "openai-project", "cookie", "set-cookie"]
SECRET_QUERY = ["api_key", "api-key", "key"]
MATCH_ON = ("method", "path", "body")


def _vcr(record_mode: str):
    import vcr

    return vcr.VCR(
        record_mode=record_mode,
        match_on=MATCH_ON,
        filter_headers=SECRET_HEADERS,
        filter_query_parameters=SECRET_QUERY,
        decode_compressed_response=True,
        before_record_request=_scrub_request,
        before_record_response=_strip_response_headers,
    )


def _scrub_value(value):
    """A header value or body (str, bytes, or a list of them) with the key's value scrubbed."""
    from .llm import scrub

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


@contextlib.contextmanager
def replay(path: Path) -> Iterator[None]:
    """Serve every request from the cassette; a request it does not hold is an error, not a call."""
    check_cassette(path)
    with _vcr("none").use_cassette(str(path)):
        yield


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
