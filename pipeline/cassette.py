"""Recorded LLM responses (vcrpy cassettes): replay offline, or record from a live endpoint.

Requests match on method, path and body, so a cassette recorded against one host replays
against any base URL, and a changed prompt is a miss, never a silently reused answer.
Authorization and every key-bearing header or query parameter are filtered before writing.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Iterator

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
        before_record_response=_strip_response_headers,
    )


def _strip_response_headers(response: dict) -> dict:
    headers = response.get("headers", {})
    for name in list(headers):
        if name.lower() in SECRET_HEADERS or name.lower().startswith("openai-"):
            headers.pop(name)
    return response


@contextlib.contextmanager
def replay(path: Path) -> Iterator[None]:
    """Serve every request from the cassette; a request it does not hold is an error, not a call."""
    if not path.exists():
        raise FileNotFoundError(f"{path}: cassette not found")
    with _vcr("none").use_cassette(str(path)):
        yield


@contextlib.contextmanager
def record(path: Path) -> Iterator[None]:
    """Call the live endpoint and write every exchange to a fresh cassette."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    with _vcr("all").use_cassette(str(path)):
        yield
