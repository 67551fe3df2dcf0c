"""Compare prompts across a folder against the stand-in: cost, counts, escaping, the page itself."""

from __future__ import annotations

from pathlib import Path

import make_samples
import pytest
from pages import TITLE, Elements, assert_page_is_inert, headless_dom, hostile_pdf, unsure_paper

from pipeline.cli import main

N = len(make_samples.SAMPLES)


def prompt_b(tmp_path: Path) -> Path:
    """The default prompt with one line changed: a new fingerprint for every paper."""
    path = tmp_path / "brief-b.yaml"
    text = (make_samples.ROOT / "prompts" / "brief.yaml").read_text(encoding="utf-8")
    path.write_text(text.replace('version: "3.0"', 'version: "3.1"')
                    .replace("请读取下面这篇论文的首页信息，并写一句简报。", "请读取下面这篇论文的首页信息，并写一句周报简报。"))
    return path


def live(standin) -> list[str]:
    return ["--base-url", standin.base_url, "--api-key", "k"]


def brief_calls(standin) -> int:
    return sum(1 for r in standin.requests if "首页:" not in r["body"]["messages"][-1]["content"])


def test_comparing_a_new_prompt_pays_only_for_the_new_one(samples, tmp_path, fake_model, capsys):
    out = tmp_path / "out"
    default = make_samples.ROOT / "prompts" / "brief.yaml"
    assert main(["run", str(samples), "-o", str(out), *live(fake_model)]) == 0
    assert brief_calls(fake_model) == N
    b = prompt_b(tmp_path)
    capsys.readouterr()
    assert main(["compare", str(samples), "--prompt", str(default), "--prompt", str(b), "-o", str(out), "--dry-run"]) == 0
    said = capsys.readouterr().out
    assert "A: brief v3.0 · gpt-4o-mini: 0 call(s)" in said and f"B: brief-b v3.1 · gpt-4o-mini: {N} call(s)" in said
    fake_model.requests.clear()
    assert main(["compare", str(samples), "--prompt", str(default), "--prompt", str(b), "-o", str(out), *live(fake_model)]) == 0
    assert brief_calls(fake_model) == N  # the request log: only prompt B's briefs were paid for
    assert all("周报简报" in r["body"]["messages"][-1]["content"] for r in fake_model.requests)
    page = (out / "compare.html").read_text()
    summary = page.split('<table id="summary">')[1].split("</table>")[0]
    rows = Elements(summary).visible
    assert "brief v3.0 · gpt-4o-mini" in rows and "brief-b v3.1 · gpt-4o-mini" in rows
    assert (out / "compare.md").read_text().count("- **A** 通过") == N


def test_summary_counts_match_the_per_paper_checks(samples, tmp_path, fake_model):
    out = tmp_path / "out"
    default = make_samples.ROOT / "prompts" / "brief.yaml"
    assert main(["run", str(samples), "-o", str(out), *live(fake_model)]) == 0
    lattice = next(s for s in make_samples.SAMPLES if s.file == "lattice-kv.pdf")
    fake_model.always_off_template.add(lattice.title)  # only prompt B's calls are made now: B fails this paper
    code = main(["compare", str(samples), "--prompt", str(default), "--prompt", str(prompt_b(tmp_path)), "-o", str(out),
                 *live(fake_model)])
    assert code == 1  # a paper failed in one variant; the page still lists it
    md = (out / "compare.md").read_text()
    assert md.count("- **B** 失败") == 1 and md.count("- **B** 通过") == N - 1
    table = md.split("\n\n")[1]
    b_row = next(line for line in table.splitlines() if line.startswith("| B:"))
    assert [cell.strip() for cell in b_row.split("|")[2:5]] == [str(N - 1), "0", "1"]
    assert "失败（比其他变体差：长度、句式）" in md  # B fails checks that A passes on that paper, named in Chinese
    page = (out / "compare.html").read_text()
    assert page.count('class="marker"') == 1


def test_a_hostile_paper_is_text_in_compare_html(tmp_path, fake_model):
    folder = tmp_path / "in"
    folder.mkdir()
    hostile_pdf(folder / "x.pdf")
    out = tmp_path / "out"
    code = main(["compare", str(folder), "--model", "model-a", "--model", "model-b", "-o", str(out), *live(fake_model)])
    assert code == 0
    page = (out / "compare.html").read_text()
    assert_page_is_inert(page, TITLE)
    assert "<img src=x" not in page


