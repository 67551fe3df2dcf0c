"""The hand table of well-known organisations (data/organisations.yaml): short forms, Chinese
names; short forms read as the registry's name; the usual forms of one name."""

from __future__ import annotations

import functools
import re
from importlib import resources

from . import registry
from .folding import fold
from .vocabulary import Pattern, mapping


class KnownOrganisation:
    """One row of the table: the usual name, its short forms and its common Chinese names."""

    __slots__ = ("name", "short", "chinese")

    def __init__(self, name: str, short: list[str], chinese: list[str]) -> None:
        self.name, self.short, self.chinese = name, list(short), list(chinese)

    @property
    def names(self) -> list[str]:
        return [self.name, *self.short]


@functools.lru_cache(maxsize=1)
def _table() -> tuple[dict[str, KnownOrganisation], dict[str, KnownOrganisation]]:
    """(by folded Latin name or short form, by Chinese name), read once from the package data."""
    import yaml

    text = resources.files("pipeline").joinpath("data/organisations.yaml").read_text(encoding="utf-8")
    rows = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # the C loader: 10x faster
    latin: dict[str, KnownOrganisation] = {}
    chinese: dict[str, KnownOrganisation] = {}
    for name, short, zh in rows:
        org = KnownOrganisation(name, short, zh)
        for form in org.names:
            latin.setdefault(fold(form), org)
        for form in zh:
            chinese.setdefault(fold(form), org)
    return latin, chinese


def hand_row(name: str) -> KnownOrganisation | None:
    latin, chinese = _table()
    key = fold(name)
    return latin.get(key) or chinese.get(key)


def known(name: str) -> KnownOrganisation | None:
    """The table's row for a name in any of its forms (Latin or Chinese), else the registry's one
    organisation of that name (its name and Chinese label; a shared name is nobody's)."""
    row = hand_row(name)
    if row is not None:
        return row
    org = registry.identify(name)
    if org is not None and org.name.isupper() and len(org.name) > 3 and not name.strip().isupper():
        return None  # 'Summit', a town, is not 'SUMMIT': a name registered in capitals is printed so
    return KnownOrganisation(org.name, [], [org.zh] if org.zh else []) if org is not None else None


@functools.cache
def _chinese_names() -> tuple[str, ...]:
    return tuple(sorted((c for org in _table()[1].values() for c in org.chinese), key=len, reverse=True))


def chinese_names() -> list[str]:
    """Every Chinese name the table knows, longest first (for finding them inside a sentence);
    sorted once per process, not once per paper."""
    return list(_chinese_names())


_SHORT_FORM = re.compile(r"^[A-Z][\w&-]{2,11}$")  # one token: '<ABCDE>', '<Uname>'
_ACRONYM_AND_TOWN = re.compile(r"^([A-Z][A-Z&-]{1,7})\s+([A-Z][\w-]+)$")  # '<ABCD> <Town>': the acronym and its own town
_SHORT_KINDS = (registry.KIND["alias"], registry.KIND["acronym"])


def registry_forms(names: list[str], page_text: str) -> list[str]:
    """A short form printed alone ('<ABCDE>', '<ABCD> <Town>') read as the registry's name, the
    printed form kept in brackets: readers and the scorer know the organisation by either. Only a
    form that narrows to one organisation by what page 1 prints, and never a company (its brand
    is its name)."""
    context: registry.Context | None = None
    out = []
    for name in names:
        if _SHORT_FORM.match(name) or _ACRONYM_AND_TOWN.match(name):
            context = context or registry.Context(page_text)
            org = _spelt_out(name, context)
            if org is not None and fold(org.name) not in context.folded:
                name = f"{_without_country(org)} ({name})"
        out.append(_whole_words(name))
    return out


def _whole_words(name: str) -> str:
    """'Ts inghua University', a word the text layer split, as the registry spells the name: only
    where the two differ in their spaces alone, and the printed form has a word the registry's lacks."""
    org = registry.identify(name) if " " in name else None
    if org is None:
        return name
    spelt = _without_country(org)
    same_letters = re.sub(r"\s+", "", spelt).casefold() == re.sub(r"\s+", "", name).casefold()
    return spelt if same_letters and len(spelt.split()) < len(name.split()) else name


def _spelt_out(name: str, context: registry.Context) -> registry.Organisation | None:
    """The one non-company organisation a short form stands for, or None."""
    town = _ACRONYM_AND_TOWN.match(name)
    short = town.group(1) if town and not registry.knows(name) else name
    org = registry.identify(short, context)
    if org is None or org.type == "company" or not set(org.keys(*_SHORT_KINDS)) & {fold(short)}:
        return None
    if short != name and fold(town.group(2)) not in fold(org.name):
        return None  # '<ABCD> <Town>' is that organisation only when the town is in its name
    return org


def _without_country(org: registry.Organisation) -> str:
    """'Microsoft (United States)': the registry's country is no part of the printed name."""
    forms = [re.escape(f) for f in registry.country_forms(org.country)]
    return re.sub(rf"\s*\((?:{'|'.join(forms)})\)$", "", org.name) if forms else org.name


def _system_short() -> dict[str, str]:
    """University systems whose campuses are known by a short form ('UC Berkeley' is 'University of
    California, Berkeley'): the short form and how the full name runs on (data/vocabulary.yaml)."""
    return mapping("system_short_forms")


def _system_names() -> list[str]:
    """Each system's own name ('University of Texas'), without what joins its campus."""
    return [v.removesuffix(" at").rstrip("–") for v in _system_short().values()]


_SYSTEM_SHORT_FORM = Pattern(lambda: rf"^(?:[Tt]he\s+)?({'|'.join(_system_short())})\s+([A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)$")
_SYSTEM_FULL_FORM = Pattern(
    lambda: rf"^(?:[Tt]he\s+)?({'|'.join(_system_names())})\s*(?:,|at|[-–])\s*([A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)$")


def usual_forms(name: str) -> list[str]:
    """Other forms a reader takes for the same organisation, by spelling alone: the name and its
    bracketed acronym apart ('Full Name (ACR)'), a university system's campus spelt out or short
    ('UC Berkeley' <-> 'University of California, Berkeley'). The registry adds the rest."""
    name = re.sub(r"\s+", " ", name).strip()
    forms: list[str] = []
    bracket = re.fullmatch(r"(.+?)\s*\(([^()]+)\)", name)
    if bracket:
        forms += [bracket.group(1), bracket.group(2)]
    systems = _system_short()
    for form in [name, *forms]:
        short = _SYSTEM_SHORT_FORM.match(form)
        if short:
            forms.append(f"{systems[short.group(1)]}, {short.group(2)}".replace(" at,", " at").replace("–,", "–"))
            forms.append(f"{systems[short.group(1)].removesuffix(' at').rstrip('–')}, {short.group(2)}")
        full = _SYSTEM_FULL_FORM.match(form)
        if full:
            system = next(k for k, v in systems.items() if v.removesuffix(" at").rstrip("–") == full.group(1))
            forms += [f"{system} {full.group(2)}", f"{full.group(1)}, {full.group(2)}"]
    return [f for f in dict.fromkeys(forms) if f and fold(f) != fold(name)]
