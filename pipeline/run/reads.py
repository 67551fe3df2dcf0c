"""A command's reader pool, built from its settings: readers that read each PDF with the metadata
stage's rules and the run's thresholds (the pool itself, extract/readers.py, knows neither)."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from ..extract.readers import PdfReaders, display_names
from ..metadata import read_metadata, read_without_reasons
from ..models import Paper, ReadFailure
from ..rules import use
from ..settings import Settings


def readers_for(settings: Settings, files: list[Path], reasons: bool = False) -> PdfReaders:
    """A command's one reader pool: as many readers as the files can use, one core kept for the event loop.
    The settings' reading rules go to each reader and are in force in this process too (grounding,
    the decision and the checks read them here). The rules' reasons come back only when asked for
    (`inspect --explain` shows them; a batch would only hold them)."""
    use(settings.rules)
    workers = max(1, min((os.cpu_count() or 2) - 1, 4, len(files)))
    return PdfReaders(workers, settings.reader_memory_mb, settings.reader_timeout_s, display_names(files),
                      settings.text_pages, settings.rules, read_metadata if reasons else read_without_reasons)


async def read_one(path: Path, settings: Settings) -> Paper | ReadFailure:
    """One PDF read in one bounded reader, as a run reads it (`inspect`, `rerun`)."""
    readers = readers_for(settings, [path], reasons=True)
    try:
        return await readers.paper(path)
    finally:
        readers.close(force=True)


async def read_all(settings: Settings, files: list[Path]) -> dict[Path, Paper | ReadFailure]:
    """Every file read once through one pool, in input order (`compare`, `regress`)."""
    readers = readers_for(settings, files)
    try:
        reads = await asyncio.gather(*(readers.paper(path) for path in files))
    except BaseException:
        readers.close(force=True)
        raise
    readers.close()
    return dict(zip(files, reads, strict=True))
