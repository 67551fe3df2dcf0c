"""Secrets: the run's API key is scrubbed by value from every string that leaves the package, and
log lines lose the values of Authorization, api-key and cookie headers."""

from __future__ import annotations

import logging
import re
from typing import TypeVar

from ..extract.text import valid_unicode

_SECRETS: set[str] = set()
MIN_SECRET = 8  # shorter "keys" (none, ollama, k) are placeholders; scrubbing them would mangle text
REDACTED = "***"
_Text = TypeVar("_Text", str, bytes)


def add_secret(value: str | None) -> None:
    """Register a value (the run's API key) that scrub() removes from every string from now on."""
    if value and len(value.strip()) >= MIN_SECRET:
        _SECRETS.add(value.strip())


def scrub(text: _Text) -> _Text:
    """`text` (str or bytes) with every registered secret replaced by ***."""
    for secret in sorted(_SECRETS, key=len, reverse=True):
        if isinstance(text, bytes):
            text = text.replace(secret.encode("utf-8"), REDACTED.encode())
        else:
            text = text.replace(secret, REDACTED)
    return text


def capped(text: str, limit: int) -> str:
    """At most `limit` characters, scrubbed and valid Unicode: cut with room for a key on the edge, then cut again."""
    room = max((len(s) for s in _SECRETS), default=0)
    return valid_unicode(scrub(text[:limit + room]))[:limit]


_HEADER_VALUE = re.compile(
    r"(?i)((?:proxy-)?authorization|(?:x-)?api-key|(?:set-)?cookie)(['\"]?\s*(?:[:=]|,)\s*b?['\"]?)([^'\"\r\n,)}\]]+)")


def redact(text: str) -> str:
    """A log line with secrets and the values of Authorization, api-key and cookie headers hidden."""
    return _HEADER_VALUE.sub(lambda m: m.group(1) + m.group(2) + REDACTED, scrub(text))


class RedactingFilter(logging.Filter):
    """A logging filter (install it on handlers) that redacts every record's formatted message."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a record whose args do not fit its format: keep logging's own behaviour
            return True
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        return True


def printable(text: str) -> str:
    """One line of printable characters, scrubbed: what an endpoint says goes into messages only so."""
    return scrub("".join(c if c.isprintable() else "?" for c in text))
