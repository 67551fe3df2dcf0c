"""Author names from the header cells that are neither affiliations nor notes."""

from __future__ import annotations

import re

from ..names import institutions as inst
from ..names.vocabulary import SYMBOL_MARKS, word_set
from ..rules import in_force
from .layout import Cell

_IEEE_GRADE_RE = re.compile(
    r",?\s*\(?\s*(?:Student |Senior |Life |Graduate Student )?(?:Member|Fellow),?\s*IEEE\s*\)?", re.I)  # or '(Member, IEEE)'


# '<Name>(Member,', '<Name>, Senior' / 'Member, IEEE': a grade wrapped over two lines, its first words at the line's end
_IEEE_GRADE_OPEN = re.compile(r"\(\s*(?:Student |Senior |Life |Graduate Student )?(?:Member|Fellow),?\s*$|"
                              r",\s*(?:(?:Graduate\s+Student|Graduate|Student|Senior|Life)(?:\s+(?:Member|Fellow))?|Member|Fellow),?\s*$",
                              re.I)
_IEEE_GRADE_CLOSE = re.compile(r"^\s*IEEE\s*(?:\)|,|$)")  # 'IEEE)3 , <Name>', 'IEEE, <Name>' on the next line
_SPLIT_NAMES_RE = re.compile(r"\s*(?:[,;，、；·•]|\band\b|\bAND\b|&|\|)\s*")  # Springer separates names with '·'
_WIDE_GAP = re.compile(r"\s{2,}")  # two spaces: 'Alice Zhang  Bob Li', unless justified type spread one name ('Ioannis  Antoniadis')
# a line naming people in another role than the authors': translators, proofreaders, editors
_ROLE_LABEL = re.compile(r"^\s*(?:中文|英文)?(?:校\s*对|审\s*校|翻\s*译|译\s*者|编\s*辑)\s*[:：]|"
                         r"^\s*(?:translated|proofread|edited)\s+by\b|^\s*(?:translators?|editors?)\s*:", re.I)
_LABEL_RE = re.compile(r"^\s*(?:作\s*者|Authors?(?: list)?)\s*[:：]\s*", re.I)  # '作者：林晓岚①，王志远②'
CIRCLED = "\u2460-\u2473\u00b9\u00b2\u00b3\u2070-\u2079"  # ①..⑳ and superscript digits as printed markers


_PINYIN_AFTER = re.compile(r"([\u4e00-\u9fff]{2,4})\s*[(（]\s*[A-Z][a-z]+(?:[\s-]+[A-Z][a-z]+)+\s*[)）]")
# LNCS's blind copy; not an editorial sidebar's 'Anonymous Reviewers'
PLACEHOLDER_RE = re.compile(r"\banonymous\b(?! (?:reviewers?|referees?)\b)|匿名|\bsubmitted for (?:double-)?blind review\b", re.I)


TEAM_RE = re.compile(r"\bTeam$")
# 'ETH Zürich', 'EPFL Lausanne': an acronym then ordinary words is an organisation, not a person
# ('JOHN SMITH', all in capitals, is still a name).


ORCID_RE = re.compile(r"\[?\(?\d{4}[-−‐–]\d{4}[-−‐–]\d{4}[-−‐–]\d{3}[\dX]\)?\]?")  # LNCS prints iDs after names (some with minus signs)


def is_signature(name: str) -> bool:
    """A team or a company where a person's name would stand: '<Name> Team', '<CODE-Name> <Brand>'
    (a company beside a group's code name; 'Ruth Apple' stays a person)."""
    if TEAM_RE.search(name):
        return True
    companies = inst.companies_in(name)
    rest = name
    for company in companies:
        rest = rest.replace(company, " ")
    return bool(companies) and bool(re.search(r"[A-Z]{2,}|\d|\w-[A-Z]", rest))


def count_of_people(authors: list[str], rules_count: int | None) -> int | None:
    """The author count of a byline: None when a team or a company signs it (no people named, and
    either the names read are all signatures or the rules saw a team's), else the people named."""
    people = [a for a in authors if not is_signature(a)]
    if not people and (authors or rules_count is None):
        return None
    return len(people)


def rejoined(authors: list[str]) -> list[str]:
    """'Mary E.' at a byline's end, 'Lofton' (or 'Cruz Sanchez') starting the next line: a name broken
    after its middle initial is one name (nobody's name ends in an initial, nor is one word alone)."""
    out: list[str] = []
    for name in authors:
        if out and re.fullmatch(r"[A-Z][a-z][\w'’-]*(?:\s[A-Z]\.?)+", out[-1]) and re.fullmatch(r"[A-Z][\w'’-]+(?: [A-Z][\w'’-]+)?", name):
            out[-1] = f"{out[-1]} {name}"
        else:
            out.append(name)
    return out


