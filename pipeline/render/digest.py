"""The parts of a configured digest (paperbrief.yaml's topics, theme and watch; run --new): the
briefs grouped by topic, the 重点机构 summary, the papers left out as off-theme, the 本期新增 line.
Each is empty for a report without its setting, so such a report prints as it always has."""

from __future__ import annotations

from pydantic import BaseModel

from ..models import OTHER_TOPIC, PaperResult, Report


class Group(BaseModel):
    """One topic heading: its name, its anchor in report.html, and the numbers of its briefs."""

    topic: str
    anchor: str
    numbers: list[int]


class WatchLine(BaseModel):
    """One watched organisation with the numbers and titles of its papers in the digest."""

    name: str
    papers: list[tuple[int, str]]


class OffTheme(BaseModel):
    title: str
    reason: str


def ordered(report: Report) -> list[PaperResult]:
    """The digest's papers in print order: by title, or with topics set by topic in the list's order
    (其他 last), by title within each."""
    shown = report.digest
    if not report.topics:
        return shown
    rank = {topic: i for i, topic in enumerate(topic_order(report))}
    return sorted(shown, key=lambda r: rank.get(topic_of(r), len(rank)))  # stable: by title within a topic


def topic_order(report: Report) -> list[str]:
    return [*report.topics, OTHER_TOPIC]


def topic_of(result: PaperResult) -> str:
    """The paper's topic as the report counts it: a brief written before topics were set is 其他."""
    return result.brief.topic if result.brief and result.brief.topic else OTHER_TOPIC


def groups(report: Report, shown: list[PaperResult]) -> list[Group]:
    """The topic headings with briefs under them, in the list's order; none without topics."""
    if not report.topics:
        return []
    out = []
    for i, topic in enumerate(topic_order(report), 1):
        numbers = [n for n, r in enumerate(shown, 1) if topic_of(r) == topic]
        if numbers:
            out.append(Group(topic=topic, anchor=f"topic-{i}", numbers=numbers))
    return out


def watch_lines(report: Report, shown: list[PaperResult], titles: list[str]) -> list[WatchLine]:
    """Each watched organisation with papers in the digest, in the order `watch:` lists them."""
    lines = []
    for name in report.watch:
        papers = [(n, titles[n - 1]) for n, r in enumerate(shown, 1) if name in r.watched]
        if papers:
            lines.append(WatchLine(name=name, papers=papers))
    return lines


def off_theme(report: Report) -> list[OffTheme]:
    """Papers the model judged off the theme: left out of the digest, never silently."""
    return [OffTheme(title=r.paper.title or r.file, reason=r.brief.relevance_reason or "（模型未说明理由）")
            for r in report.off_theme]


def new_line(report: Report, shown: int) -> str:
    """'本期新增 N 篇' for a --new digest, with how many were published before; '' otherwise."""
    if not report.new_only:
        return ""
    before = len(report.published_before)
    return f"本期新增 {shown} 篇" + (f"（另有 {before} 篇已在往期发布，未再列出）" if before else "")
