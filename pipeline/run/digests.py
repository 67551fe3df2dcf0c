"""A configured digest around a run's report: the watched organisations each paper is from, the
papers earlier digests of this output folder published (`run --new`), and the archive of digests.

The report's results stay every paper's; what the digest publishes is decided from these marks
(Report.digest), so report.json keeps the whole run and a reader sees why a paper is not listed.
"""

from __future__ import annotations

import logging
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from ..metadata.identifiers import arxiv_base
from ..models import PaperResult, Report
from ..names.watch import Watched, resolve
from ..render.report import HTML_NAME, JSON_NAME, MD_NAME, load_report
from ..render.table import CSV_NAME
from ..settings import Settings

log = logging.getLogger("paperbrief")

ARCHIVE = "archive"  # OUTPUT/archive/<date>/: each --new digest as it was published
_KEPT = (MD_NAME, HTML_NAME, JSON_NAME, CSV_NAME)


@dataclass
class Published:
    """What earlier digests published: content hashes and arXiv ids without version, each with its digest."""

    by_sha: dict[str, str] = field(default_factory=dict)
    by_arxiv: dict[str, str] = field(default_factory=dict)

    def earlier(self, result: PaperResult) -> str:
        """The earlier digest that published this paper (the same bytes, or its arXiv id in any version), or ''."""
        if result.sha256 and result.sha256 in self.by_sha:
            return self.by_sha[result.sha256]
        arxiv = arxiv_base(result.paper.arxiv_id) if result.paper is not None else ""
        return self.by_arxiv.get(arxiv, "") if arxiv else ""


@dataclass
class Digest:
    """A run's digest settings, resolved once: the watch entries and (with --new) what was published."""

    settings: Settings
    watched: list[Watched] = field(default_factory=list)
    published: Published | None = None

    @classmethod
    def start(cls, settings: Settings, output: Path) -> "Digest":
        watched = [resolve(entry) for entry in settings.watch]
        for w in watched:
            if not w.known:
                log.warning("watch: %s is not in the registry or the organisation table; matched by its name only", w.entry)
        published = earlier_digests(output) if settings.new_only else None
        return cls(settings=settings, watched=watched, published=published)

    def keep(self, output: Path) -> Path | None:
        """A --new digest just written, archived; None for any other run."""
        current = _load(output) if self.settings.new_only else None
        return archive(output, current.generated_at[:10]) if current is not None else None

    def dress(self, report: Report) -> Report:
        """The report with the digest's settings and each paper's marks."""
        s = self.settings
        results = [self._marked(r) for r in report.results]
        new_only = s.new_only or any(r.published_before for r in results)  # a --new digest rerun stays one
        return report.model_copy(update={"results": results, "topics": list(s.topics), "theme": s.theme,
                                         "keep_all": s.keep_all, "watch": [w.name for w in self.watched],
                                         "new_only": new_only})

    def _marked(self, result: PaperResult) -> PaperResult:
        paper = result.paper
        names = [w.name for w in self.watched if paper is not None and any(w.matches(i) for i in paper.institutions)]
        # without --new's look at the archive (a rerun), a mark a --new digest made stays
        before = (self.published.earlier(result) if result.ok else "") if self.published is not None else result.published_before
        if names == result.watched and before == result.published_before:
            return result
        return result.model_copy(update={"watched": names, "published_before": before})


def earlier_digests(output: Path) -> Published:
    """What the digests in OUTPUT/archive/ published. A report in the folder that is in no archive
    (the last plain run's) is archived first: its papers were published too."""
    current = _load(output)
    if current is not None and not _archived(output, current):
        archive(output, current.generated_at[:10])
    published = Published()
    for folder in sorted(p for p in (output / ARCHIVE).iterdir() if not p.name.startswith(".")) if (output / ARCHIVE).is_dir() else []:
        report = _load(folder)
        for r in report.digest if report is not None else []:
            published.by_sha.setdefault(r.sha256, folder.name)
            if r.paper.arxiv_id:
                published.by_arxiv.setdefault(arxiv_base(r.paper.arxiv_id), folder.name)
    return published


def archive(output: Path, day: str) -> Path:
    """The digest in OUTPUT copied into OUTPUT/archive/<date>/ (<date>-2, ... when that day has one already)."""
    day = day or "undated"
    root = output / ARCHIVE
    root.mkdir(parents=True, exist_ok=True)
    folder, n = root / day, 1
    while folder.exists():
        n += 1
        folder = root / f"{day}-{n}"
    staging = root / f".{folder.name}.tmp"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    for name in _KEPT:
        if (output / name).is_file():
            shutil.copy2(output / name, staging / name)
    staging.rename(folder)  # whole or not at all: a half-copied digest is never read as published
    return folder


def _archived(output: Path, report: Report) -> bool:
    root = output / ARCHIVE
    if not root.is_dir():
        return False
    return any((r := _load(folder)) is not None and r.generated_at == report.generated_at for folder in root.iterdir())


def _load(folder: Path) -> Report | None:
    try:
        return load_report(folder)
    except (OSError, ValueError):
        return None
