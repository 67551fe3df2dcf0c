"""One affiliation entry cleaned and cut into parts: markers, e-mails and abbreviations gone,
organisations printed together split apart, a university system joined to its campus; and the
header's lines that name organisations only in passing left out."""

from __future__ import annotations

import re

from . import registry
from .folding import ABBREVIATIONS
from .vocabulary import (
    ACADEMY,
    ACRONYM,
    CAMPUS,
    INSTITUTE_OF,
    NAMED_INSTITUTE,
    STRONG,
    SYMBOL_MARKS,
    SYSTEMS,
    TOP,
    TOP_WORDS,
    WEAK,
    companies_in,
    countries,
    is_unit,
)

_STAR_IN_NAME = re.compile(r"(?<=[A-Z])\*(?=[A-Z]{2})")  # 'A*STAR': a star between capitals is a letter of the name


_SYMBOL_MARKER = re.compile(rf",\s*[{SYMBOL_MARKS}]+\s*(?=[A-Z\u4e00-\u9fff])")


_NUMBERED_AFTER_SEMICOLON = re.compile(r"\s*[;；]\s*(?=[\d０-９]{1,2}\s*[.．、]\s*[\u4e00-\u9fffA-Z])")


_NOW_AT = re.compile(r"^\W*(?:current|present|permanent)\s+(?:affiliation|address)s?\s*[:：]\s*|^\W*now\s+at\s*[:：]?\s*", re.I)


def split_joined(entry: str) -> list[str]:
    """'<Town> Lab/<Town> University', 'X University and the Y Institute': two organisations
    printed as one entry."""
    numbered = _NUMBERED_AFTER_SEMICOLON.split(re.sub(r"^\s*[（(](.*)[）)]\s*$", r"\1", entry))
    if len(numbered) > 1:  # '（1．<学院>，<城市> <邮编>；2．<大学>…）': a Chinese journal's entries in one bracket
        return [q for p in numbered for q in split_joined(re.sub(r"^\s*[\d０-９]{1,2}\s*[.．、]\s*", "", p))]
    marked = [p for p in _SYMBOL_MARKER.split(entry) if p.strip()]
    if len(marked) > 1:  # '<A>, ^<B>, △<C>': each after its own symbol, as '†<A>, ♠<B>' would be
        return [q for p in marked for q in split_joined(p)]
    after_country = _after_country(entry)
    if after_country:
        return [after_country[0], *split_joined(after_country[1])]
    pair = re.fullmatch(r"(\S+)\s+&\s+(\S+)", entry.strip())
    if pair and any(ACRONYM.match(p) for p in pair.groups()):
        return list(pair.groups())  # '<ABCD> & <UName>': two organisations, each by its short name
    slash = re.split(r"\s*/\s*(?=[A-Z])", entry.strip(), maxsplit=1)
    if len(slash) == 2 and TOP.search(slash[1]) and re.fullmatch(r"[A-Z][\w-]+(?: [A-Z][\w-]+)?", slash[0]) \
            and slash[0].lower() not in countries():
        return [slash[0], *split_joined(slash[1])]  # '<Name>/ Université de <Town>': an institute and its university
    for joint in (r"\s*/\s*(?=[A-Z\u4e00-\u9fff])", r"\s+and the\s+(?=[A-Z])"):
        pieces = re.split(joint, entry, maxsplit=1)
        if len(pieces) > 1 and all(STRONG.search(p) or WEAK.search(p) or NAMED_INSTITUTE.match(p.strip()) for p in pieces):
            return [q for p in pieces for q in split_joined(p)]
    pair = _two_organisations(entry)
    return [pair[0], *split_joined(pair[1])] if pair else [entry]


def _after_country(entry: str) -> tuple[str, str] | None:
    """'<Unit>, <University>, <Town>, China, <Unit>, <Hospital>, <Town>, China': entries run together
    when their markers were lost; the country ends one, and what follows names an organisation."""
    parts = entry.split(", ")
    for i, part in enumerate(parts[1:-1], start=1):
        rest = ", ".join(parts[i + 1:])
        if part.lower().strip(" .") in countries() and (STRONG.search(rest) or WEAK.search(rest) or TOP.search(rest)):
            return ", ".join(parts[:i + 1]), rest
        if _POSTCODE_END.search(part) and re.match(r"(?:and|&)\s+[A-Z]", rest) and len(parts) - i > 2:
            return ", ".join(parts[:i + 1]), re.sub(r"^(?:and|&)\s+", "", rest)  # '<Town>, CA 94143, and <Unit>, <Org>'
    return None


_POSTCODE_END = re.compile(r"\b(?:[A-Z]{2}\s+)?\d{5}(?:-\d{4})?\.?$")  # a US address's end: 'CA 94143'



