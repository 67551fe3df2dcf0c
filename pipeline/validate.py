"""The brief contract as code: shape, length, the institution and title it names, grounded numbers."""

from __future__ import annotations

import re

from . import institutions as inst
from . import registry
from .models import CheckResult, Paper
from .text import for_matching, valid_unicode

SHAPE = re.compile(r"^(?P<org>.*?)发布了(?P<title>.+?)论文，使用(?P<method>.+)，解决了(?P<problem>.+)，达成了(?P<effect>.+)。$", re.S)
MIN_CHARS, MAX_CHARS = 40, 600
PLACEHOLDERS = ("研究团队", "研究人员", "作者团队", "该团队", "某机构", "未知机构", "研究者", "相关机构", "团队")


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
    # a detail quotes the paper's names: valid Unicode, since it goes into the repair request
    return [r if r.detail.isascii() else r.model_copy(update={"detail": valid_unicode(r.detail)}) for r in results]


def failed_checks(results: list[CheckResult]) -> list[CheckResult]:
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
    """Opens with the paper's own institutions, in any of their usual forms.

    Each name in the brief must be one of the paper's institutions as printed, its acronym or
    spelt-out form, or its common Chinese name; a Latin name printed on page 1 that reads as an
    organisation passes too (the rules may have missed it). An author's name, another paper's
    institution, or a Chinese name the registry or the table gives to another organisation fails.
    Only a Chinese name both lack passes, marked unverified.
    """
    org = org.strip().strip("*").strip()
    if not paper.institutions:  # an anonymous paper (nobody named) may be briefed without an institution
        ok = bool(org) or not paper.authors
        return CheckResult(name="institution", ok=ok, detail="" if ok else "缺少机构")
    listed = "；".join(paper.institutions)
    if not org or any(org == p or org.endswith(p) and len(org) <= len(p) + 2 for p in PLACEHOLDERS):
        return CheckResult(name="institution", ok=False,
                           detail=f"机构写成了泛称“{org}”，请改用论文署名机构：{listed}")
    wrong, unverified = [], []
    for name in split_names(org, paper):
        verdict = _judge_name(name, paper)
        if verdict == _UNVERIFIED:
            unverified.append(name)
        elif verdict:
            wrong.append(verdict)
    if wrong:
        return CheckResult(name="institution", ok=False, detail=f"{'；'.join(wrong)}。请只写论文署名机构：{listed}")
    return CheckResult(name="institution", ok=True,
                       detail=f"未能核实的中文机构名：{'、'.join(unverified)}" if unverified else "")


_UNVERIFIED = "unverified"
_HEAD = re.compile(r"\b(Universit\w*|Institut\w*|College|Academy|Lab|Labs|Laborator\w+|Inc\.?|Corp\w*|Ltd\.?|"
                   r"Company|Group|Research|Cent(?:er|re)|School|Hospital|Foundation|Polytechnic|AI)\b|"
                   r"^[A-Z][A-Za-z]*[A-Z][A-Za-z()&-]*$|[\u4e00-\u9fff]")
_CONJUNCTIONS = re.compile(r"\s*(?:[、;；&]|以及|与|和|及)\s*")
_LATIN_JOINS = re.compile(r"(\s*,\s*|\s+and\s+)")


def split_names(org: str, paper: Paper) -> list[str]:
    """The organisations a brief names, never cut inside a name: the paper's own names and the
    table's Chinese names are kept whole, and a Latin piece with no organisation word
    ('Technology', 'Berkeley') stays joined to the piece before it."""
    protected = sorted({*paper.institutions, *inst.chinese_names(), *_registry_labels(paper)}, key=len, reverse=True)
    masked, kept = org, []
    for name in protected:
        at = masked.lower().find(name.lower()) if name else -1
        if at >= 0:
            kept.append(masked[at:at + len(name)])
            masked = f"{masked[:at]}\x00{len(kept) - 1}\x01{masked[at + len(name):]}"
    names: list[str] = []
    for piece in _CONJUNCTIONS.split(masked):
        parts: list[str] = []
        pieces = _LATIN_JOINS.split(piece)
        for joint, part in zip([""] + pieces[1::2], pieces[::2], strict=False):
            if parts and not _HEAD.search(part) and "\x00" not in part:
                parts[-1] += joint + part  # 'Science and Technology', 'California, Berkeley': one name
            else:
                parts.append(part)
        names.extend(parts)
    unmask = lambda text: re.sub(r"\x00(\d+)\x01", lambda m: kept[int(m.group(1))], text)  # noqa: E731
    return [unmask(n).strip(" ，,") for n in names if unmask(n).strip(" ，,")]


def _judge_name(name: str, paper: Paper) -> str:
    """'' when the name is one of the paper's institutions, _UNVERIFIED, or why it is not."""
    name = for_matching(name)  # '𝑈𝐶𝐿', 'ＵＣＬ': compatibility forms compare as their plain letters
    key = inst.fold(name)
    if any(key == inst.fold(a) for a in paper.authors):
        return f"“{name}”是作者姓名，不是机构"
    forms = _paper_forms(paper)
    if key in forms["folded"] or name in forms["acronyms"]:
        return ""
    row = inst.known(name)
    if re.search(r"[\u4e00-\u9fff]", name):
        if any(len(f) >= 2 and (key in f or f in key) for f in forms["chinese"]):
            return ""
        other = registry.by_chinese(name)
        if other:
            return f"“{name}”是{other[0].name}，不是本文机构"
        if row is not None:
            return f"“{name}”是{row.name}，不是本文机构"
        return _UNVERIFIED
    page_tokens = _page_tokens(paper)
    if _ACRONYM.match(name):  # acronyms match as whole tokens: 'UCL' is not 'UCLA'
        return "" if name in page_tokens else f"缩写“{name}”不是本文机构"
    if _initials(name) in forms["acronyms"] or _initials(name) in page_tokens:
        return ""  # spelt out: 'Shanghai Innovation Institute' for a page printing 'SII'
    if _within(name, paper.institutions) or (row is not None and inst.fold(row.name) in forms["folded"]):
        return ""
    if any(registry.same_organisation(name, own, _context(paper)) for own in paper.institutions):
        return ""  # an acronym or alias the registry gives to one of the paper's institutions
    if key in inst.fold(paper.header_text) and (row is not None or inst.looks_like_affiliation(name)):
        return ""  # printed on page 1 though the rules did not list it
    return f"“{name}”（{row.name}）不是本文机构" if row is not None else f"“{name}”不在论文署名机构中"


