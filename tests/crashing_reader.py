"""A reader for tests: crashes its worker process on 'crash.pdf', as a segfault in the PDF library
would. Reader processes import it by name, so it works whatever their start method."""

from __future__ import annotations

import os

from pipeline.extract.reading import read_paper


def read(path: str, *args):
    if path.endswith("crash.pdf"):
        os._exit(11)
    return read_paper(path, *args)