_AND = re.compile(r"\s+(?:and|&)\s+(?=[A-Z])")


def _two_organisations(entry: str) -> tuple[str, str] | None:
    """'<Name> University and <Name> Tech': two organisations joined by 'and' when each part stands
    whole on its own (see `_stands_whole`). A name that is itself one organisation ('University of
    Science and Technology of <Country>') never splits, and neither does a line run together."""
    if registry.identify(entry.strip()) is not None:
        return None
    for match in _AND.finditer(entry):
        left, right = entry[:match.start()].strip(" ,"), entry[match.end():].strip(" ,")
        head = re.split(r"[,;]", right)[0].strip()  # the right part's own name, before its units or address
        if "," not in left and _stands_whole(left) and _stands_whole(head):
            return left, right
    return None


_HEAD_LAST = re.compile(r"\b(?:Universit(?:y|ät|é|à|at|ad|e)|Institute|Laborator(?:y|ies)|Lab|College|Academy|Inc\.?|Ltd\.?|"
                        r"Corporation|Company|Group|Hospital|Cent(?:er|re)|Tech|Research|AI|Institute of Technology)$")
_UNIVERSITY_OF = re.compile(r"^(?:The\s+)?(?:Universit\w+|Institut\w*)\s+(?:of|de|di|for|für|del|des)\s+[A-Z]\w+(?:\s+[A-Z]\w+)?$")


def _stands_whole(name: str) -> bool:
    """A whole organisation's name: the registry knows it, or it ends in its organisation word
    ('<Name> University', '<Name> Research') or is 'University of <Town>' (not 'University of
    <Subject> and ...', whose name goes on after the 'and'), and it is no unit. A campus or short
    form in brackets after it ('… Technology (GZ)') leaves it whole."""
    name = re.sub(r"\s*\([^()]{1,12}\)$", "", name.strip()) or name
    if is_unit(name) or _OPEN_END.search(name):
        return False
    if NAMED_INSTITUTE.match(name):
        return registry.knows(name)  # a research institute by its short name ('CNRS')
    return registry.identify(name) is not None or bool(_HEAD_LAST.search(name) and STRONG.search(name)
                                                       or _UNIVERSITY_OF.match(name))


_OPEN_END = re.compile(r"\b(?:of|for|on|in|and|the|de|di|für)$", re.I)


def academy_institutes(parts: list[str]) -> list[str]:
    """'Institute of <Subject>, <Country> Academy of Sciences' is one organisation: an academy's
    institutes are what papers name, the academy alone is too coarse."""
    out: list[str] = []
    for part in parts:
        if out and ACADEMY.search(part) and INSTITUTE_OF.search(out[-1]) and not TOP_WORDS.search(part):  # not 中国科学院大学
            out[-1] = f"{out[-1]}, {part}"
        else:
            out.append(part)
    return out


def campuses(parts: list[str]) -> list[str]:
    """Join a university system to the campus named right after it (a university named after it
    is another: 'The Chinese University of Hong Kong, Fudan University')."""
    out: list[str] = []
    for part in parts:
        if out and SYSTEMS.match(out[-1]) and CAMPUS.match(part.strip()) and part.lower() not in countries() \
                and not TOP_WORDS.search(part) and not _campus_is_the_town(out[-1], part):
            out[-1] = f"{out[-1]}, {part}"
        else:
            out.append(part)
    return out


def _campus_is_the_town(system: str, campus: str) -> bool:
    """'University of Missouri, Columbia': the registry files the university under the name alone,
    so the part after it is its town ('University of California, Davis' is a campus of its own)."""
    org = registry.identify(system)
    return org is not None and org.name == system.strip() and getattr(registry.identify(f"{system}, {campus}"), "id", None) == org.id


# '<X>大学<Y>实验室' -> '<X>大学'; '<X>大学<Town>研究院<Y>实验室' -> '<X>大学<Town>研究院'; '<X>大学<Y>研究院' ->
# '<X>大学': a Chinese name run into its unit without a break is cut after its last organisation-level word
_CHINESE_UNIT_AFTER_ORGANISATION = re.compile(r"^([\u4e00-\u9fff]*(?:大学|研究院|研究所))[\u4e00-\u9fff]+?(?:实验室|学院|系|中心|研究室)$"
                                              r"|^([\u4e00-\u9fff]*大学)[\u4e00-\u9fff]+?(?:研究院|研究所)$")


# a Chinese school or department named by its subject ('信息与控制工程学院'), which belongs to the college or university beside it
_SUBJECTS = (r"(?:信息|计算机|电子|电气|控制|自动化|机械|数学|物理|化学|生命|环境|材料|土木|建筑|能源|经济|管理|外国语|"
             r"软件|人工智能|统计|数据|网络|通信|航空|航天|医学|药学|文学|法学)")
