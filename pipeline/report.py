"""Stage 5, assemble: Report -> report.md (the format our users publish) and report.json (every field).

Both files are written atomically (temp file + rename), so a crash mid-write never leaves a
half report, and a reader always sees the previous or the next complete one.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .escape import markdown as md
from .escape import markdown_code as code
from .models import PaperResult, Report

MD_NAME, JSON_NAME = "report.md", "report.json"


def render_markdown(report: Report) -> str:
    briefed = report.briefed
    out = [f"# {md(report.title)}", f"生成时间: {report.generated_at}", f"分析论文数量: {len(briefed)}篇", "", "## 论文技术简报", ""]
    for i, result in enumerate(briefed, 1):
        out += [f"### {i}. {md(_title(result))}", "", md(result.brief.text), ""]
    out += ["## 论文详细信息", ""]
    for i, result in enumerate(briefed, 1):
        paper = result.paper
        out += [
            f"### {i}. {md(_title(result))}", "",
            f"**主要机构**: {md(_institutions(result))}",
            f"**作者数量**: {_author_count(result)}", "",
            "**摘要**:", md(paper.abstract) if paper.abstract and paper.sure("abstract") else "（未能从 PDF 中读到摘要）", "",
        ]
    duplicates = sorted((r for r in report.results if r.duplicate_of), key=lambda r: r.file)
    if duplicates:
        out += [f"## 重复文件（{len(duplicates)}个，内容相同，只分析一次）", ""]
        out += [f"- {code(r.file)} = {code(r.duplicate_of)}" for r in duplicates]
        out.append("")
    failed = report.failed
    if failed:
        out += [f"## 未生成简报的论文（{len(failed)}篇）", ""]
        out += [f"- {code(r.file)}: {md(r.error or (r.brief.error if r.brief else ''))}" for r in failed]
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def _title(result: PaperResult) -> str:
    """The title as read, or the file name when the title read is doubtful (never a masthead or caption)."""
    paper = result.paper
    return paper.title if paper.title and paper.sure("title") else f"{paper.file}（未能可靠读取标题）"


def _institutions(result: PaperResult) -> str:
    names = result.paper.institutions
    if names:
        return ", ".join(names)
    return "未署名（匿名投稿）" if result.paper.author_count == 0 else "PDF 首页未列出机构"


def _author_count(result: PaperResult) -> str:
    count = result.paper.author_count
    if not result.paper.sure("authors"):
        return "未能可靠读取"
    return "团队署名" if count is None else f"{count}人"


def write_report(report: Report, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    write_atomic(folder / JSON_NAME, report.model_dump_json(indent=2))
    write_atomic(folder / MD_NAME, render_markdown(report))


def load_report(folder: Path) -> Report | None:
    path = folder / JSON_NAME
    if not path.exists():
        return None
    return Report.model_validate_json(path.read_text(encoding="utf-8"))


def write_atomic(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
