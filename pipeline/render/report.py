"""Stage 5, assemble: Report -> report.md (the format our users publish), report.html (the same
digest as a page) and report.json (every field).

All files are written atomically (temp file + rename), so a crash mid-write never leaves a
half report, and a reader always sees the previous or the next complete one.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from pydantic import BaseModel
from pydantic_core import PydanticSerializationError

from ..extract.text import valid_unicode
from ..metadata.identifiers import arxiv_url, doi_url
from ..models import KINDS, PaperResult, Report
from . import digest
from .escape import markdown as md
from .escape import markdown_code as code
from .table import CSV_NAME, report_csv

MD_NAME, JSON_NAME, HTML_NAME = "report.md", "report.json", "report.html"
NO_ABSTRACT = "（未能从 PDF 中读到摘要）"
NO_BRIEFS = "本次没有生成简报"
UNSETTLED = "（待核实）"  # after a field whose two readings disagree and were not settled
ANSWER_SHOWN = 600  # characters of a rejected answer the report shows (report.json keeps the whole brief)


class Entry(BaseModel):
    """One briefed paper as the report prints it: plain text, escaped by each writer for its output."""

    title: str
    brief: str
    institutions: str
    authors: str
    abstract: str
    disagreements: list[str] = []  # where the model's reading of the header and the rules' differ (report.html marks them)
    prompt: str = ""  # the prompt the brief came from, when it is not the report's (a rerun's)
    arxiv_id: str = ""  # as page 1 prints it, with its version
    watched: list[str] = []  # the watched organisations it is from (report.html marks the brief)
    doi: str = ""

    @property
    def links(self) -> list[tuple[str, str]]:
        """(label, URL) of each identifier page 1 prints: the reader's way to the paper."""
        return [(label, url) for label, url in ((f"arXiv:{self.arxiv_id}", arxiv_url(self.arxiv_id)),
                                                (f"DOI:{self.doi}", doi_url(self.doi))) if url]


class Failure(BaseModel):
    file: str
    kind: str = ""  # what kind of failure, as a reader says it (models.KINDS)
    reason: str  # in the report's language: the failed checks' own words, or what the kind means
    detail: str = ""  # the failure's line as the terminal said it (English), quoted as it is
    answer: str = ""  # the start of the model's rejected answer, when there was one (untrusted text)
    answer_length: int = 0  # characters of the whole answer


def entries(report: Report) -> list[Entry]:
    """The digest's papers in print order, each field as printed (doubtful fields already left out)."""
    return [Entry(title=_title(r), brief=r.brief.text, institutions=_institutions(r), authors=_author_count(r),
                  abstract=r.paper.abstract if r.paper.abstract and r.paper.sure("abstract") else NO_ABSTRACT,
                  disagreements=r.paper.disagreements, arxiv_id=r.paper.arxiv_id, doi=r.paper.doi, watched=r.watched,
                  prompt=_other_prompt(r, report))
            for r in digest.ordered(report)]


def _other_prompt(result: PaperResult, report: Report) -> str:
    """'mine v3.1（rerun，指纹 1a2b3c4d）' for a brief `rerun` wrote, or one whose prompt is not the
    report's: the fingerprint tells an edited copy from the prompt it was copied from."""
    brief = result.brief
    if not result.rerun and (brief.prompt_id, brief.prompt_version) == (report.prompt_id, report.prompt_version):
        return ""
    return f"{brief.prompt_id} v{brief.prompt_version}（{'rerun，' if result.rerun else ''}指纹 {brief.fingerprint[:8]}）"


