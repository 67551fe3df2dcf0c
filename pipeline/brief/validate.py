"""The brief contract as code: shape, length, the institution and title it names, grounded numbers."""

from __future__ import annotations

import re

from ..extract.text import for_matching, valid_unicode
from ..models import CheckResult, Paper
from ..names import institutions as inst
from ..names import registry
from ..names.vocabulary import Pattern, either, word_set
from ..rules import in_force
from .grounding import Page

SHAPE = re.compile(r"^(?P<org>.*?)发布了(?P<title>.+?)论文，使用(?P<method>.+)，解决了(?P<problem>.+)，达成了(?P<effect>.+)。$", re.S)
# the subjects a paper with no institution may take when its byline prints no team or company either
GENERIC_SUBJECT = "研究团队"


# each check's short name as a Chinese reader of the report sees it
CHECK_LABELS = {"answer": "答案格式", "shape": "句式", "one_sentence": "一句话", "length": "长度", "institution": "机构", "title": "标题",
                "content": "内容", "numbers": "数字"}


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
        results.append(_content(match, paper))
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
    least, most = in_force().brief_min_chars, in_force().brief_max_chars
    ok = least <= len(text) <= most
    return CheckResult(name="length", ok=ok, detail="" if ok else f"长度 {len(text)} 字，应在 {least}–{most} 之间")


def _institution(org: str, paper: Paper) -> CheckResult:
    """Opens with the paper's own institutions, in any of their usual forms.

    Each name in the brief must be one of the paper's institutions as printed, its acronym or
    spelt-out form, or its common Chinese name; a Latin name printed on page 1 that reads as an
    organisation passes too (the rules may have missed it). An author's name, another paper's
    institution, or a Chinese name the registry or the table gives to another organisation fails.
    Only a Chinese name both lack passes, marked unverified.
    """
    org = org.strip().strip("*").strip()
    if not paper.institutions:
        return _subject_without_institution(org, paper)
    listed = "；".join(paper.institutions)
    if not org:
        return CheckResult(name="institution", ok=False, detail=f"缺少发布机构（主语为空），请写论文署名机构：{listed}")
    if any(org == p or org.endswith(p) and len(org) <= len(p) + 2 for p in word_set("placeholder_subjects")):
        return CheckResult(name="institution", ok=False,
                           detail=f"机构写成了泛称“{org}”，请改用论文署名机构：{listed}")
    if re.search(r"\S[ \t]{2,}\S", org):  # two cells of a header line run together with their gap
        return CheckResult(name="institution", ok=False,
                           detail=f"主语抄入了首页并排的几栏（“{org[:60]}”），请只写机构名：{listed}")
    if _BYLINE_SENTENCE.search(org):
        return CheckResult(name="institution", ok=False,
                           detail=f"主语抄入了首页的句子或项目符号（“{org[:60]}”），请只写机构名：{listed}")
    if _with_markers(org, paper):
        return CheckResult(name="institution", ok=False,
                           detail=f"机构名连同首页的上标标记写在了一起，请去掉标记并用顿号分开：{listed}")
    wrong = [verdict for verdict in (_judge_name(name, paper) for name in split_names(org, paper)) if verdict]
    if wrong:
        return CheckResult(name="institution", ok=False, detail=f"{'；'.join(wrong)}。请只写论文署名机构：{listed}")
    return CheckResult(name="institution", ok=True)


_MARKS = "*†‡§¶∗⋄"
# a footnote's sentence copied as the subject: '• X. Zhang is with <University>', 'The authors are with …'
_BYLINE_SENTENCE = re.compile(r"\b(?:is|are)(?:\s+(?:also|now))?\s+with\b|^\s*[•▪◦‣]|\bauthors?\b", re.I)


def _with_markers(org: str, paper: Paper) -> bool:
    """'1 University of X2 Company Y3': the paper's names copied with the markers that tie them to
    authors (a small model copying the affiliation line by position), which 主要机构 never shows."""
    rest = org
    for name in sorted(paper.institutions, key=len, reverse=True):
        rest = re.sub(re.escape(name), "\x00", rest, flags=re.I)
    between = rest.replace("\x00", " ")
    return "\x00" in rest and bool(re.search(rf"[\d{_MARKS}]", between)) and not re.sub(rf"[\d\s,;、{_MARKS}]", "", between)