_ACRONYM = re.compile(r"^[A-Z][A-Za-z&]*[A-Z][A-Za-z&()-]*$")
_GENERIC = {"university", "institute", "college", "academy", "lab", "labs", "laboratory", "research", "school",
            "center", "centre", "inc", "the", "of", "and", "for", "group", "company", "ai"}


def _paper_forms(paper: Paper) -> dict[str, set[str]]:
    """Every folded form, short form and Chinese name of the paper's institutions."""
    folded, acronyms, chinese = set(), set(), set()
    for name in map(for_matching, paper.institutions):
        folded.add(inst.fold(name))
        bracket = re.search(r"\(([^()]+)\)\s*$", name)
        if bracket:
            acronyms.add(bracket.group(1))
            folded.add(inst.fold(name[: bracket.start()]))
        if len(_initials(name)) >= 3:
            acronyms.add(_initials(name))
        if _ACRONYM.match(name):
            acronyms.add(name)
        if re.search(r"[\u4e00-\u9fff]", name):
            chinese.add(inst.fold(name))
        row = inst.known(name) or (inst.known(bracket.group(1)) if bracket else None)
        if row is not None:
            folded.update(inst.fold(n) for n in row.names)
            acronyms.update(n for n in row.short if _ACRONYM.match(n))
            chinese.update(inst.fold(c) for c in row.chinese)
    chinese.update(inst.fold(label) for label in _registry_labels(paper))
    return {"folded": folded, "acronyms": acronyms, "chinese": chinese}


def _context(paper: Paper) -> registry.Context:
    return registry.Context(paper.header_text)


def _registry_labels(paper: Paper) -> list[str]:
    """The registry's Chinese labels of the paper's institutions (and of the university a listed
    unit belongs to), each named as printed or narrowed by page 1."""
    context = _context(paper)
    labels = []
    for name in paper.institutions:
        bracket = re.fullmatch(r"\s*(.+?)\s*\(([^()]+)\)\s*", name)
        for form in [name, *(bracket.groups() if bracket else ())]:
            org = registry.identify(form, context)
            if org is not None:
                labels += [label for label in (org.zh, getattr(registry.parent(org), "zh", "")) if label]
                break
    return labels


def _initials(name: str) -> str:
    return "".join(w[0] for w in re.findall(r"\b[A-Z][\w'-]*", name))


def _page_tokens(paper: Paper) -> set[str]:
    return set(re.findall(r"[A-Za-z][A-Za-z&()-]*", for_matching(paper.header_text)))


def _within(name: str, institutions: list[str]) -> bool:
    """'Tsinghua' for 'Tsinghua University': every word of the name is in one institution, and
    one of them is not a generic word."""
    words = set(re.findall(r"\w+", for_matching(name).casefold()))
    if not words - _GENERIC:
        return False
    return any(words <= set(re.findall(r"\w+", for_matching(other).casefold())) for other in institutions)


def _title(named: str, paper: Paper) -> CheckResult:
    """Names the paper by its full title, or by the short name before a colon, comma or dash."""
    named_key = inst.fold(named.strip("《》“”\"'*「」 "))
    full = inst.fold(paper.title)
    head = re.split(r"[:：,，]|\s[-–—]\s|—", paper.title, maxsplit=1)
    short = inst.fold(head[0]) if len(head) > 1 else ""
    ok = bool(named_key) and (named_key == full or (short and short in named_key) or (full and full in named_key))
    hint = f"或简称“{head[0].strip()}”" if short else ""
    return CheckResult(name="title", ok=ok, detail="" if ok else f"论文标题应写“{paper.title}”{hint}")


_NUMBER = re.compile(r"(?<![A-Za-z\d.])\d{1,3}(?:,\d{3})+(?:\.\d+)?|(?<![A-Za-z\d.])\d+(?:\.\d+)?")


def _values(text: str) -> list[tuple[str, float]]:
    """Each number as written and its value: '73.0%' and '73%' are both 73, '1,000' is 1000."""
    return [(m.group(0), float(m.group(0).replace(",", ""))) for m in _NUMBER.finditer(text)]


def _numbers(text: str, paper: Paper) -> CheckResult:
    """Every number in the brief has its value in the paper's own text (no invented figures);
    '3.1 倍', '3.1 times' and '3.1x' are the same number."""
    source = " ".join([paper.title, paper.abstract, paper.body_excerpt, paper.header_text])
    known = {round(value, 6) for _, value in _values(source)}
    missing = [written for written, value in _values(text) if round(value, 6) not in known]
    ok = not missing
    return CheckResult(name="numbers", ok=ok,
                       detail="" if ok else f"数字 {', '.join(dict.fromkeys(missing))} 未出现在论文中，请删去或改用论文原文中的数字")