def failed_papers(report: Report) -> list[Failure]:
    """Each paper without a brief, why, and what the model answered (so a weak model can be read)."""
    out = []
    for r in report.failed:
        answer = r.brief.text if r.brief and not r.brief.ok else ""
        line = r.error or (r.brief.error if r.brief else "")
        failed = [c for c in (r.brief.checks if r.brief else []) if not c.ok]
        said = "；".join(c.detail for c in failed if c.detail and not c.detail.isascii())  # the checks' Chinese words
        meaning = KINDS[r.failure.kind].meaning if r.failure else ""
        english = not failed or any(c.detail.isascii() and c.detail for c in failed)  # the line says what they do not
        out.append(Failure(file=r.file, kind=KINDS[r.failure.kind].label if r.failure else "",
                           reason="：".join(part for part in (meaning, said) if part) or line,
                           detail=line if meaning and english else "",
                           answer=answer[:ANSWER_SHOWN], answer_length=len(answer)))
    return out



def duplicates(report: Report) -> list[PaperResult]:
    return sorted((r for r in report.results if r.duplicate_of), key=lambda r: r.file)


def report_markdown(report: Report) -> str:
    shown = entries(report)
    out = [f"# {md(report.title)}", f"生成时间: {report.generated_at}", f"分析论文数量: {len(shown)}篇"]
    out += [line] if (line := digest.new_line(report, len(shown))) else []
    out += [""] + _watched_markdown(report, shown) + ["## 论文技术简报", ""]
    if not shown:
        out += [_none_passed(report), ""]
    groups = {g.numbers[0]: g for g in digest.groups(report, digest.ordered(report))}
    level = "####" if groups else "###"  # under topic headings, one level down
    for i, e in enumerate(shown, 1):
        if i in groups:
            out += [f"### {md(groups[i].topic)}（{len(groups[i].numbers)}篇）", ""]
        out += [f"{level} {i}. {md(e.title)}", "", md(e.brief), ""]
    out += ["## 论文详细信息", ""]
    if not shown:
        out += [NO_BRIEFS + "。", ""]
    for i, e in enumerate(shown, 1):
        out += [f"### {i}. {md(e.title)}", "", f"**主要机构**: {md(e.institutions)}", f"**作者数量**: {md(e.authors)}"]
        out += [link_line(e)] if e.links else []
        out += ["", f"**简报提示词**: {md(e.prompt)}"] if e.prompt else []
        out += ["", "**摘要**:", md(e.abstract), ""]
    same = duplicates(report)
    if same:
        out += [f"## 重复文件（{len(same)}个，内容相同，只分析一次）", ""]
        out += [f"- {code(r.file)} = {code(r.duplicate_of)}" for r in same]
        out.append("")
    failed = failed_papers(report)
    if failed:
        out += [f"## 未生成简报的论文（{len(failed)}篇）", ""]
        # a rejected answer is never published: report.html shows it
        out += [f"- {code(f.file)}" + (f"（{f.kind}）" if f.kind else "") + f": {md(f.reason)}"
                + (f"：{code(f.detail)}" if f.detail else "") for f in failed]
        out.append("")
    left_out = digest.off_theme(report)
    if left_out:
        out += [f"## 不符合本期主题的论文（{len(left_out)}篇，未列入简报）", ""]
        out += [f"- {md(o.title)}: {md(o.reason)}" for o in left_out]
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def _watched_markdown(report: Report, shown: list[Entry]) -> list[str]:
    """The 重点机构 summary the report opens with: each watched organisation and its papers."""
    if not report.watch:
        return []
    lines = digest.watch_lines(report, digest.ordered(report), [e.title for e in shown])
    out = ["## 重点机构", ""]
    out += [f"- {md(w.name)}（{len(w.papers)}篇）: " + "；".join(f"{n}. {md(t)}" for n, t in w.papers) for w in lines]
    out += [] if lines else ["本期没有来自重点机构的论文。"]
    return out + [""]


def link_line(entry: Entry) -> str:
    """'**链接**: arXiv:ID <https://arxiv.org/abs/ID> · DOI:... <https://doi.org/...>': autolinks, whose
    URL is taken literally (a DOI's brackets cannot end a Markdown link early)."""
    return "**链接**: " + " · ".join(f"{md(label)} <{url}>" for label, url in entry.links)