def _subject_without_institution(org: str, paper: Paper) -> CheckResult:
    """A paper with no institution (a team's byline, an anonymous paper) is published by the team
    or company its byline prints, else by the generic subject; never by nobody, by 作者, by a
    department or by an organisation page 1 does not print."""
    teams = byline_teams(paper)
    usual = f"首页署名的团队或公司（{'、'.join(teams)}）" if teams else f"“{GENERIC_SUBJECT}”"
    instead = f"论文首页未列出机构，主语请写{usual}"
    if not org:
        return CheckResult(name="institution", ok=False, detail=f"缺少主语。{instead}")
    if org in word_set("generic_subjects"):
        return CheckResult(name="institution", ok=True)
    why = _not_a_byline(org, paper)
    return CheckResult(name="institution", ok=not why, detail=f"{why}。{instead}" if why else "")


def _not_a_byline(org: str, paper: Paper) -> str:
    """'' when the subject is a team or an organisation page 1 prints as an affiliation, else why not."""
    if org in word_set("placeholder_subjects") or org in ("作者", "作者们", "本文作者", "论文作者") or inst.is_placeholder(org):
        return f"“{org}”不是署名团队或机构"
    if any(inst.fold(org) == inst.fold(a) for a in paper.authors) and not _TEAM.search(org):  # 'Kimi Team' signs as the author
        return f"“{org}”是作者姓名，不是机构"
    if inst.is_unit_or_generic(org):
        return f"“{org}”只是院系或部门，不是机构"
    if not Page(paper.header_text).affiliations.prints(org):
        return f"“{org}”不是论文首页署名的团队或机构"
    if not (_TEAM.search(org) or inst.reads_as_organisation(org) and (inst.looks_like_affiliation(org) or inst.companies_in(org)
                                                                    or inst.known(org) is not None or registry.knows(org))):
        return f"“{org}”不是署名团队或机构"
    return ""


_TEAM = re.compile(r"\b(?:Team|Group|Lab|Labs)$|团队$")


def byline_teams(paper: Paper) -> list[str]:
    """The teams and companies page 1 signs with ('Kimi Team', '<Brand>'), for the repair request."""
    text = inst.affiliation_text(paper.header_text)
    teams = re.findall(r"\b(?:[A-Z][\w.-]*[ \t]+){1,3}Team\b", text) + inst.companies_in(text)
    return list(dict.fromkeys(t.strip() for t in teams))[:3]
_HEAD = Pattern(lambda: rf"\b({either('subject_head_words')})\b|^[A-Z][A-Za-z]*[A-Z][A-Za-z()&-]*$|[\u4e00-\u9fff]")
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
    """'' when the name is one of the paper's institutions in a usual form, else why it is not."""
    name = for_matching(name)  # '𝑈𝐶𝐿', 'ＵＣＬ': compatibility forms compare as their plain letters
    key = inst.fold(name)
    if any(key == inst.fold(a) for a in paper.authors):
        return f"“{name}”是作者姓名，不是机构"
    if inst.is_placeholder(name):
        return f"“{name}”是占位文字，不是机构"
    if Page(paper.header_text).names_two(name):
        return f"“{name}”把两个机构写成了一个名称"
    if inst.is_unit_or_generic(name) and key not in {inst.fold(i) for i in paper.institutions}:
        return f"“{name}”是院系或部门，不是机构"
    if any(_one_of_theirs(form, paper) for form in [name, *inst.usual_forms(name)]):
        return ""
    row = inst.known(name)
    if re.search(r"[\u4e00-\u9fff]", name):
        other = registry.by_chinese(name)
        if other:
            return f"“{name}”是{other[0].name}，不是本文机构"
        if row is not None:
            return f"“{name}”是{row.name}，不是本文机构"
        return f"中文机构名“{name}”无法核实为本文机构，请照论文首页的写法写出机构名"
    if _ACRONYM.match(name):
        return f"缩写“{name}”不是本文机构"
    return f"“{name}”（{row.name}）不是本文机构" if row is not None else f"“{name}”不在论文署名机构中"