def test_compare_needs_two_variants(samples, tmp_path, capsys):
    assert main(["compare", str(samples), "-o", str(tmp_path / "out")]) == 2
    assert "two variants at least" in capsys.readouterr().err


@pytest.mark.slow
def test_compare_page_in_a_real_headless_browser(samples, tmp_path, standin):
    """Runs where Chromium is installed (.ci/run installs Debian's and then requires this test to run)."""
    out = tmp_path / "out"
    assert main(["compare", str(samples), "--model", "model-a", "--model", "model-b", "-o", str(out), *live(standin)]) == 0
    dom = headless_dom(out / "compare.html", tmp_path)
    assert '<table id="summary">' in dom and "model-a" in dom and "model-b" in dom
    first = make_samples.SAMPLES[0]
    visible = Elements(dom).visible
    assert visible.count("发布了") >= 2 * N  # every paper's two briefs are on the page
    assert first.title.split(":")[0] in visible


def test_one_call_per_paper_reads_the_header_in_run_and_compare(tmp_path, standin, capsys):
    folder = tmp_path / "in"
    unsure_paper(folder, standin)
    out = tmp_path / "out"
    default = make_samples.ROOT / "prompts" / "brief.yaml"
    assert main(["run", str(folder), "-o", str(out), *live(standin)]) == 0
    assert len(standin.requests) == 1  # the brief call reads the header too: no second call for metadata
    assert "Bellwether Institute of Optics" in standin.requests[0]["body"]["messages"][-1]["content"]  # the foot note
    standin.requests.clear()
    capsys.readouterr()
    assert main(["compare", str(folder), "--prompt", str(default), "--prompt", str(prompt_b(tmp_path)), "-o", str(out),
                 *live(standin)]) == 0
    assert len(standin.requests) == 1  # only prompt B's call: A is in the run store
    said = capsys.readouterr().out
    assert "0 name(s) lost to grounding, 1 paper(s) read unlike the rules" in said  # both variants fix the rules


def test_compare_counts_the_names_a_sloppy_variant_loses_to_grounding(samples, tmp_path, fake_model, capsys):
    fake_model.sloppy = True
    out = tmp_path / "out"
    assert main(["compare", str(samples), "--model", "sloppy-a", "--model", "sloppy-b", "-o", str(out),
                 *live(fake_model)]) == 0
    said = capsys.readouterr().out
    lost = [int(line.split(" name(s) lost")[0].rsplit(" ", 1)[-1]) for line in said.splitlines() if "lost to grounding" in line]
    assert len(lost) == 2 and all(n >= 1 for n in lost)
    assert "首页未印出而删去的名称" in (out / "compare.md").read_text(encoding="utf-8")


def test_compare_reads_each_pdf_once_for_all_its_variants(samples, tmp_path, fake_model, monkeypatch):
    from pipeline.extract import readers

    starts, reads = [], []
    real_init = readers.PdfReaders.__init__
    monkeypatch.setattr(readers.PdfReaders, "__init__", lambda self, *a, **k: starts.append(1) or real_init(self, *a, **k))
    real_read = readers.PdfReaders.read

    async def counted(self, function, path, *args):
        reads.append(path.name)
        return await real_read(self, function, path, *args)

    monkeypatch.setattr(readers.PdfReaders, "read", counted)
    out = tmp_path / "out"
    assert main(["compare", str(samples), "--model", "model-a", "--model", "model-b", "-o", str(out), *live(fake_model)]) == 0
    assert len(starts) == 1  # one reader pool for the command
    assert sorted(reads) == sorted(p.name for p in samples.iterdir())  # each PDF read once, not once per variant


