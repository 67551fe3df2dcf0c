"""Compare prompts and models across a folder: every paper briefed by every variant through the
normal path (same checks, same repair rule, same run store), then one table per variant and the
briefs side by side per paper.

A variant is a (prompt, model) pair. A brief that passed its checks and is already in the run
store for a paper and a prompt fingerprint costs no call, so comparing a new prompt against one
already run pays for the new one only; a stored brief that failed is sent again (a model may do
better on another try). The table counts every request sent: first answers, repairs and retries.
Each answer also reads page 1's header, so the summary says how well each variant reads:
the names its answers lost to grounding, and the papers where its reading and the rules' differ.
"""

from __future__ import annotations

import asyncio
import difflib
from collections import Counter
from datetime import datetime
from pathlib import Path

from pydantic import BaseModel

from ..brief.prompts import load_prompt, prompt_for
from ..brief.validate import CHECK_LABELS
from ..models import Paper, PaperResult, Report
from ..settings import Settings
from .diff import Piece, alike, pieces
from .reads import read_all

MD_NAME, HTML_NAME = "compare.md", "compare.html"


class Variant(BaseModel):
    name: str  # 'A', 'B', ...
    prompt: Path
    model: str  # as sent: the --model given, else the prompt file's
    label: str  # 'brief v1.1 · gpt-4o-mini'


class Summary(BaseModel):
    variant: Variant
    first_answer: int = 0  # briefs passing every check at the first answer
    after_repair: int = 0
    failed: int = 0
    checks_failed: dict[str, int] = {}
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float | None = None
    wait_s: float = 0.0
    new_calls: int = 0  # briefs paid for in this comparison (the rest came from the run store)
    requests: int = 0  # requests sent for this variant: first answers, repairs and retries, as the endpoint saw them
    names_dropped: int = 0  # names its answers gave that page 1 does not back
    readings_differ: int = 0  # papers where its reading of the header and the rules' differ
    finished: bool = True  # False: the comparison stopped inside this variant (its unfinished papers are listed as such)


class BriefCell(BaseModel):
    """One variant's brief of one paper."""

    text: str
    ok: bool
    attempts: int
    checks: dict[str, bool]
    details: dict[str, str] = {}  # why a check failed, shown on hover
    topic: str = ""  # with topics: set, the topic this variant's answer gave (a configured digest)
    relevant: bool | None = None  # with theme: set, whether this variant's answer judged the paper on theme
    reason: str = ""  # and why
    error: str = ""
    worse: list[str] = []  # checks this variant fails that another variant passes on this paper
    diff: list[Piece] = []  # against the first variant's brief, only when the two are mostly alike
    folded: bool = False  # long enough to be shown folded (compare.html)


class Row(BaseModel):
    file: str
    title: str
    cells: list[BriefCell]

    @property
    def same(self) -> bool:
        """Every variant wrote the same brief, with the same verdict, topic and relevance: nothing to compare."""
        return all(c.text == self.cells[0].text and c.ok == self.cells[0].ok for c in self.cells) and not self.digest_moves

    @property
    def digest_moves(self) -> list[str]:
        """What a prompt change moved in a configured digest: the paper's topic, or whether it is on theme."""
        moves = []
        if len({c.topic for c in self.cells if c.ok}) > 1:
            moves.append("主题不同")
        if len({c.relevant for c in self.cells if c.ok}) > 1:
            moves.append("相关性不同")
        return moves

    @property
    def any_failed(self) -> bool:
        return any(not c.ok for c in self.cells)


class PromptChange(BaseModel):
    """How one variant's prompt file differs from the first variant's, as a unified diff."""

    variant: str
    against: str
    lines: list[str]  # '+', '-', ' ' and '@@' lines; empty when the files are the same


class Comparison(BaseModel):
    generated_at: str
    summaries: list[Summary]
    rows: list[Row]
    prompt_changes: list[PromptChange] = []
    labels: dict[str, str] = CHECK_LABELS

    @property
    def any_failed(self) -> bool:
        return any(s.failed for s in self.summaries)


def variants(settings: Settings, prompts: list[Path], models: list[str]) -> list[Variant]:
    """Every prompt with every model given (or with its own model when none is)."""
    out = []
    for prompt_path in prompts:
        prompt = load_prompt(prompt_path)
        for model in models or [settings.model or prompt.model]:
            name = chr(ord("A") + len(out)) if len(out) < 26 else f"V{len(out) + 1}"
            out.append(Variant(name=name, prompt=prompt_path, model=model,
                               label=f"{prompt_path.stem} v{prompt.version} · {model}"))
    return out


class Plan(BaseModel):
    """For --dry-run: what one variant would send. A paper with a passing brief in the run store is
    reused; one whose stored brief failed, or with none, is sent again (one request, two with a repair)."""

    to_send: int = 0
    failed_before: int = 0  # of to_send: papers whose stored brief failed its checks
    reused: int = 0


