"""report.csv: one row a paper, for a spreadsheet (UTF-8 with a byte-order mark, so Excel reads the
Chinese as it is). Cells are quoted by the csv module; a cell that a spreadsheet would run as a
formula ('=', '+', '-', '@' first) is shown as text, since titles and briefs come from outside."""

from __future__ import annotations

import csv
import io

from ..models import KINDS, PaperResult, Report

CSV_NAME = "report.csv"
COLUMNS = ("file", "title", "institutions", "author_count", "topic", "relevant", "arxiv_id", "doi", "brief", "failure")
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def report_csv(report: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out)  # QUOTE_MINIMAL, \r\n line ends: what spreadsheets expect
    writer.writerow(COLUMNS)
    for result in sorted((r for r in report.results if not r.duplicate_of), key=lambda r: r.file):
        writer.writerow([_cell(value) for value in row(result)])
    return "\ufeff" + out.getvalue()


def row(result: PaperResult) -> list[str]:
    """The paper's fields as read (a failed paper keeps what was read of it) and its brief or failure."""
    paper, brief = result.paper, result.brief
    failure = ""
    if result.failure:
        failure = f"{KINDS[result.failure.kind].label}: {result.failure.detail}"
    relevant = "" if brief is None or brief.relevant is None else ("是" if brief.relevant else "否")
    return [
        result.file,
        paper.title if paper else "",
        "; ".join(paper.institutions) if paper else "",
        "" if paper is None or paper.author_count is None else str(paper.author_count),
        brief.topic if brief else "",
        relevant,
        paper.arxiv_id if paper else "",
        paper.doi if paper else "",
        brief.text if brief is not None and result.ok else "",
        failure,
    ]


def _cell(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA) else value