def _one_of_theirs(name: str, paper: Paper) -> bool:
    """Whether this form names one of the paper's institutions: as listed, its acronym or
    spelt-out form, its table or registry forms (Chinese included), or an organisation page 1
    prints as an affiliation though the readings did not list it."""
    key = inst.fold(name)
    forms = _paper_forms(paper)
    if key in forms["folded"] or name in forms["acronyms"]:
        return True
    row = inst.known(name)
    if re.search(r"[\u4e00-\u9fff]", name):
        return any(len(f) >= 2 and (key in f or f in key) for f in forms["chinese"])
    page_tokens = _page_tokens(paper)
    if _ACRONYM.match(name):  # acronyms match as whole tokens: 'UCL' is not 'UCLA'
        return name in page_tokens
    if _initials(name) in forms["acronyms"] or _initials(name) in page_tokens:
        return True  # spelt out: 'Shanghai Innovation Institute' for a page printing 'SII'
    if _within(name, paper.institutions) or (row is not None and inst.fold(row.name) in forms["folded"]):
        return True
    if any(registry.same_organisation(name, own, _context(paper)) for own in paper.institutions):
        return True  # an acronym or alias the registry gives to one of the paper's institutions
    return key in inst.fold(inst.affiliation_text(paper.header_text)) and (row is not None or inst.looks_like_affiliation(name))


_ACRONYM = re.compile(r"^[A-Z][A-Za-z&]*[A-Z][A-Za-z&()-]*$")


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
        for company in filter(None, map(inst.known, inst.companies_in(name))):
            chinese.update(inst.fold(c) for c in company.chinese)  # '<Brand> Seed <Team>': the brand's Chinese names too
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
    return set(re.findall(r"[A-Za-z][A-Za-z&()-]*", for_matching(inst.affiliation_text(paper.header_text))))


def _within(name: str, institutions: list[str]) -> bool:
    """'Tsinghua' for 'Tsinghua University': every word of the name is in one institution, and
    one of them is not a generic word."""
    words = set(re.findall(r"\w+", for_matching(name).casefold()))
    if not words - word_set("generic_name_words"):
        return False
    return any(words <= set(re.findall(r"\w+", for_matching(other).casefold())) for other in institutions)


_GENERIC_TITLES = re.compile(r"^(?:相关|该|本|这篇|此|一篇|新|最新)?(?:研究|论文|文章|工作)?$")
_METHOD_NAME = re.compile(r"^(?=[A-Za-z0-9-]*(?:[A-Z][A-Za-z0-9-]*[A-Z]|\d))[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*$")
_TITLE_HEAD = re.compile(r"[:：,，]|\s[-–—]\s|—")


def _title(named: str, paper: Paper) -> CheckResult:
    """Names the paper honestly: its title as printed, the part before the colon, a leading
    phrase of three words or more, any of these with the acronym in brackets, or the method name
    or acronym the paper prints in its title or abstract ('MemMamba', 'PSP-Seg')."""
    named = named.strip("《》“”\"'*「」 ")
    ok = bool(named) and not _GENERIC_TITLES.match(named) and _title_form(named, paper)
    head = _TITLE_HEAD.split(paper.title, maxsplit=1)
    hint = f"或简称“{head[0].strip()}”" if len(head) > 1 else ""
    why = "论文标题请照首页原文（不要翻译）写" if re.search(r"[\u4e00-\u9fff]", named) and not re.search(
        r"[\u4e00-\u9fff]", paper.title) else "论文标题应写"
    return CheckResult(name="title", ok=ok, detail="" if ok else f"{why}“{paper.title}”{hint}")


def _title_form(named: str, paper: Paper) -> bool:
    if _bare_title_form(named, paper):
        return True
    bracket = re.fullmatch(r"(.+?)\s*[(（]([^()（）]+)[)）]", named)
    if bracket:  # 'Delta Velocity Rectified Flow (DVRF)', 'DVRF (Delta Velocity Rectified Flow)'
        outer, inner = bracket.groups()
        return (_bare_title_form(outer, paper) and (_bare_title_form(inner, paper) or _abbreviates(inner, outer))
                or _bare_title_form(inner, paper) and _abbreviates(outer, inner))
    return _bare_title_form(named, paper)