def _none_passed(report: Report, page: bool = False) -> str:
    """What an empty digest says: that no brief passed, and where to look."""
    if report.briefed:  # briefs there are, but each was published before (--new) or is off the theme
        return "本期没有新增或符合主题的论文" + ("（见文末列表）。" if report.off_theme else "。")
    failed = len(report.failed)
    where = "原因与模型的回答见文末" if page else "原因见文末，模型的回答见 report.html"
    return f"{NO_BRIEFS}" + (f"：{failed} 篇论文都未通过检查或调用失败，{where}。" if failed else "。")


def report_html(report: Report) -> str:
    """report.html: the same digest as a self-contained page (Jinja2, every string autoescaped)."""
    from .html import render_template

    shown = entries(report)
    ordered = digest.ordered(report)
    return render_template("report.html.j2", report=report, entries=shown, duplicates=duplicates(report),
                           failed=failed_papers(report), none_passed=_none_passed(report, page=True), no_briefs=NO_BRIEFS,
                           groups=digest.groups(report, ordered), new_line=digest.new_line(report, len(shown)),
                           watch_lines=digest.watch_lines(report, ordered, [e.title for e in shown]),
                           off_theme=digest.off_theme(report))


def _title(result: PaperResult) -> str:
    """The title as read, or the file name when the title read is doubtful (never a masthead or caption)."""
    paper = result.paper
    return paper.title + _mark(result, "title") if paper.title and paper.sure("title") else f"{paper.file}（未能可靠读取标题）"


def _institutions(result: PaperResult) -> str:
    names = result.paper.institutions
    if names:
        return ", ".join(names) + _mark(result, "institutions")
    return "未署名（匿名投稿）" if result.paper.author_count == 0 else "PDF 首页未列出机构" + _mark(result, "institutions")


def _author_count(result: PaperResult) -> str:
    count = result.paper.author_count
    if not result.paper.sure("authors"):
        return "未能可靠读取"
    return ("团队署名" if count is None else f"{count}人") + _mark(result, "authors")


def _mark(result: PaperResult, field: str) -> str:
    """'（待核实）' after a field the model read otherwise, where neither reading was clearly better."""
    return UNSETTLED if field in result.paper.unsettled else ""


def write_report(report: Report, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    write_atomic(folder / JSON_NAME, report_json(report))
    write_atomic(folder / MD_NAME, report_markdown(report))
    write_atomic(folder / HTML_NAME, report_html(report))
    write_atomic(folder / CSV_NAME, report_csv(report))


def report_json(report: Report) -> str:
    """report.json: every field as stored. Text is valid Unicode from the boundary on; a string that
    is not (a lone surrogate no encoder takes) is made valid here rather than failing the write."""
    try:
        return report.model_dump_json(indent=2)
    except PydanticSerializationError:
        return Report.model_validate(_valid_strings(report.model_dump())).model_dump_json(indent=2)


def _valid_strings(value):
    if isinstance(value, str):
        return valid_unicode(value)
    if isinstance(value, dict):
        return {_valid_strings(k): _valid_strings(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_valid_strings(v) for v in value]
    return value


def load_report(folder: Path) -> Report | None:
    path = folder / JSON_NAME
    if not path.exists():
        return None
    return Report.model_validate_json(path.read_text(encoding="utf-8"))


def write_atomic(path: Path, text: str) -> None:
    """`path` replaced by `text` in one step, with the mode a new file gets here (0644 under the usual
    umask, like runs.sqlite: the page is for sharing); an error names `path` (a full disk included)."""
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror, str(path)) from None
    try:
        os.fchmod(fd, 0o666 & ~_umask())  # mkstemp makes 0600
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError) and not exc.filename:
            raise OSError(exc.errno, exc.strerror, str(path)) from None
        raise


def _umask() -> int:
    """The process's umask, read without changing it (os.umask sets it, racing other threads)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    return 0o022