def once_each(authors: list[str]) -> list[str]:
    """'张书言 … 李青 / Shuyan Zhang … Qing Li': a Chinese paper's byline printed again in pinyin (the
    same number of names, one script after the other) names each author once, in Chinese."""
    chinese = [a for a in authors if re.search(r"[\u4e00-\u9fff]", a)]
    latin = [a for a in authors if a not in chinese]
    if chinese and len(chinese) == len(latin) and authors in (chinese + latin, latin + chinese):
        return chinese
    return authors


def add_authors(cell: Cell, authors: list[str], tail: str) -> str:
    """Append the names of one cell; returns a dangling first name the next line may finish. A
    line of another role ('中文校对：…', 'Translated by …') names no author."""
    if _ROLE_LABEL.match(cell.plain):
        return ""
    text_parts = []
    for text, is_marker in cell.parts:
        text_parts.append(" , " if is_marker else " " + text)
    text = _IEEE_GRADE_RE.sub(" , ", "".join(text_parts))
    text = _IEEE_GRADE_CLOSE.sub(" , ", _IEEE_GRADE_OPEN.sub(" , ", text))  # a grade wrapped over two lines
    text = ORCID_RE.sub(" , ", text)
    text = _PINYIN_AFTER.sub(r"\1", text)  # '崔青松 (Qingsong Cui)': one author, by the Chinese name
    text = _LABEL_RE.sub("", text)
    text = _CLASS_CODE.sub(" , ", text)
    text = re.sub(rf"[*∗†‡§¶#⋆✉{SYMBOL_MARKS}♮♯?\\\]{CIRCLED}]+|\d+", " , ", text)  # ♮ and ♯ often extract as '\\' and ']'
    tokens = [t.strip(" .") for t in _SPLIT_NAMES_RE.split(text)]
    tokens = [piece for t in tokens for piece in _wide_gap_names(t)]
    tokens = [re.sub(r"\s+", " ", t) for t in tokens if t.strip(" .")]
    tokens = [_LETTER_MARKS.sub("", t) or t for t in tokens]  # 'Luping Zhou b': a mark set in the text's size
    tokens = [_DEGREES.sub("", t) if re.search(r"[a-z]", t) else t for t in tokens]  # 'Winston Chiong MD PhD' (not 'YI MA')
    tokens = [t.replace(" ", "") if re.fullmatch(r"[\u4e00-\u9fff] [\u4e00-\u9fff]", t) else t for t in tokens]  # '郜 帅'
    # 'Kjartan' / 'Thor Wikfeldt, and …': a two-word rest of the name, where the byline runs on (not a cell of its own beside)
    rest_of_name = len(tokens) > 1 or bool(tokens and _INITIAL_FIRST.match(tokens[0]))
    if tail and tokens and (len(tokens[0].split()) == 1 or (len(tail.split()) == 1 and _is_name(tokens[0])
                                                           and len(tokens[0].split()) == 2 and rest_of_name)):
        tokens[0] = f"{tail} {tokens[0]}"
        if tail in authors:  # the first name read alone, perhaps with a name of another column after it
            where = len(authors) - 1 - authors[::-1].index(tail)
            if _is_name(tokens[0]):
                authors[where] = tokens.pop(0)
    names = []
    for token in tokens:
        names.extend(_split_run_of_names(token))
    valid = [n for n in names if _is_name(n)]
    authors.extend(valid)
    # a first name alone, or initials alone ('P. N.'), at the line's end: the family name is on the next line
    ends_open = bool(valid) and (len(valid[-1].split()) == 1 or _INITIALS.fullmatch(valid[-1]) or _PARTICLE_END.search(valid[-1])) \
        and not cell.parts[-1][1] \
        and not re.search(r"[\u4e00-\u9fff]", valid[-1])  # a Chinese name is whole in its characters
    return valid[-1] if ends_open else ""


_INITIALS = re.compile(r"(?:[A-Z]\.?\s*){1,3}")
_INITIAL_FIRST = re.compile(r"[A-Z]\.\s")  # 'R. Birtwistle' after 'Marc' at a line's end: the rest of one name
_DEGREES = re.compile(r"(?:,?\s+(?:MD|PhD|Ph\.D\.?|DPhil|BA|BS|BSc|MA|MS|MSc|MPH|MBA|MBBS|RN|FRCPC?))+$")  # a manuscript's degrees
_PARTICLE_END = re.compile(r"\s(?:van|von|de|der|den|da|di|del|della|dos|du|la|le|ter|bin|al)$")  # 'Dafne van' / 'Kuppevelt'


