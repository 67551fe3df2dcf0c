"""The page keeps the model honest.

The model reads page 1's header in the call that writes the brief. Every name it returns is
kept only if page 1 prints it: folded (case, accents, spaces, line-break hyphens), as an acronym
printed there, or as a usual form (spelt out, short, Chinese) of an organisation printed there.
The plausibility checks the rules use still reject a department alone, a person, a sentence, a
place or a placeholder. What the grounded reading and the rules' make together is decide.py's.
"""

from __future__ import annotations

import re

from ..extract.text import for_matching
from ..models import Dropped, Paper, Reading
from ..names import institutions as inst
from ..names import registry
from .answer import ModelAnswer

# why a name was dropped; the first group earns the one repair request, the second is only tidied
NOT_PRINTED = "论文首页没有印出这个名称"
IS_PERSON = "这是作者姓名，不是机构"
IS_AUTHOR_LINE = "这是作者行，不是标题"
ALL_LOST = "所给机构都未能在首页核实"
IS_UNIT = "只是院系或部门，不是机构"
IS_PLACE = "这是地址或国家，不是机构"
IS_PLACEHOLDER = "这是占位文字，不是机构"
IS_SENTENCE = "这是一句话，不是机构名"
IS_ORGANISATION = "这是机构名，不是作者"
REPAIRABLE = {NOT_PRINTED, IS_PERSON, IS_AUTHOR_LINE, ALL_LOST}

_UNIT_ALONE = re.compile(r"^(?:the\s+)?(?:department|dept\.?|school|faculty|division|chair|group) (?:of|for)\b(?!.*,)", re.I)
_NOT_A_NAME = re.compile(r"[。！？@=]|https?:|\b(?:19|20)\d\d\b.*\b\d{1,2}\b|^\W")  # a sentence, a link, a date
# a sentence's words, standing alone: the 'IS' of 'MPI-IS' is an acronym's end, not a verb
_SENTENCE_WORDS = re.compile(r"(?<![\w-])(?:we|our|this paper|is|are|was|were|to|that|which|propose|show)(?![\w-])", re.I)
_SHORTENED = re.compile(r"([A-Z][\w'’-]{3,}(?: [A-Z][\w'’-]+){0,2}) (?:University|College|Inc\.?|Corporation)")  # '<Name> University'
_WORD = re.compile(r"[A-Za-z][A-Za-z&'-]*")
_CJK = re.compile(r"[\u4e00-\u9fff]")