def planned_calls(settings: Settings, chosen: list[Variant], files: list[Path], output: Path) -> dict[str, Plan]:
    """For --dry-run: per variant, the papers it would send and the passing briefs it would reuse."""
    from .flow import PaperFlow
    from .store import STORE_NAME, RunStore

    papers = [p for p in asyncio.run(read_all(settings, files)).values() if isinstance(p, Paper)]
    papers = list({p.sha256: p for p in papers}.values())
    store = RunStore(output / STORE_NAME, readonly=True)  # a dry run writes nothing, even in a read-only folder
    try:
        plans = {}
        for variant in chosen:
            flow = PaperFlow(prompt_for(settings, variant.prompt), variant.model, store)
            planned = [flow.plan(paper) for paper in papers]
            plans[variant.name] = Plan(to_send=len(planned) - planned.count("reuse"), failed_before=planned.count("again"),
                                       reused=planned.count("reuse"))
        return plans
    finally:
        store.close()


class ComparisonStopped(Exception):
    """A variant's run stopped (the endpoint is unusable); `partial` compares what was done (the
    stopped variant's papers as far as it got), `unfinished` names the variants it could not finish."""

    def __init__(self, message: str, partial: Comparison | None, unfinished: list[str] | None = None):
        super().__init__(message)
        self.partial = partial
        self.unfinished = unfinished or []


class ComparisonInterrupted(ComparisonStopped):
    """Ctrl-C (or SIGTERM) during a variant: the variants finished before it are compared all the same."""


async def run_comparison(settings: Settings, chosen: list[Variant], files: list[Path], output: Path) -> Comparison:
    """Brief every paper with every variant, one variant after the other, sharing OUTPUT's run store."""
    from .runner import RunAborted, run_live

    reads = await read_all(settings, files)  # each PDF read once, for every variant
    reports = []
    for variant in chosen:
        variant_settings = settings.model_copy(update={"prompt": variant.prompt, "model": variant.model})
        try:
            reports.append(await run_live(variant_settings, files, output, write=False, reads=reads))
        except RunAborted as exc:
            done = reports + ([exc.report] if exc.report is not None else [])
            partial = compare_reports(settings, chosen[:len(done)], done) if done else None
            if partial is not None and exc.report is not None:
                partial.summaries[-1].finished = False
            unfinished = [v.name for v in chosen[len(reports):]]
            raise ComparisonStopped(f"variant {variant.name}: {exc}", partial, unfinished) from None
        except asyncio.CancelledError:  # Ctrl-C or SIGTERM: the variants finished so far still get their page
            partial = compare_reports(settings, chosen[:len(reports)], reports) if reports else None
            unfinished = [v.name for v in chosen[len(reports):]]
            raise ComparisonInterrupted(f"interrupted in variant {variant.name}", partial, unfinished) from None
    return compare_reports(settings, chosen, reports)


def compare_reports(settings: Settings, chosen: list[Variant], reports: list[Report]) -> Comparison:
    """The summary table and the per-paper rows, from one report per variant."""
    by_file = [{r.file: r for r in report.results if not r.duplicate_of} for report in reports]
    files = sorted(set().union(*by_file), key=lambda f: (_title(by_file, f).casefold(), f))
    rows = [_row(f, _title(by_file, f), [results.get(f) for results in by_file]) for f in files]
    summaries = [_summary(settings, variant, [row.cells[i] for row in rows], [results.get(f) for f in files], report.requests)
                 for i, (variant, results, report) in enumerate(zip(chosen, by_file, reports, strict=False))]
    return Comparison(generated_at=datetime.now().strftime("%Y-%m-%d %H:%M:%S"), summaries=summaries, rows=rows,
                      prompt_changes=prompt_changes(chosen))


def prompt_changes(chosen: list[Variant]) -> list[PromptChange]:
    """Each later variant's prompt against the first one's, when it is another file."""
    if not chosen:
        return []
    first = chosen[0]
    out = []
    for variant in chosen[1:]:
        if variant.prompt == first.prompt:
            continue
        old, new = (_prompt_lines(v.prompt) for v in (first, variant))
        diff = [line.rstrip("\n") for line in difflib.unified_diff(old, new, n=1)][2:]  # without the file header lines
        out.append(PromptChange(variant=variant.name, against=first.name, lines=diff))
    return out