def _wide_gap_names(token: str) -> list[str]:
    """Split at wide gaps only when every piece is a full name of two words or more."""
    pieces = [p.strip() for p in _WIDE_GAP.split(token) if p.strip()]
    if len(pieces) > 1 and all(len(p.split()) >= in_force().full_name_words for p in pieces):
        return pieces
    return [re.sub(r"\s+", " ", token)]


def _two_character_names(words: list[str]) -> list[str]:
    """'柴若楠 郜 帅 兰江雨': a two-character name is set with a space inside, to line up with the
    three-character ones; two single characters in a row are one name."""
    out, i = [], 0
    while i < len(words):
        pair = i + 1 < len(words) and all(re.fullmatch(r"[\u4e00-\u9fff]", w) for w in words[i:i + 2])
        out.append(words[i] + words[i + 1] if pair else words[i])
        i += 2 if pair else 1
    return out


def _split_run_of_names(token: str) -> list[str]:
    """Names separated only by spaces: Chinese names each, or an even run of capitalised words as pairs."""
    words = _two_character_names(token.split())
    if len(words) > 1 and all(re.fullmatch(r"[\u4e00-\u9fff·]{2,5}", w) for w in words):
        return words
    if len(words) >= in_force().name_run_min_words and len(words) % 2 == 0 and all(w[:1].isupper() for w in words):
        return [" ".join(words[i:i + 2]) for i in range(0, len(words), 2)]
    return [token]


# '数据 201', '通信 1702': a class's code (a subject and a three- or four-digit number), not a name; a
# name's marker has one or two digits, a student number eight or more
_CLASS_CODE = re.compile(r"(?<![\u4e00-\u9fff])[\u4e00-\u9fff]{2,4}\s*\d{3,4}(?!\d)")
# affiliation letters printed in the name's own size after it ('Luping Zhou b', 'Dinggang Shen d e'): no
# name ends in a lone lower-case letter
_LETTER_MARKS = re.compile(r"(?<=[A-Za-z\u00c0-\u024f]{2})(?:\s+[a-z])+$")
# a subject or a major: four characters or more ending in one, or naming one anywhere
_CHINESE_FIELD = re.compile(r"^[\u4e00-\u9fff]{2,}(?:工程|科学|技术|专业|管理|设计|数学|物理|化学|通信|经济|金融)$|计算机|自动化|信息")


# a degree after a name's comma ('M.S.[1]'), a Chinese heading ('摘要') or a form's label ('主 持 人：')
_NOT_A_NAME = re.compile(r"(?:[BM]\.?[AS]c?|Ph\.?D|M\.?D|MPH|MBA)\.?\W*|摘\s*要|关键词|引\s*言|.*[:：]\s*")
_MARKS = re.compile(rf"[*∗†‡§¶#⋆✉\d{CIRCLED}]+")  # superscript digits too (a Word manuscript types them)


def reads_as_byline(text: str) -> bool:
    """A line that lists people ('<Name>1, <Name>2,3, <Name>4'): three names or more, nearly every
    part between its commas a name. An unlabelled abstract never reads so, a byline in the body's
    size does (a manuscript's page 1)."""
    parts = [p.strip(" .") for p in _SPLIT_NAMES_RE.split(_MARKS.sub(" ", text)) if p.strip(" .")]
    names = sum(_is_name(re.sub(r"\s+", " ", p)) for p in parts)
    return len(parts) >= 3 and names >= 0.8 * len(parts)


def is_person_name(token: str) -> bool:
    """Whether a token reads as one person's name (not an organisation, a place or a label)."""
    return _is_name(token)


def _is_name(token: str) -> bool:
    if PLACEHOLDER_RE.search(token) or inst.looks_like_affiliation(token) or inst.is_place(token) or _NOT_A_NAME.fullmatch(token):
        return False
    if any(w.lower().strip(".,:") in word_set("not_name_words") for w in token.split()):
        return False
    if re.search(r"[\u4e00-\u9fff]", token):
        if _CHINESE_FIELD.search(token.replace(" ", "")):
            return False  # '通信工程': a student's major printed before the name, not a name
        low, high = in_force().chinese_name_chars
        return low <= len(token.replace(" ", "")) <= (in_force().chinese_dot_name_chars if "·" in token else high)
    words = token.split()
    if token.count("(") != token.count(")") or not 1 <= len(words) <= in_force().name_max_words or re.match(r"\(\w\)", token):
        return False  # '(a) Teacher': a figure panel's label
    if len(words) == 1 and not (token[:1].isupper() and len(token) >= in_force().name_min_chars):
        return False
    return all(w[:1].isupper() or w.lower() in word_set("name_particles") or w[:1] in "'’(" for w in words) and not re.search(
        r"[\d/]", token  # 'K/kyr': a unit (a label ending in ':' is _NOT_A_NAME's)
    )