ZH_SCHOOL = re.compile(rf"^{_SUBJECTS}[\u4e00-\u9fff]*(?:学院|系)$")
_SCHOOL_AFTER_COLLEGE = re.compile(rf"^([\u4e00-\u9fff]{{2,}}学院)({_SUBJECTS}[\u4e00-\u9fff]*(?:学院|系))$")


def without_chinese_unit(part: str) -> str:
    """A Chinese organisation without the unit run into it ('<X>大学<Y>研究院' is <X>大学's institute,
    '<X>职业技术学院信息学院' the college's school of information)."""
    match = _CHINESE_UNIT_AFTER_ORGANISATION.match(part) or _SCHOOL_AFTER_COLLEGE.match(part)
    return next(g for g in match.groups() if g) if match else part


_TEAM_END = re.compile(r"\s+Team$")


def _undouble(entry: str) -> str:
    """'X, Y X, Y X, Y': one affiliation printed once per author column, read as one run."""
    words = entry.split()
    for k in range(len(words) // 2, 1, -1):
        if len(words) % k == 0:
            size = len(words) // k
            chunks = {" ".join(words[i:i + size]) for i in range(0, len(words), size)}
            if len(chunks) == 1:
                return chunks.pop()
    return entry


_NOTE_AFTER = re.compile(r"(?<=\S)\s*[*∗†‡§¶#]*\s*\b(?:corresponding authors?|equal(?:ly)? contribut\w*|these authors contributed\b)"
                         r"[^,;]*$", re.I)


def strip_noise(entry: str) -> str:
    entry = _undouble(entry)
    if _TEAM_END.search(entry) and companies_in(entry):
        entry = companies_in(entry)[0]  # '<Brand> <Name> Team': the company signs through its team
    entry = _CONTACT_AFTER.sub("", entry)  # '<Organisation>. Contact: <address>': a note's sentence after the entry
    entry = _NOW_AT.sub("", entry)  # 'Current Affiliation: <Company>, <Town>': the label, not the name
    entry = re.sub(r"\(?e-?mail[^)]*\)?", " ", entry, flags=re.I)
    entry = re.sub(r"\{[^{}]*\}\s*@\S+|\S+@\S+", " ", entry)  # '{a, b}@<host>' is one address
    entry = _NOTE_AFTER.sub("", entry)  # 'Inserm ¶ Corresponding author': a note's text set on the entry's line
    entry = re.sub(r"^[（(]([^()（）]+)[）)]$", r"\1", entry.strip())  # '（１ ．<大学>…）': a Chinese journal's bracket, then its marks
    entry = re.sub(r"^[\s\d*∗†‡§¶#,\u2460-\u2473，．]+(?![a-z])", "", entry)  # a marker ('１ ．'), not a name's own digit ('0labs')
    entry = re.sub(rf"(?:^|(?<=,))\s*[{SYMBOL_MARKS}]+\s*(?=[A-Z\u4e00-\u9fff])", " ", entry)  # '△<Company>': a symbol's marker
    entry = _NUMBERED_BRACKET.sub(r" \1", entry)  # '1)(<大学> 郑州 450001), 2)(…)': each entry numbered and bracketed
    entry = _ENGLISH_AFTER.sub(r"\1", entry.strip())  # '上海交通大学 Shanghai Jiao Tong University': the name once, as printed first
    entry = re.sub(r"^[（(]([^()（）]+)[）)]$", r"\1", entry.strip())  # '（清澜大学 计算机学院）': the bracket is not the name
    entry = _STAR_IN_NAME.sub("\x1e", entry)  # kept through the marks' removal
    entry = re.sub(r"[*∗†‡§¶#]+", " ", entry).replace("\x1e", "*")
    for pattern, full in ABBREVIATIONS:
        entry = pattern.sub(full, entry)
    entry = re.sub(r"[\s,]+(?:and|&)\s*$", "", entry)  # '<Organisation>, Germany and' before the next note's number
    return re.sub(r"\s+", " ", entry).strip(" ,;")


_NUMBERED_BRACKET = re.compile(r"(?:^|(?<=[,，;；]))\s*\d{1,2}\)\s*[(（]([^()（）]+)[)）]")
_ENGLISH_AFTER = re.compile(r"([\u4e00-\u9fff]{2,}(?:大学|学院|研究院|研究所|公司|实验室|医院))\s+[A-Z][A-Za-z.&'’ -]+(?=\s*(?:[,;，]|$))")
# 'CSIRO Division of Land and Water': an organisation the registry knows by its acronym, then its unit
_ACRONYM_THEN_UNIT = re.compile(r"\b([A-Z]{3,8})\s+(?=(?:Division|Department|School|Faculty|Section|Unit) (?:of|for)\b)")
_CONTACT_AFTER = re.compile(r"\.?\s+(?:Contact|Correspondence|Corresponding author)\s*:.*$", re.I)
_COMPANY_FORM = re.compile(r"\b(?:Co|Corp|Pvt|Pte)\.?,\s*(?:Ltd|Limited|LLC|Inc)\b\.?", re.I)


# '<Name> University - CONICET': a second organisation by the short form the registry knows it by
_SHORT_FORM_AFTER_DASH = re.compile(r"\s+[–—-]\s+([A-Z][A-Z0-9]{2,9})(?=\s*(?:[,;.]|$))")


def split_parts(entry: str) -> list[str]:
    """Split on commas and semicolons that are not inside parentheses or a company form
    ('Co., Ltd.' stays whole); 'and the' joins units."""
    entry = _COMPANY_FORM.sub(lambda m: m.group(0).replace(",", "\x1f"), entry)
    if entry.count("(") != entry.count(")"):
        entry = re.sub(r"[()]", " ", entry)  # a stray bracket ('(<Name> University, <Town>') would hide every comma after it
    entry = re.sub(r"\s+/\s+", ", ", entry)  # '<Name> Institute / <Town>': an organisation and its town
    entry = re.sub(r"\s+[–—-]\s+[A-Z][\w-]*(?: [A-Z][\w-]*)? Campus\b", "", entry)  # '<University> – Ikuta Campus': where, not who
    entry = _ACRONYM_THEN_UNIT.sub(lambda m: f"{m.group(1)}, " if registry.identify(m.group(1)) else m.group(0), entry)
    # '<Name> Business School – University of <Town>' splits at the dash
    # (but 'Université <Town> III – <Person>', a university named after a person, is one name)
    entry = re.sub(r"\s+[–—-]\s+(?=[^,;]*" + TOP_WORDS.pattern + ")", ", ", entry, flags=re.I)
    entry = _SHORT_FORM_AFTER_DASH.sub(lambda m: f", {m.group(1)}" if registry.identify(m.group(1)) else m.group(0), entry)
    parts, depth, current = [], 0, []
    for ch in entry:
        depth += ch == "("
        depth -= ch == ")"
        if ch in ",;，、；" and depth <= 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    parts = [p.replace("\x1f", ",") for p in parts]
    out = []
    for part in parts:
        for piece in re.split(r"\s+and\s+the\s+", part):
            out.extend(re.split(r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])", piece))
    return out


def trim(part: str) -> str:
    """Drop edge punctuation but keep the full stop of 'Inc.', 'Ltd.', 'Co.'."""
    part = re.sub(r"\s*\((?:UMR|CNRS|UPR|EA|FRE|USR)[^)]*\)", "", part).strip(" ;:,")  # '<LAB> (UMR CNRS <number>)': a unit code
    part = re.sub(r"^(?:&|and)\s+(?=[A-Z])", "", part)  # '<Company>, & University of <Town>': the second of two
    if part.endswith(".") and not re.search(r"\b(Inc|Ltd|Co|Corp|Ltda|S\.A|B\.V)\.$", part):
        part = part.rstrip(".").strip()
    return part


def entry_parts(entry: str) -> list[str]:
    """An entry's comma-separated parts, markers, emails and edge punctuation gone (for the checks)."""
    return [p for p in (trim(p) for p in split_parts(strip_noise(entry))) if p]


# a sentence about the paper, not an affiliation: thanks, sponsorship, funding, a compute donation
_NOT_AFFILIATION_LINE = re.compile(
    r"\b(?:sponsor(?:s|ed|ship)?|supported (?:in part )?by|funded by|funding|grants?\b|granted|thanks?|thanking|"
    r"thankful|grateful|acknowledg\w*|courtesy of|donat(?:ed|ion)s?|provided by|gifts? from|compute (?:credits|time)|"
    r"credits? from|in (?:collaboration|partnership) with)\b|资助|支持|感谢|致谢", re.I)


_LINK = re.compile(r"(?:https?://|www\.)\S+|\b[\w.-]+\.(?:com|org|io|ai|net|edu|github\.io)/\S*", re.I)


def affiliation_text(header: str) -> str:
    """The header block without what names an organisation only in passing: a line that thanks,
    sponsors or funds (a sponsor is no affiliation), and links. Author lines, affiliation lines,
    their footnotes and correspondence lines stay, e-mail addresses with them."""
    lines = []
    for line in header.splitlines():
        cells = [c for c in re.split(r"\s{3,}", line) if not _NOT_AFFILIATION_LINE.search(c)]  # cells apart, as the header prints them
        lines.append(_LINK.sub(" ", "   ".join(cells)))
    return "\n".join(line for line in lines if line.strip())