def _prompt_lines(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8").splitlines(keepends=True)
    except OSError as exc:
        return [f"({path}: {exc.strerror or exc})\n"]


def _title(by_file: list[dict[str, PaperResult]], file: str) -> str:
    for results in by_file:
        result = results.get(file)
        if result is not None and result.paper is not None:
            return result.paper.title
    return file


def _cell(result: PaperResult | None) -> BriefCell:
    if result is None or result.brief is None:
        return BriefCell(text="", ok=False, attempts=0, checks={}, error=(result.error if result else "not briefed"))
    brief = result.brief
    return BriefCell(text=brief.text, ok=brief.ok, attempts=brief.attempts, checks={c.name: c.ok for c in brief.checks},
                     details={c.name: c.detail for c in brief.checks if c.detail}, topic=brief.topic,
                     relevant=brief.relevant, reason=brief.relevance_reason, error=result.error or brief.error)


FOLD = 400  # characters of a brief beyond which compare.html folds it


def _row(file: str, title: str, results: list[PaperResult | None]) -> Row:
    cells = [_cell(r) for r in results]
    for cell in cells:
        cell.worse = sorted(name for name, ok in cell.checks.items()
                            if not ok and any(other.checks.get(name) for other in cells))
        cell.diff = pieces(cells[0].text, cell.text) if alike(cells[0].text, cell.text) else []
        cell.folded = len(cell.text) > FOLD
    return Row(file=file, title=title, cells=cells)


def _summary(settings: Settings, variant: Variant, cells: list[BriefCell], results: list[PaperResult | None],
             requests: int = 0) -> Summary:
    briefs = [r.brief for r in results if r is not None and r.brief is not None]
    failed_checks = Counter(name for cell in cells if not cell.ok for name, ok in cell.checks.items() if not ok)
    prompt_tokens = sum(b.usage.prompt_tokens for b in briefs)
    completion_tokens = sum(b.usage.completion_tokens for b in briefs)
    price = settings.price_of(variant.model)
    cost = None if price is None else (prompt_tokens * price.input + completion_tokens * price.output) / 1e6
    return Summary(
        variant=variant, first_answer=sum(c.ok and c.attempts == 1 for c in cells),
        after_repair=sum(c.ok and c.attempts > 1 for c in cells), failed=sum(not c.ok for c in cells),
        checks_failed=dict(sorted(failed_checks.items())), prompt_tokens=prompt_tokens,
        completion_tokens=completion_tokens, cost_usd=cost, wait_s=sum(b.latency_s for b in briefs),
        new_calls=sum(not b.cached for b in briefs), requests=requests,
        names_dropped=sum(len(b.dropped) for b in briefs),
        readings_differ=sum(1 for r in results if r is not None and r.paper is not None and r.paper.disagreements),
    )


def _digest_fields(cell: BriefCell) -> str:
    """'主题：量化；相关：是（…）' for a configured digest's answer; '' without one."""
    parts = [f"主题：{cell.topic}"] if cell.topic else []
    if cell.relevant is not None:
        parts.append(f"相关：{'是' if cell.relevant else '否'}" + (f"（{cell.reason}）" if cell.reason else ""))
    return "；".join(parts)


def write_comparison(comparison: Comparison, output: Path) -> None:
    from ..render.report import write_atomic

    output.mkdir(parents=True, exist_ok=True)
    write_atomic(output / MD_NAME, comparison_markdown(comparison))
    write_atomic(output / HTML_NAME, comparison_html(comparison))


def comparison_html(comparison: Comparison) -> str:
    from ..render.html import render_template

    return render_template("compare.html.j2", c=comparison)


def comparison_markdown(comparison: Comparison) -> str:
    from ..render.escape import markdown as md
    from ..render.escape import markdown_code as code

    out = ["# 提示词与模型对比", f"生成时间: {comparison.generated_at}", "",
           "| 变体 | 首次通过 | 修复后通过 | 失败 | 未通过的检查 | 首页未印出而删去的名称 | 与规则读取不一致的论文 "
           "| 提示 tokens | 生成 tokens | 估算费用 (USD) | 等待 (s) | 新简报 | 本次请求 |",
           "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for s in comparison.summaries:
        checks = "、".join(f"{comparison.labels.get(k, k)} {v}" for k, v in s.checks_failed.items()) or "-"
        cost = "-" if s.cost_usd is None else f"{s.cost_usd:.4f}"
        stopped = "" if s.finished else "（未完成：运行中止）"
        out.append(f"| {s.variant.name}: {md(s.variant.label)}{stopped} | {s.first_answer} | {s.after_repair} | {s.failed} | "
                   f"{md(checks)} | {s.names_dropped} | {s.readings_differ} | {s.prompt_tokens} | {s.completion_tokens} "
                   f"| {cost} | {f'{s.wait_s:.1f}' if s.requests else '-'} | {s.new_calls} | {s.requests} |")
    out.append("")
    for change in comparison.prompt_changes:
        lines = change.lines or ["（两份提示词相同）"]
        out += [f"提示词 {change.variant} 相对 {change.against} 的改动：", "", "```diff", *lines, "```", ""]
    labels = comparison.labels
    for i, row in enumerate(comparison.rows, 1):
        marks = "（各变体相同）" if row.same and len(row.cells) > 1 else "".join(f"（{m}）" for m in row.digest_moves)
        out += [f"## {i}. {md(row.title)}{marks}", "", code(row.file), ""]
        for summary, cell in zip(comparison.summaries, row.cells, strict=False):
            state = "通过" if cell.ok else "失败"
            worse = f"（比其他变体差：{md('、'.join(labels.get(w, w) for w in cell.worse))}）" if cell.worse else ""
            checks = " ".join(f"{labels.get(k, k)}{'✓' if v else '✗'}" for k, v in cell.checks.items())
            out.append(f"- **{summary.variant.name}** {state}{worse}: {md(' '.join((cell.text or cell.error).split()))}")
            if checks:
                out.append(f"  {md(checks)}")
            if _digest_fields(cell):
                out.append(f"  {md(_digest_fields(cell))}")
        out.append("")
    return "\n".join(out).rstrip() + "\n"
