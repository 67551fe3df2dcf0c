"""A unit read where its organisation is meant: '<Name> Shenzhen International Graduate School' is
<Name> University's, 'MIT CSAIL' is MIT's. Lifted by the registry's parent, by a university's name
leading its school's, or by a university the paper prints beside its school."""

from __future__ import annotations

import re

from . import registry
from .folding import fold
from .organisation_parts import repeats
from .organisation_table import hand_row
from .vocabulary import TOP


def lift_units(names: list[tuple[str, str]]) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """'<Name> Shenzhen International Graduate School' is <Name> University's: the unit is read
    as the university, once (dropped when the university is printed too). A university the
    registry files under a system ('University of <State>, <Campus>') is not a unit, nor is a
    medical centre ('<Town> Medical Center'): only schools, colleges, institutes and labs."""
    universities = [name for name, _ in names if TOP.search(name)]
    out: list[tuple[str, str]] = []
    dropped: list[tuple[str, str]] = []
    for name, rule in names:
        unit_word = _LIFTED_UNIT_WORD.search(name) or _LIFTED_UNIT_WORD.search(_registered_name(name))
        up = registry.lifted(name) if unit_word and not (TOP.search(name) or hand_row(name)) else None
        up = up or (_university_before_school(name) if unit_word else None)
        if up is not None:
            dropped.append((name, "unit-lifted"))
            name, rule = up.name, "unit-lifted-to-organisation"
        elif university := _university_printed_for_school(name, universities):
            dropped.append((name, "unit-lifted"))
            name, rule = university, "school-of-printed-university"
        if not any(repeats(name, other) for other, _ in out):
            out.append((name, rule))
        elif up is None:
            dropped.append((name, "duplicate"))
    return out, dropped


def _registered_name(name: str) -> str:
    """The registry's name for a short form ('MIT CSAIL': its '… Laboratory'), or ''."""
    org = registry.identify(name)
    return org.name if org is not None else ""


def _university_before_school(name: str) -> registry.Organisation | None:
    """'<Name> University Shenzhen Graduate School': a university's school named after it, which
    the registry does not list: read as the university (a hospital is its own organisation)."""
    match = _UNIVERSITY_THEN_SCHOOL.match(name) or _UNIVERSITY_OF_THEN_SCHOOL.match(name)
    return registry.identify(match.group(1).strip()) if match and not registry.identify(name) else None


def _university_printed_for_school(name: str, universities: list[str]) -> str:
    """'Yale School of Medicine' beside 'Yale University': a school named by its university's own
    word, which the registry does not list, is that university when the paper prints it ('Boston
    College', a university of its own, is no school: only '<Name> School/College of …' and
    '<Name> Medical/Law/Business/Graduate School' are)."""
    match = _NAME_THEN_SCHOOL.match(name)
    if not match or registry.identify(name) is not None:
        return ""
    lead = fold(match.group(1))
    return next((u for u in universities if fold(_UNIVERSITY_WORDS.sub(" ", u)) == lead), "")


_NAME_THEN_SCHOOL = re.compile(r"^((?:[A-Z][\w'’-]*\s+){1,3}?)"
                               r"(?:(?:School|College|Faculty)\s+of\b|(?:Medical|Law|Business|Graduate)\s+School\b)")
_UNIVERSITY_WORDS = re.compile(r"\b(?:The|University|of|the|at)\b")


_UNIVERSITY_THEN_SCHOOL = re.compile(
    r"^((?:[A-Z][\w'’-]*\s+){1,3}University)\s+(?:[A-Z][\w-]*\s+){0,3}(?:Graduate\s+)?(?:School|College|Institute)\b.*$")


# 'The University of <Name> School of Medicine': the university's own name, then its school's
_UNIVERSITY_OF_THEN_SCHOOL = re.compile(r"^(?:The\s+)?(University\s+of\s+(?:[A-Z][\w'’-]*\s+){1,3}?)"
                                        r"(?:(?:School|College|Faculty)\s+of\b|(?:Medical|Law|Business|Graduate)\s+School\b)")
_LIFTED_UNIT_WORD = re.compile(r"\b(?:School|Faculty|College|Institute|Laborator(?:y|ies)|Lab|Department)\b|研究生院|学院|研究院")
