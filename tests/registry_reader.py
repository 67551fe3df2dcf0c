"""A reader for tests: looks a name up in the registry inside a reader process. Reader processes
import it by name, so it works whatever their start method."""

from __future__ import annotations


def lookup(path: str, name: str) -> tuple[bool, str, int, int]:
    """(table open before the lookup, the organisation's name, VmRSS kB before and after)."""
    from pipeline.names import registry

    def rss() -> int:
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))

    opened_before = registry._db.cache_info().currsize > 0
    before = rss()
    org = registry.identify(name)
    for other in ("Peking University", "KAIST", "北京大学", "CCC", "Stanford University"):
        registry.candidates(other)
    return opened_before, org.name if org else "", before, rss()
