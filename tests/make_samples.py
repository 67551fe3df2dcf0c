"""Write the fictional sample papers (text written for this project) and record their cassette.

    python tests/make_samples.py            # PDFs into inputs/, cassette into tests/cassettes/
    python tests/make_samples.py --pdfs-only DIR

Layouts are chosen to be hard: one and two columns, superscript-numbered and letter-keyed
affiliations, an author grid, an IEEE-style footnote affiliation, a Chinese institution, a single
author with no "Abstract" heading, fourteen authors over three lines.

The PDFs read the same on every machine: the Chinese text is set in an embedded font (cjk_font.py)
and the files are written byte for byte the same each time (reportlab's invariant mode), so a
paper's content hash, which the cassette records, does not change when they are written again.
This script is the one way to remake the samples and their cassette: after a change to the
sample texts, the prompt or the reader, run it and commit inputs/ and the cassette together.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path

from reportlab.lib.pagesizes import letter
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen import canvas

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from cjk_font import cjk_font, is_cjk  # noqa: E402

CASSETTE = ROOT / "tests" / "cassettes" / "samples.yaml"
W, H = letter


@dataclass
class Sample:
    file: str
    title: str
    layout: str  # "one" or "two" columns
    authors: list[tuple[str, str]]  # (name, marker)
    affiliations: list[tuple[str, str]]  # (marker, text)
    abstract: str
    brief: str  # the recorded model answer (written for the fixture)
    institutions: list[str]
    style: str = "numbered"  # numbered | grid | footnote | plain | noheading
    emails: list[str] = field(default_factory=list)
    intro: str = (
        "Modern machine learning systems are limited less by arithmetic than by memory traffic and by "
        "the cost of moving data between devices. This section motivates the problem, states the "
        "assumptions, and outlines the contributions of the paper in the order they are presented."
    )


SAMPLES = [
    Sample(
        file="lattice-kv.pdf",
        title="LatticeKV: Paged Key-Value Caches for Long-Context Inference",
        layout="one",
        authors=[("Mira Castellan", "1"), ("Tobias Rennick", "1,2"), ("Ines Okafor", "2"), ("Hale Whitcombe", "1*")],
        affiliations=[("1", "Northlake University"), ("2", "Brightwave Systems Inc.")],
        abstract=(
            "Serving language models with long contexts is bounded by the memory held in key-value caches. "
            "We present LatticeKV, a cache that stores keys and values in fixed pages arranged on a lattice, "
            "so that requests share prefix pages and evict cold pages without copying. On a 70B model with "
            "128K-token prompts, LatticeKV serves 3.1 times more concurrent requests than contiguous caches "
            "and lowers tail latency by 42% at the same hardware budget."
        ),
        brief=(
            "Northlake University与Brightwave Systems Inc.发布了LatticeKV论文，使用按格点排列的固定分页键值缓存并让请求共享前缀页，"
            "解决了长上下文推理中键值缓存占用内存过多的问题，达成了在128K令牌提示下并发请求数提升3.1倍、尾延迟降低42%的效果。"
        ),
        institutions=["Northlake University", "Brightwave Systems Inc."],
    ),
    Sample(
        file="sparse-lanterns.pdf",
        title="Sparse Lanterns: Attention Routing for Efficient Video Transformers",
        layout="two",
        style="grid",
        authors=[("Arjun Velloso", ""), ("Keiko Marrow", ""), ("Dmitri Solbakken", "")],
        affiliations=[("", "Harbor Vision Lab, Eastbrook University"), ("", "Eastbrook University"), ("", "Polaris Robotics")],
        emails=["arjun@eastbrook.edu", "keiko@eastbrook.edu", "dmitri@polaris-robotics.com"],
        abstract=(
            "Video transformers spend most of their compute on attention between patches that carry little "
            "motion. Sparse Lanterns routes each query to a small set of lantern tokens chosen by a learned "
            "motion score, and keeps dense attention only inside those sets. On three action recognition "
            "benchmarks the method keeps accuracy within 0.4 points of dense attention while cutting "
            "attention FLOPs by 61%."
        ),
        brief=(
            "Eastbrook University与Polaris Robotics发布了Sparse Lanterns论文，使用基于运动评分选择灯笼令牌的注意力路由方法，"
            "解决了视频Transformer在低运动图像块上浪费注意力计算的问题，达成了精度与稠密注意力相差不超过0.4个点、注意力计算量减少61%的效果。"
        ),
        institutions=["Eastbrook University", "Polaris Robotics"],
    ),
    Sample(
        file="清澜-graph-pruning.pdf",
        title="Tidal Pruning: Structured Sparsity for Graph Neural Networks on Edge Devices",
        layout="two",
        authors=[("Wei Lanfeng", "1"), ("Zhou Mingyu", "1"), ("Chen Ruoxi", "2"), ("Liu Jiahao", "1†")],
        affiliations=[("1", "清澜大学 计算机科学与技术学院"),
                      ("2", "School of Software, Qinglan Institute of Technology, Hangzhou, China")],
        abstract=(
            "Graph neural networks are hard to deploy on edge devices because message passing touches "
            "irregular memory. Tidal Pruning removes whole neighbourhood blocks chosen by a tide schedule "
            "that alternates between pruning and regrowth. On five node classification datasets it reaches "
            "4.6 times speedup on a mobile processor with an average accuracy loss of 0.8%."
        ),
        brief=(
            "清澜大学与Qinglan Institute of Technology发布了Tidal Pruning论文，使用按潮汐调度交替剪枝与再生长的邻域块结构化稀疏方法，"
            "解决了图神经网络因不规则访存难以部署到边缘设备的问题，达成了在移动处理器上加速4.6倍、平均精度损失仅0.8%的效果。"
        ),
        institutions=["清澜大学", "Qinglan Institute of Technology"],
    ),
    Sample(
        file="echo-channels.pdf",
        title="Echo Channels: Learned Beam Alignment for Millimeter-Wave Links",
        layout="two",
        style="footnote",
        authors=[("Rosa Delacroix, Member, IEEE", ""), ("Piet Lindqvist, Fellow, IEEE", "")],
        affiliations=[("", "R. Delacroix and P. Lindqvist are with the Department of Electrical Engineering, "
                          "Westmoor Institute of Technology, Westmoor 40210, Norway (e-mail: rosa.delacroix@westmoor.no). "
                          "P. Lindqvist is also with Fjordline Networks, Bergen 5003, Norway.")],
        abstract=(
            "Millimeter-wave links need precise beam alignment, which costs many pilot measurements when "
            "users move. We propose Echo Channels, a recurrent model that predicts the next beam from the "
            "echoes of previous sweeps and asks for a full sweep only when its confidence drops. Simulations "
            "with urban mobility traces show that Echo Channels reduces alignment overhead by 73% while "
            "keeping spectral efficiency within 2% of exhaustive search."
        ),
        brief=(
            "Westmoor Institute of Technology与Fjordline Networks发布了Echo Channels论文，"
            "使用根据历史扫描回波预测下一波束并在置信度下降时才触发全扫描的循环模型，"
            "解决了毫米波链路在用户移动时波束对准需要大量导频测量的问题，达成了对准开销降低73%、频谱效率与穷举搜索相差不超过2%的效果。"
        ),
        institutions=["Westmoor Institute of Technology", "Fjordline Networks"],
    ),
    Sample(
        file="quiet-gradients.pdf",
        title="Quiet Gradients: Variance Shaping for Stable Low-Precision Training",
        layout="one",
        style="noheading",
        authors=[("Helena Brandvold", "")],
        affiliations=[("", "Institute for Numerical Learning, Ostrava Technical University")],
        emails=["helena.brandvold@otu.example"],
        abstract=(
            "Training in eight-bit floating point fails when rare large gradients overflow the format. This "
            "paper introduces Quiet Gradients, which reshapes the per-layer gradient variance with a learned "
            "scale before quantisation and restores it afterwards. Across language and vision models the "
            "method trains in FP8 without divergence and matches the final loss of BF16 training within 1.5%."
        ),
        brief=(
            "Ostrava Technical University发布了Quiet Gradients论文，使用在量化前用可学习缩放重塑逐层梯度方差、量化后再恢复的方法，"
            "解决了八位浮点训练中罕见大梯度溢出导致训练失败的问题，达成了在FP8下训练不发散且最终损失与BF16训练相差不超过1.5%的效果。"
        ),
        institutions=["Ostrava Technical University"],
    ),
    Sample(
        file="open-harbor-bench.pdf",
        title="OpenHarbor: A Benchmark for Multilingual Document Question Answering",
        layout="two",
        style="letters",
        authors=[("Amara Quist", "a"), ("Bo Jensen", "a"), ("Carla Mendes", "b"), ("Dae-Jin Park", "c"),
                 ("Elif Kaya", "a"), ("Femi Adeyemi", "b"), ("Gustav Lund", "c"), ("Hana Sato", "a"),
                 ("Ivo Petrov", "b"), ("Jonas Weber", "c"), ("Kofi Mensah", "a"), ("Lena Fischer", "b"),
                 ("Marco Rossi", "c"), ("Nadia Haddad", "a,*")],
        affiliations=[("a", "Department of Linguistics, Riverside College of Arts, Bristol, UK"),
                      ("b", "Meridian Language Technologies Ltd., Lisbon, Portugal"),
                      ("c", "Graduate School of Informatics, Hanamura University, Kyoto, Japan")],
        abstract=(
            "Document question answering benchmarks are dominated by English. OpenHarbor collects 18,400 "
            "questions over scanned forms, tables and reports in 12 languages, each answered by two "
            "native speakers. We evaluate 9 open and closed models and find that accuracy drops by 23 points "
            "from English to low-resource languages, most of it caused by layout reading rather than language."
        ),
        brief=(
            "Riverside College of Arts、Meridian Language Technologies Ltd.与Hanamura University发布了OpenHarbor论文，"
            "使用覆盖12种语言、18,400个问题的多语言文档问答基准评测9个模型，解决了文档问答基准以英语为主、缺乏多语言评测的问题，"
            "达成了揭示低资源语言准确率下降23个点且主要源于版面阅读的效果。"
        ),
        institutions=["Riverside College of Arts", "Meridian Language Technologies Ltd.", "Hanamura University"],
    ),
]


def _font(c: canvas.Canvas, text: str, size: float, bold: bool = False) -> None:
    if is_cjk(text):
        c.setFont(cjk_font([text]), size)
    else:
        c.setFont("Times-Bold" if bold else "Times-Roman", size)


def _text(c: canvas.Canvas, x: float, y: float, text: str, size: float, bold: bool = False, centre: bool = False) -> float:
    """Draw text (top-left y) and return its width."""
    _font(c, text, size, bold)
    width = c.stringWidth(text, c._fontname, size)
    if centre:
        x = x - width / 2
    c.drawString(x, H - y, text)
    return width


def _runs(c: canvas.Canvas, y: float, runs: list[tuple[str, float, bool]]) -> None:
    """One centred line of (text, size, superscript) runs."""
    widths = []
    for text, size, _sup in runs:
        _font(c, text, size)
        widths.append(c.stringWidth(text, c._fontname, size))
    x = W / 2 - sum(widths) / 2
    for (text, size, sup), width in zip(runs, widths, strict=False):
        _text(c, x, y - (3.5 if sup else 0), text, size)
        x += width


def _author_lines(sample: Sample, per_line: int) -> list[list[tuple[str, float, bool]]]:
    lines, current = [], []
    for i, (name, marker) in enumerate(sample.authors):
        current.append((name, 11, False))
        if marker:
            current.append((marker, 7, True))
        last = i == len(sample.authors) - 1
        if not last:
            current.append((", " if (i + 1) % per_line else ",", 11, False))
        if (i + 1) % per_line == 0 or last:
            lines.append(current)
            current = []
    return lines


def _paragraph(c: canvas.Canvas, x: float, y: float, width: float, text: str, size: float = 10) -> float:
    for line in simpleSplit(text, "Times-Roman", size, width):
        _text(c, x, y, line, size)
        y += size * 1.25
    return y


def write_pdf(sample: Sample, path: Path) -> None:
    c = canvas.Canvas(str(path), pagesize=letter, invariant=True)
    c.setTitle("")
    y = 90.0
    for line in simpleSplit(sample.title, "Times-Bold", 17, W - 160):
        _text(c, W / 2, y, line, 17, bold=True, centre=True)
        y += 21
    y += 12
    if sample.style == "grid":
        xs = [W * (i + 1) / (len(sample.authors) + 1) for i in range(len(sample.authors))]
        for x, (name, _), (_, aff), email in zip(xs, sample.authors, sample.affiliations, sample.emails, strict=False):
            _text(c, x, y, name, 11, centre=True)
            parts = aff.split(", ")
            for k, part in enumerate(parts):
                _text(c, x, y + 13 * (k + 1), part, 10, centre=True)
            _text(c, x, y + 13 * (len(parts) + 1), email, 9, centre=True)
        y += 13 * 4 + 10
    else:
        per_line = 5 if len(sample.authors) > 6 else 6
        for runs in _author_lines(sample, per_line):
            _runs(c, y, runs)
            y += 14
        y += 4
        if sample.style != "footnote":
            for marker, aff in sample.affiliations:
                runs = ([(marker, 6, True)] if marker else []) + [(aff, 9.5, False)]
                _runs(c, y, runs)
                y += 12
            for email in sample.emails:
                _text(c, W / 2, y, email, 9, centre=True)
                y += 12
    y += 18
    if sample.layout == "one":
        if sample.style != "noheading":
            _text(c, W / 2, y, "Abstract", 12, bold=True, centre=True)
            y += 18
        y = _paragraph(c, 110, y, W - 220, sample.abstract)
        y += 16
        _text(c, 72, y, "1 Introduction", 12, bold=True)
        _paragraph(c, 72, y + 18, W - 144, sample.intro * 2)
    else:
        col = (W - 72 * 2 - 20) / 2
        heading = "Abstract" if sample.style != "footnote" else ""
        ya = y
        if heading:
            _text(c, 72 + col / 2, ya, heading, 11, bold=True, centre=True)
            ya += 16
        if sample.style == "footnote":
            ya = _paragraph(c, 72, ya, col, "Abstract\u2014" + sample.abstract, 9)
        else:
            ya = _paragraph(c, 72, ya, col, sample.abstract, 9.5)
        ya += 14
        _text(c, 72, ya, "1. Introduction", 11, bold=True)
        _paragraph(c, 72, ya + 16, col, sample.intro, 10)
        _paragraph(c, 72 + col + 20, y, col, sample.intro * 3, 10)
        if sample.style == "footnote":
            fy = H - 110
            for line in simpleSplit(sample.affiliations[0][1], "Times-Roman", 8, col):
                _text(c, 72, fy, line, 8)
                fy += 9.5
    c.showPage()
    _text(c, 72, 80, "2 Related Work", 12, bold=True)
    _paragraph(c, 72, 100, W - 144, sample.intro * 3)
    c.showPage()
    c.save()


def write_pdfs(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for sample in SAMPLES:
        path = folder / sample.file
        write_pdf(sample, path)
        paths.append(path)
    return paths


def readings() -> dict[str, dict]:
    """Each sample's header as a capable model reads it: the text this script printed on page 1."""
    return {s.title: {"title": s.title, "authors": [name.split(",")[0] for name, _marker in s.authors], "institutions": s.institutions}
            for s in SAMPLES}


def record_cassette(folder: Path, cassette: Path) -> int:
    """Record the samples' cassette against the stand-in server loaded with the written briefs."""
    import tempfile

    from support.standin import StandIn

    from pipeline.cli import main as cli_main

    replies = {s.title: s.brief for s in SAMPLES}
    with StandIn(replies=replies, readings=readings()) as server, tempfile.TemporaryDirectory() as out:
        return cli_main(["record", str(folder), "--cassette", str(cassette), "-o", out,
                         "--base-url", server.base_url, "--api-key", "sample-recording-key"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pdfs-only", type=Path, help="write the PDFs into this folder and stop")
    args = parser.parse_args(argv)
    if args.pdfs_only:
        write_pdfs(args.pdfs_only)
        return 0
    write_pdfs(ROOT / "inputs")
    return record_cassette(ROOT / "inputs", CASSETTE)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
