"""The brief contract as code: shape, length, the institution and title it names, grounded numbers."""

from __future__ import annotations

import re

from .institutions import fold
from .models import CheckResult, Paper

SHAPE = re.compile(r"^(?P<org>.+?)发布了(?P<title>.+?)论文，使用(?P<method>.+)，解决了(?P<problem>.+)，达成了(?P<effect>.+)。$", re.S)
MIN_CHARS, MAX_CHARS = 40, 600
PLACEHOLDERS = ("研究团队", "研究人员", "作者团队", "该团队", "某机构", "未知机构", "研究者", "相关机构", "团队")
_NUMBER = re.compile(r"(?<![A-Za-z])\d+(?:[.,]\d+)*")


def check(text: str, paper: Paper) -> list[CheckResult]:
    """Every check's verdict; a brief is publishable only when all are ok."""
    text = text.strip()
    match = SHAPE.match(text)
    results = [
        CheckResult(name="shape", ok=bool(match),
                    detail="" if match else "不符合“<机构>发布了<标题>论文，使用…，解决了…，达成了…。”的格式"),
        _one_sentence(text),
        _length(text),
    ]
    if match:
        results.append(_institution(match.group("org"), paper))
        results.append(_title(match.group("title"), paper))
    results.append(_numbers(text, paper))
    return results


def failures(results: list[CheckResult]) -> list[CheckResult]:
    return [r for r in results if not r.ok]


def _one_sentence(text: str) -> CheckResult:
    body = text[:-1] if text.endswith("。") else text
    extra = [mark for mark in "。！？\n" if mark in body]
    return CheckResult(name="one_sentence", ok=not extra and text.endswith("。"),
                       detail="" if not extra and text.endswith("。") else "应为以句号结尾的单独一句话")


def _length(text: str) -> CheckResult:
    ok = MIN_CHARS <= len(text) <= MAX_CHARS
    return CheckResult(name="length", ok=ok, detail="" if ok else f"长度 {len(text)} 字，应在 {MIN_CHARS}–{MAX_CHARS} 之间")


def _institution(org: str, paper: Paper) -> CheckResult:
    """Opens with the paper's institution: a placeholder is refused when the PDF names one."""
    org = org.strip()
    if not paper.institutions:
        return CheckResult(name="institution", ok=bool(org), detail="" if org else "缺少机构")
    if not org or any(org == p or org.endswith(p) and len(org) <= len(p) + 2 for p in PLACEHOLDERS):
        return CheckResult(name="institution", ok=False,
                           detail=f"机构写成了泛称“{org}”，论文署名机构为：{'; '.join(paper.institutions)}")
    # every name written in Latin letters is one the paper prints; a Chinese rendering cannot be checked
    known = [fold(name) for name in paper.institutions]
    page = fold(paper.header_text)
    names = re.split(r"\s*(?:[,;&、，与和及]|\band\b)\s*", org)
    latin = [n for n in names if re.search(r"[A-Za-z]{3}", n) and not re.search(r"[\u4e00-\u9fff]", n)]
    unknown = [n for n in latin if not any(k and (k in fold(n) or fold(n) in k) for k in known) and fold(n) not in page]
    if unknown:
            return CheckResult(name="institution", ok=False,
                               detail=f"机构“{'、'.join(unknown)}”不在论文署名机构中：{'; '.join(paper.institutions)}")
    return CheckResult(name="institution", ok=True)


def _title(named: str, paper: Paper) -> CheckResult:
    """Names the paper by its full title or by the short name before the colon."""
    named_key = fold(named.strip("《》“”\"' "))
    full = fold(paper.title)
    short = fold(re.split(r"[:：]", paper.title, maxsplit=1)[0]) if re.search(r"[:：]", paper.title) else ""
    ok = bool(named_key) and (named_key == full or (short and short in named_key) or (full and full in named_key))
    return CheckResult(name="title", ok=ok, detail="" if ok else f"标题应为“{paper.title}”或其冒号前的简称")


def _numbers(text: str, paper: Paper) -> CheckResult:
    """Every number in the brief occurs in the paper's own text (no invented figures)."""
    source = " ".join([paper.title, paper.abstract, paper.body_excerpt])
    source_numbers = {n.replace(",", "") for n in _NUMBER.findall(source)}
    missing = [n for n in _NUMBER.findall(text) if n.replace(",", "") not in source_numbers]
    ok = not missing
    return CheckResult(name="numbers", ok=ok, detail="" if ok else f"数字 {', '.join(sorted(set(missing)))} 未出现在论文中")
