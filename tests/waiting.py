"""Waiting in tests for something another process or thread does, with a bound."""

from __future__ import annotations

import time


def wait_for(predicate, limit: float = 30.0) -> bool:
    """Whether `predicate()` came true within `limit` seconds (polled every 50 ms)."""
    end = time.monotonic() + limit
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.05)
    return False