def test_the_page_shows_the_prompt_change_marks_identical_pairs_and_filters(samples, tmp_path, fake_model):
    """The prompt diff at the top; a paper both variants briefed alike is marked and folded; the
    filters are there; checks are short Chinese labels with the reason on hover; a variant that
    sent nothing shows no wait."""
    out = tmp_path / "out"
    default = make_samples.ROOT / "prompts" / "brief.yaml"
    assert main(["run", str(samples), "-o", str(out), *live(fake_model)]) == 0  # A's briefs are now in the run store
    lattice = next(s for s in make_samples.SAMPLES if s.file == "lattice-kv.pdf")
    fake_model.always_off_template.add(lattice.title)  # B fails this paper
    main(["compare", str(samples), "--prompt", str(default), "--prompt", str(prompt_b(tmp_path)), "-o", str(out), *live(fake_model)])
    page = (out / "compare.html").read_text()
    diff = page.split('<pre class="prompt-diff">')[1].split("</pre>")[0]
    assert '<span class="add">+' in diff and "周报简报" in diff and '<span class="del">-' in diff
    assert page.count('<section class="paper same">') == N - 1  # every paper but the one B failed
    assert page.count("各变体相同</span></summary>") == N - 1
    assert 'id="only-differences"' in page and 'id="only-failures"' in page and page.count(' has-failure"') == 1
    assert "句式✗" in page and "shape:FAIL" not in page
    failed_span = page.split("句式✗")[0].rsplit("<span", 1)[1]
    assert 'title="' in failed_span  # the check's reason on hover
    a_row = page.split('<table id="summary">')[1].split("</tr>")[1]
    assert a_row.count("<td>-</td>") >= 1 and "<td>0</td></tr>" in a_row + "</tr>"  # A sent 0 requests: no wait shown
    md = (out / "compare.md").read_text()
    assert "```diff" in md and "（各变体相同）" in md


def test_a_prompt_that_moves_a_paper_between_topics_or_off_the_theme_is_shown():
    """compare shows the digest's fields where the variants differ: a paper another topic or out of
    the theme is no 'same' pair, and says what moved."""
    from pipeline.models import Brief, Paper, PaperResult, Report, Usage
    from pipeline.run.compare import Variant, compare_reports, comparison_html, comparison_markdown
    from pipeline.settings import Settings

    paper = Paper(file="a.pdf", sha256="a" * 64, title="Quiet Lanterns", authors=["Mira Castellan"], author_count=1,
                  institutions=["Orchard University"], abstract="We light lanterns.")
    text = "Orchard University发布了Quiet Lanterns论文，使用稀疏灯笼，解决了长文档的显存问题，达成了显存减半的效果。"

    def report(topic: str, relevant: bool) -> Report:
        brief = Brief(text=text, ok=True, checks=[], attempts=1, usage=Usage(), latency_s=0.1, prompt_id="brief",
                      prompt_version="3.0", fingerprint="f", model="m", topic=topic, relevant=relevant,
                      relevance_reason="理由" + topic)
        return Report(title="t", generated_at="now", prompt_id="brief", prompt_version="3.0", model="m",
                      results=[PaperResult(file="a.pdf", sha256=paper.sha256, paper=paper, brief=brief)])

    chosen = [Variant(name="A", prompt=Path("a.yaml"), model="m", label="a"),
              Variant(name="B", prompt=Path("b.yaml"), model="m", label="b")]
    moved = compare_reports(Settings(), chosen, [report("量化", True), report("剪枝", False)])
    assert not moved.rows[0].same and moved.rows[0].digest_moves == ["主题不同", "相关性不同"]
    md = comparison_markdown(moved)
    assert "（主题不同）（相关性不同）" in md and "主题：剪枝；相关：否（理由剪枝）" in md
    assert "主题不同" in comparison_html(moved) and "主题：量化" in comparison_html(moved)
    alike = compare_reports(Settings(), chosen, [report("量化", True), report("量化", True)])
    assert alike.rows[0].same


def test_ctrl_c_in_a_later_variant_still_writes_the_page_for_the_ones_done(samples, tmp_path, fake_model, monkeypatch, capsys):
    """Ctrl-C while variant B runs: compare.html compares variant A, says B was not finished, and
    the command exits 130 like any interrupted run."""
    import asyncio

    from pipeline.run import runner

    real = runner.run_live
    calls = []

    async def interrupted_second(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise asyncio.CancelledError  # what Ctrl-C does to the task running the variant
        return await real(*args, **kwargs)

    monkeypatch.setattr(runner, "run_live", interrupted_second)
    out = tmp_path / "out"
    code = main(["compare", str(samples), "--model", "model-a", "--model", "model-b", "-o", str(out), *live(fake_model)])
    assert code == 130
    said = capsys.readouterr().err
    assert "interrupted in variant B" in said and "could not finish variant(s) B" in said
    page = (out / "compare.html").read_text()
    assert "model-a" in page and page.count("发布了") >= N