def _bare_title_form(named: str, paper: Paper) -> bool:
    key, full = inst.fold(named), inst.fold(paper.title)
    if not key or not full:
        return False
    head = _TITLE_HEAD.split(paper.title, maxsplit=1)
    short = inst.fold(head[0]) if len(head) > 1 else ""
    if key == full or full in key or (short and short in key):
        return True
    if len(named.split()) >= in_force().leading_phrase_words and full.startswith(key):
        return True  # a leading phrase, whole words only
    return bool(_METHOD_NAME.match(named)) and (_printed_as_word(named, paper.title) or _own_method(named, paper.abstract))


def _printed_as_word(name: str, text: str) -> bool:
    return bool(re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text))


_OWN_BEFORE = re.compile(r"\b(?:we|our|this (?:paper|work|report))\b[^.;]{0,60}$|\($", re.I)
_OWN_AFTER = re.compile(r"^\s*(?:\(|\)|,\s*(?:a|an|the|which)\b|:)", re.I)


def _own_method(name: str, abstract: str) -> bool:
    """A name the abstract gives its own method: named more than once, or introduced as ours
    ('We present X', 'Our X module', 'X, a …', 'Full Name (X)'); not a name mentioned in passing
    (another paper's, or one a hostile abstract plants)."""
    hits = list(re.finditer(rf"(?<![\w-]){re.escape(name)}(?![\w-])", abstract))
    return len(hits) >= 2 or any(_OWN_BEFORE.search(abstract[:m.start()]) or _OWN_AFTER.match(abstract[m.end():]) for m in hits)


def _abbreviates(acronym: str, name: str) -> bool:
    """'DVRF' for 'Delta Velocity Rectified Flow': the acronym's capitals are, in order, among the
    name's word initials and inner capitals."""
    letters = [c for c in acronym if c.isupper()]
    marks = iter(c for word in re.findall(r"[A-Za-z][\w'-]*", name) for c in word[0].upper() + "".join(filter(str.isupper, word[1:])))
    return len(letters) >= 2 and all(c in marks for c in letters)  # 'in' on an iterator consumes it: a subsequence test


_URL_OR_MAIL = re.compile(r"(?:https?|ftp)://|www\.|\b[\w.+-]+@[\w-]+\.[\w.]+|\b[\w-]+\.(?:com|org|net|io|ai|cn|edu|sh|exe|zip)\b", re.I)
_MARKUP = re.compile(r"<[A-Za-z/!][^>]*>|\*\*|__|`|\[[^\]]*\]\([^)]*\)|^\s*#|&[a-z]+;|\{\{|\}\}", re.M)
_INSTRUCTION = re.compile(
    r"(?<![申邀])请(?!求)|务必|点击|扫码|以管理员身份|(?:下载|安装|运行|执行|打开|访问)(?:并|后|该|此|以下)?\S{0,8}?(?:脚本|命令|程序|安装包|链接|网址|网站|文件)|"
    r"忽略(?:之前|以上|上述|前面)|\b(?:ignore (?:all |the )?(?:previous|above)|click|download|install|visit|run the)\b", re.I)


def _content(match: re.Match, paper: Paper) -> CheckResult:
    """The method, problem and effect describe the paper: no link, e-mail address, markup or
    instruction to the reader ('请从http://…下载并以管理员身份运行install脚本')."""
    found = []
    for part in ("method", "problem", "effect"):
        text = match.group(part)
        for kind, pattern in (("网址或邮箱", _URL_OR_MAIL), ("标记", _MARKUP), ("对读者的指令", _INSTRUCTION)):
            hit = pattern.search(text)
            if hit:
                found.append(f"“{hit.group(0)[:40]}”（{kind}）")
    ok = not found
    return CheckResult(name="content", ok=ok, detail="" if ok else
                       f"方法、问题、效果只应描述论文本身，不得包含{'、'.join(dict.fromkeys(found))}；请删去")


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
