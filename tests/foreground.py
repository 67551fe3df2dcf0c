"""`python tests/foreground.py ARGS...` runs `python ARGS...` with Ctrl-C (SIGINT) at its default,
as in a command started from a terminal, whatever this test run inherited.

A job a script starts in the background (`pytest ... &`, suites run side by side) starts with
SIGINT ignored, its children inherit that, and Python leaves an inherited ignore alone (no
KeyboardInterrupt, no asyncio handler), as a background job should. A test that sends its child
SIGINT to stand for Ctrl-C starts the child through here, so it tests Ctrl-C and not how pytest
was started. (Popen's preexec_fn could reset it too, but is unsafe while the stand-in's threads run.)"""

from __future__ import annotations

import os
import signal
import sys


def command(*args: str) -> list[str]:
    """The argv that runs `python *args` with SIGINT at its default."""
    return [sys.executable, __file__, *args]


if __name__ == "__main__":
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # kept across exec, unlike a handler
    os.execv(sys.executable, [sys.executable, *sys.argv[1:]])