class Page:
    """Page 1's header text, folded once, for the lookups every name of an answer makes."""

    def __init__(self, text: str) -> None:
        text = for_matching(text)  # '𝐺raph', 'ＵＣＬ': compatibility forms are their plain letters here
        self.text = text
        self.folded = inst.fold(text)
        self.tokens = set(_WORD.findall(text)) | set(re.findall(r"[A-Z][A-Za-z&]*(?:-[A-Za-z]+)*", text))
        self.folded_tokens = {t.casefold() for t in self.tokens}

    def prints(self, name: str) -> bool:
        """Whether the page prints this name in any form a reader would accept: as printed, as an
        acronym printed there, or as another usual form of it (a system campus spelt out or short,
        the table's or the registry's forms, Chinese included)."""
        name = for_matching(name)
        if self.names_two(name):
            return False
        return any(self._prints_form(form) for form in [name, *inst.usual_forms(name)])

    def names_two(self, name: str) -> bool:
        """'University of X (UY)': a name whose bracket names another organisation than the name before it."""
        bracket = re.fullmatch(r"\s*(.+?)\s*\(([^()]+)\)\s*", name)
        return bool(bracket) and self._another(*bracket.groups())

    def _prints_form(self, name: str) -> bool:
        return (self._as_printed(name) or self._in_brackets(name) or self._as_acronym(name) or self._as_known(name)
                or self._as_registered(name) or self._as_shortened(name))

    @property
    def affiliations(self) -> "Page":
        """The page as institutions ground in it: its affiliation lines, author lines, their notes
        and correspondence lines, without thanks, sponsor and funding lines or links (built on first use)."""
        if not hasattr(self, "_affiliations"):
            self._affiliations = Page(inst.affiliation_text(self.text))
        return self._affiliations

    def times_printed(self, name: str) -> int:
        """How often the page prints this name (two co-authors who share it print it twice)."""
        key = inst.fold(name)
        return self.folded.count(key) if key else 0

    @property
    def context(self) -> registry.Context:
        """The page as the registry narrows a shared name by it (built on first use)."""
        if not hasattr(self, "_context"):
            self._context = registry.Context(self.text)
        return self._context

    def _as_printed(self, name: str) -> bool:
        key = inst.fold(name)
        if not key:
            return False
        word = name.strip()
        if len(key) <= 5 and " " not in word and not _CJK.search(word):  # a short form is a whole word: 'UCL' is not 'UCLA'
            return word in self.tokens or word.casefold() in self.folded_tokens
        return key in self.folded

    def _in_brackets(self, name: str) -> bool:
        """'The Hong Kong University of Science and Technology (HKUST)': either half printed, and
        the other half no other organisation ('University of X (UY)' names two)."""
        match = re.fullmatch(r"\s*(.+?)\s*\(([^()]+)\)\s*", name)
        if not match:
            return False
        outer, inner = match.groups()
        if self._as_printed(outer) or self._as_acronym(outer):
            return not self._another(outer, inner)
        return self._as_printed(inner) and not self._another(inner, outer)

    def _another(self, printed: str, other: str) -> bool:
        """Whether `other` names an organisation that `printed` is not (by the table or the registry)."""
        mine, theirs = registry.identify(printed, self.context), registry.identify(other, self.context)
        if mine is not None and theirs is not None:
            return mine.id != theirs.id
        mine, theirs = inst.known(printed), inst.known(other)
        return mine is not None and theirs is not None and inst.fold(mine.name) != inst.fold(theirs.name)

    def _as_acronym(self, name: str) -> bool:
        """A spelt-out name whose initials the page prints ('Korea Advanced Institute of Science
        and Technology' for 'KAIST')."""
        initials = "".join(w[0] for w in re.findall(r"\b[A-Z][\w'-]*", name))
        return len(initials) >= 3 and initials in self.tokens

    def _as_known(self, name: str) -> bool:
        row = inst.known(name)
        if row is None:
            return False
        return any(self._as_printed(form) for form in [*row.names, *row.chinese] if inst.fold(form) != inst.fold(name))

    def _as_shortened(self, name: str) -> bool:
        """'Harvard University' where the page prints 'Harvard' alone (an ICML note's '3Harvard'): the
        name without its generic last word, standing on its own, not inside a longer name ('Harvard
        Medical School', an author 'Ada Harvard')."""
        match = _SHORTENED.fullmatch(name.strip())
        if not match:
            return False
        for found in re.finditer(rf"(?<![A-Za-z-]){re.escape(match.group(1))}(?![\w-])(?!\s+[A-Z])", self.text):
            if not re.search(r"(?:(?<![\w-])[A-Z][A-Za-z'’-]*|\b(?:of|de|at|in|the))\s+$", self.text[:found.start()]):
                return True
        return False

    def _as_registered(self, name: str) -> bool:
        """Another of the registry's forms of the one organisation this name means is printed:
        'KAIST' for its spelt-out name, 'Tsinghua University' for 清华大学. A shared acronym
        ('CCC') means one organisation only when the page narrows it."""
        org = registry.identify(name, self.context)
        key = inst.fold(name)
        return org is not None and any(
            self.context.prints_key(k, kind) and (kind != registry.ACRONYM or registry.identify(k, self.context) == org)
            for kind, k in org.forms if k != key)


def ground(answer: ModelAnswer, header: str, rules: Paper) -> tuple[Reading, list[Dropped]]:
    """The model's reading with every name the page does not back dropped, and the drops."""
    page = Page(header)
    dropped: list[Dropped] = []
    authors = _ground_authors(answer.authors, page, dropped)
    title = _ground_title(answer.title, authors, page, dropped)
    people = authors + [a for a in rules.authors if a not in authors]
    institutions = _ground_institutions(answer.institutions, people, page.affiliations, dropped)
    return Reading(title=title, authors=authors, institutions=institutions), dropped


