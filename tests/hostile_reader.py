"""A reader for tests: 'stuck.pdf' never finishes (as a PDF that loops PDFium would), and
'hungry.pdf' asks Python for more memory than the reader may have. Reader processes import this
module by name, so it works whatever their start method."""

from __future__ import annotations

import time

import pipeline.extract.reading as reading

_extract = reading.extract
_read_paper = reading.read_paper  # the real one, whatever a test later patches


def _hungry_extract(path, *args, **kwargs):
    if str(path).endswith("hungry.pdf"):
        bytearray(64 << 30)  # 64 GiB: refused under any reader memory limit
    return _extract(path, *args, **kwargs)


reading.extract = _hungry_extract  # read_paper looks it up at call time, in this reader only


def read(path: str, *args):
    if path.endswith("stuck.pdf"):
        time.sleep(3600)
    return _read_paper(path, *args)
