"""One organisation in its several forms, and the form page 1 prints: what decide.py compares the two
readings' organisations by ('清华大学' and 'Tsinghua University', 'Full Name (ACR)' and 'ACR'), and
how a report prints the model's names that won (主要机构 in page 1's form)."""

from __future__ import annotations

import re

from ..names import institutions as inst
from ..names import registry

_BRACKETED = re.compile(r"\s*(.+?)\s*\(([^()]+)\)\s*")  # 'Full Name (Short)'
CJK = re.compile(r"[\u4e00-\u9fff]")


def one_organisation(a: str, b: str, page: registry.Context) -> bool:
    """Two forms of one organisation: folded alike, one the other's bracketed short form, or one
    registry organisation ('清华大学' and 'Tsinghua University'; a lab in brackets is not its
    company: 'Tencent (WeChat AI)' is not 'Tencent Inc.')."""
    if forms(a) & forms(b):
        return True
    if any(registry.same_organisation(x, y, page) for x in _parts(a) for y in _parts(b)):
        return True
    if not (CJK.search(a) or CJK.search(b)):
        return False
    one, other = chinese_row(a), chinese_row(b)  # a Chinese name and its organisation ('知乎', 'Zhihu Inc.')
    return one is not None and other is not None and inst.fold(one.name) == inst.fold(other.name)


def chinese_row(name: str):
    """The organisation table's row for a name (the hand table, else the registry's one organisation
    of that name); a lab in brackets is not its company, so a bracketed name has none."""
    return None if _BRACKETED.fullmatch(name) else inst.known(name)


def _parts(name: str) -> list[str]:
    """A name, and for 'Full Name (Short)' its short form (not the full name alone: that would
    lose a campus, 'X (Guangzhou)')."""
    match = _BRACKETED.fullmatch(name)
    return [name, match.group(2)] if match else [name]


def forms(name: str) -> set[str]:
    """A name folded, and for 'Full Name (ACR)' its full name and its short form (a short form
    has two capitals, starts the full name or is an organisation the registry knows: '(Guangzhou)'
    is a campus, not a name)."""
    match = _BRACKETED.fullmatch(name)
    forms = {inst.fold(name)}
    if match:
        forms.add(inst.fold(match.group(1)))
        short = match.group(2)
        if len(re.findall(r"[A-Z]", short)) >= 2 or inst.fold(match.group(1)).startswith(inst.fold(short)) or registry.knows(short):
            forms.add(inst.fold(match.group(2)))
    return {f for f in forms if f}


# ---- one form in 主要机构 ------------------------------------------------------------------------


def spelt_out(names: list[str], model_names: list[str]) -> list[str]:
    """A short form read alone ('HKUST') as the model spells it out around the same short form
    ('The Hong Kong University of Science and Technology (HKUST)'): the full name with page 1's form."""
    out = []
    for name in names:
        full = [m for m in model_names if (match := _BRACKETED.fullmatch(m))
                and inst.fold(match.group(2)) == inst.fold(name) and " " in match.group(1).strip()]
        out.append(full[0] if len(full) == 1 else name)
    return out


def as_printed(names: list[str], rules_names: list[str], page: registry.Context) -> list[str]:
    """The model's institutions in the form page 1 prints them: the rules' form of the same
    organisation, the name as printed, or the registry's name (with the printed short form in
    brackets) for a Chinese label or a usual name the page does not print as such."""
    out: list[str] = []
    for name in names:
        form = _printed_form(name, rules_names, page)
        if inst.fold(form) not in {inst.fold(o) for o in out}:
            out.append(form)
    return out


def _printed_form(name: str, rules_names: list[str], page: registry.Context) -> str:
    if _printed(name, page):
        return name
    match = _BRACKETED.fullmatch(name)
    if match and _printed(match.group(2), page):  # 'Full Name (ACR)' with the short form page 1 prints; a
        short = match.group(2).strip()  # whole name in brackets ('<registry name> (<name as printed>)') is page 1's form
        return name if " " not in short or short.isupper() else short
    if match and _printed(match.group(1), page):
        return match.group(1)
    same = next((r for r in rules_names if one_organisation(name, r, page)), None)
    if same is not None:
        return same
    row = chinese_row(name) if CJK.search(name) else None  # a Chinese name ('耶鲁大学') whose table name page 1 prints
    printed = next((form for form in (row.names if row is not None else []) if _printed(form, page)), "")
    if printed:  # the table's name, or with only a short form printed 'Full Name (ACR)'
        return row.name if _printed(row.name, page) else f"{row.name} ({printed})"
    org = next((o for o in (registry.identify(f, page) for f in [name, *(match.groups() if match else ())]) if o), None)
    if org is None:
        return name
    if _printed(org.name, page):
        return org.name
    short = next((text for kind, key in org.forms if kind != registry.KIND["name"] and page.prints_key(key, kind)
                  and (text := _printed_text(key, page))), "")
    return f"{org.name} ({short})" if short else name


def _printed_text(key: str, page: registry.Context) -> str:
    """The words of page 1 that fold to this key, as printed ('UC Berkeley' for 'ucberkeley')."""
    words = re.findall(r"[^\s,;:()（）]+", page.text)
    for size in range(1, 5):
        for start in range(len(words) - size + 1):
            if inst.fold(" ".join(words[start:start + size])) == key:
                return " ".join(words[start:start + size])
    return ""


def _printed(name: str, page: registry.Context) -> bool:
    """Printed as such on page 1 (a short form as a whole word: 'UCL' is not 'UCLA')."""
    key = inst.fold(name)
    if not key or (CJK.search(name) and not CJK.search(page.text)):
        return False
    if len(key) <= 5 and " " not in name.strip() and not CJK.search(name):
        return key in {inst.fold(w) for w in page.words}
    return key in page.folded