def _ground_authors(names: list[str], page: Page, dropped: list[Dropped]) -> list[str]:
    kept: list[str] = []
    for name in names:
        reason = ""
        if not page.prints(name) or len(inst.fold(name)) < 2:
            reason = NOT_PRINTED
        elif inst.is_placeholder(name):
            reason = IS_PLACEHOLDER  # 'Anonymous Authors' is nobody
        elif inst.stands_alone(name) and not re.search(r"\b[A-Z][a-z]+ [A-Z][a-z]+$", name):
            reason = IS_ORGANISATION
        if reason:
            dropped.append(Dropped(field="authors", name=name, reason=reason))
        elif sum(inst.fold(k) == inst.fold(name) for k in kept) < max(1, page.times_printed(name)):
            kept.append(name)  # a name printed twice is two co-authors who share it; a repeat beyond that is one
    return kept


def _ground_title(title: str, authors: list[str], page: Page, dropped: list[Dropped]) -> str:
    if not title:
        return ""
    key = inst.fold(title)
    reason = ""
    if len(key) < 4 or key not in page.folded:
        reason = NOT_PRINTED
    elif sum(inst.fold(a) in key for a in authors if len(inst.fold(a)) >= 4) >= 2:
        reason = IS_AUTHOR_LINE
    if reason:
        dropped.append(Dropped(field="title", name=title, reason=reason))
        return ""
    return title


def _ground_institutions(names: list[str], people: list[str], page: Page, dropped: list[Dropped]) -> list[str]:
    kept: list[str] = []
    for name in names:
        reason = _implausible(name, people) or ("" if page.prints(name) else NOT_PRINTED)
        if reason:
            _keep(kept, name, "institutions", reason, dropped)
            continue
        for organisation in _lifted(name):
            if page.prints(organisation):
                _keep(kept, organisation, "institutions", "", dropped)
    if names and not kept and not any(d.field == "institutions" and d.reason in (IS_UNIT, IS_PLACE, IS_PLACEHOLDER)
                                      for d in dropped):
        dropped.append(Dropped(field="institutions", name="、".join(names)[:300], reason=ALL_LOST))
    return kept


def _lifted(name: str) -> list[str]:
    """The organisations a name stands for: a unit is lifted to its organisation; a whole
    organisation stays as written, its bracketed acronym kept ('University of California,
    Riverside (UC Riverside)' is one name, not 'University of California')."""
    bare = re.sub(r"\s*\([^()]+\)\s*$", "", name).strip() or name
    if inst.known(bare) is not None or inst.institute_of_academy(bare):  # one organisation by name
        return [name]  # ('Technion – Israel Institute of Technology'; an academy's institute, named at its own level)
    lifted = inst.organisations([bare])
    if not lifted or (len(lifted) == 1 and inst.fold(lifted[0]) == inst.fold(bare)):
        return [name]
    return lifted


def _implausible(name: str, people: list[str]) -> str:
    """Why a printed name is still no organisation: a person, a unit alone, a place, a sentence."""
    if inst.is_placeholder(name):
        return IS_PLACEHOLDER
    if inst.fold(name) in {inst.fold(p) for p in people}:
        return IS_PERSON
    if inst.is_place(name):
        return IS_PLACE
    if _UNIT_ALONE.match(name):
        return IS_UNIT
    if _NOT_A_NAME.search(name) or len(name.split()) > 14 or (len(name.split()) > 6 and (
            _SENTENCE_WORDS.search(name) or not inst.reads_as_organisation(name))):
        return IS_SENTENCE
    return ""


def _keep(kept: list[str], name: str, field: str, reason: str, dropped: list[Dropped]) -> None:
    if reason:
        dropped.append(Dropped(field=field, name=name, reason=reason))
    elif inst.fold(name) not in {inst.fold(k) for k in kept}:
        kept.append(name)


def needs_repair(dropped: list[Dropped]) -> list[Dropped]:
    """The drops that mean the model misread the header (not a unit it was lifted from)."""
    return [d for d in dropped if d.reason in REPAIRABLE]
