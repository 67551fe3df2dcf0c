"""The vocabulary of organisation names: words that make a phrase an organisation, a unit of
one, a company, a place. The word lists are package data (data/vocabulary.yaml), read once per
process on first use; the patterns are built from them then, so importing costs nothing."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from importlib import resources


@functools.cache
def _lists() -> dict:
    """The word lists, read once from the package data."""
    import yaml

    text = resources.files("pipeline").joinpath("data/vocabulary.yaml").read_text(encoding="utf-8")
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # the C loader when there is one


def words(key: str) -> list[str]:
    """One list of the vocabulary (a copy: the shared lists stay as read)."""
    return list(_lists()[key])


def mapping(key: str) -> dict:
    """One mapping of the vocabulary (a copy)."""
    return dict(_lists()[key])


def either(key: str) -> str:
    """One list's regular-expression fragments as an alternation."""
    return "|".join(_lists()[key])


@functools.cache
def word_set(key: str) -> frozenset[str]:
    """One list of plain words, for membership tests."""
    return frozenset(_lists()[key])


class Pattern:
    """A regular expression built on its first use from the word lists, then kept: a process reads
    the vocabulary only when it reads names."""

    def __init__(self, build: Callable[[], str], flags: int = 0) -> None:
        self._build, self._flags = build, flags

    @functools.cached_property
    def compiled(self) -> re.Pattern:
        return re.compile(self._build(), self._flags)

    @property
    def pattern(self) -> str:
        return self.compiled.pattern

    def search(self, text: str) -> re.Match | None:
        return self.compiled.search(text)

    def match(self, text: str) -> re.Match | None:
        return self.compiled.match(text)

    def fullmatch(self, text: str) -> re.Match | None:
        return self.compiled.fullmatch(text)

    def finditer(self, text: str):
        return self.compiled.finditer(text)


def countries() -> frozenset[str]:
    """Countries as printed after an address, in lower case."""
    return word_set("countries")


def page_labels() -> frozenset[str]:
    """Capitals that label a page ('DOI', 'ISSN'), never an organisation."""
    return word_set("page_labels")


# Words that make a phrase an organisation on their own (any case), research bodies by acronym,
# Chinese organisation words, and a capitalised name with a company's legal form ('<Name> AB').
_STRONG_WORDS = Pattern(lambda: (
    rf"\b({either('organisation_words')})\b|\b({either('research_bodies')})\b|({either('chinese_organisation_words')})|"
    rf"(?-i:\b[A-Z][a-z]+ (?:{either('company_suffixes')})(?=$|[\s,.]))"), re.I)
# company names only where a phrase starts: "Apple Inc." and "2 Apple" name a company, "Ruth Apple" a person
_BRANDS = Pattern(lambda: rf"(?:^|[,;:(\d*†‡§]\s*)({either('brands')})\b")
_BRAND_WORD = Pattern(lambda: rf"\b({either('brands')})\b")
# Organisations that other strong words in the same entry are usually a part of.
TOP_WORDS = Pattern(lambda: rf"\b({either('university_words')})\b|大学", re.I)
CORP = Pattern(lambda: rf"\b({either('legal_forms')})\b\.?|{either('chinese_legal_forms')}", re.I)
# Words that make a phrase an organisation when no stronger phrase stands beside it.
WEAK = Pattern(lambda: rf"\b({either('weak_words')})\b|\.ai\b")
# Phrases naming a unit inside an organisation.
UNIT = Pattern(lambda: rf"^(the\s+)?({either('unit_heads')})|\b({either('unit_tails')})$", re.I)
US_STATE = re.compile(r"^[A-Z]{2}(\s+\d{5}(-\d{4})?)?$")
# '<Number> <Name> Street', 'One <Name> Center', 'No. 5 <Name> Road': a street address, even where it
# ends in an organisation word ('Center', 'Plaza')
STREET = re.compile(
    r"^(?:No\.?\s*)?(?:\d+[A-Za-z]?(?:-\d+)?|One|Two|Three|Four|Five|Six|Seven|Eight|Nine|Ten)\s+(?:[A-Z][\w.'’-]*\s+){0,3}"
    r"(?:Street|St|Avenue|Ave|Road|Rd|Drive|Dr|Way|Boulevard|Blvd|Place|Pl|Square|Sq|Center|Centre|Lane|Ln|Parkway|Pkwy|"
    r"Plaza|Court|Ct|Circle|Highway|Hwy|Terrace|Row|Walk|Mall|Park|Hill)\.?(?:\s+(?:North|South|East|West|[NSEW]\.?|NE|NW|SE|SW))?$"
    # without its number (a leading number is read as a mark): only the words no organisation ends in
    r"|^(?:[A-Z][\w.'’-]*\s+){1,3}(?:Street|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Parkway|Pkwy|Highway|Hwy)\.?$")
POSTCODE = re.compile(r"\d{3,}|\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b|\b[A-Z]-\d{4}\b")
PLACEHOLDER = re.compile(r"\banonymous\b|\bindependent researcher\b|^no (?:institutes?|institutions?|affiliations?|"
                         r"organi[sz]ations?) (?:given|provided|listed)\b|\b(?:affiliations?|institutions?) (?:withheld|"
                         r"omitted|removed|hidden)\b|匿名", re.I)
# a whole name that stands where an institution would and names none (Springer's anonymous template)
_PLACEHOLDER_NAME = re.compile(
    r"^(?:the\s+)?(?:no (?:institutes?|institutions?|affiliations?|organi[sz]ations?) (?:given|provided|listed)|"
    r"anonymous(?:[ -][\w()]+){0,4}|(?:authors?|affiliations?|institutions?) (?:withheld|omitted|removed|hidden)(?: for [\w -]+)?|"
    r"independent(?: researchers?)?|none|n/?a|unknown|(?:affiliations?|institutions?)(?: [A-Z\d])?|匿名\w{0,4})\.?$", re.I)
ACRONYM = re.compile(r"^[A-Z][A-Z&*]{2,7}$")  # 'KAIST', 'AT&T', and an agency's 'A*STAR'
ACRONYM_WITH_CAMPUS = re.compile(r"^[A-Z][A-Z&*]{2,7}(?:\s*\([A-Z][A-Za-z]{1,10}\))?$")
# '<ABCD>', '<LAB>-CNRS', '<lab>-<Name>', 'Inria': a research body named by its own short name;
# '<ABC>-<Town>', '<ABCDE> (<XY>)': a short name, its campus in brackets
NAMED_INSTITUTE = re.compile(
    r"^(?:[A-Z]{3,}|[a-z]+-[A-Z]\w+|[A-Z]{2,}-[A-Z]{2,}|[A-Z]{3,}-[A-Z][a-z]+|Inria|INRIA)(?:\s*\([A-Z][A-Za-z]{1,10}\))?$")
# '<AB> <Town>', '<ABC> <Town>': an acronym and its town; an acronym and an organisation word is a lab
# or a company's academy ('<ABCD> Academy', '<ABC> Research'), not a university
TOP_ACRONYM = Pattern(lambda: rf"^(?!(?:{either('subject_acronyms')}) )[A-Z]{{2,4}} (?!(?:{either('not_a_town')})$)[A-Z][a-zäöüéè]+$")
# markers set as symbols in the text's own size, not raised: '<Name>△', ', ^<Organisation>' (in a character class)
SYMBOL_MARKS = "◇⋄△▽☆★♠♣♢♡♦^⇤"  # ⇤: LaTeX's ∗ as some fonts map it
GENERIC_ALONE = Pattern(lambda: rf"^(the\s+)?({either('generic_words')})$", re.I)
# an academy or a national research council whose institutes papers name ('<Istituto>, Consiglio Nazionale delle Ricerche')
ACADEMY = re.compile(r"\bAcademy of (?:\w+ )?Sciences?\b|科学院|\bConsiglio Nazionale delle Ricerche\b"
                     r"|\bConsejo Superior de Investigaciones")
# 'Institute of <Subject>', '<Town> Institute of <Subject>', '<X>研究所': an institute an academy may keep
INSTITUTE_OF = re.compile(r"^(?:the\s+)?(?:[A-Z][a-z]+\s+){0,2}Institut(?:es?|ion) (?:of|for)\b"
                          r"|^Istituto (?:di|per)\b|^Instituto de\b|研究所$")
# University systems whose campuses are named after a comma: 'University of <State>, <Campus>'
SYSTEMS = Pattern(lambda: rf"^(?:the )?(?:{either('university_systems')})$", re.I)
CAMPUS = re.compile(r"^(?:[A-Z][a-z]+(?:[ -][A-Z][a-z]+)?)$")
_ACADEMY_OR_MINISTRY = re.compile(r"\b(?:Academy|Academia|Ministry|Consiglio Nazionale|Consejo Superior)\b|\bCAS\b|科学院|部$", re.I)
_INSTITUTE_HEAD = re.compile(r"^(?!(?:the\s+)?(?:department|dept\b|school|faculty|division|college))"
                             r"[^,]*\b(?:Institutes?|Laborator(?:y|ies)|Labs?|Cent(?:er|re)s?)\b[^,]*,\s*(?P<tail>.+)$", re.I)
_ACADEMY_INSTITUTE_ZH = re.compile(r"^[\u4e00-\u9fff]*科学院(?!大学)[\u4e00-\u9fff]{2,}(?:研究所|研究中心|实验室)$")  # 中国科学院<X>研究所


def companies_in(text: str) -> list[str]:
    """Company names anywhere in the text, as printed ('<CODE-Name> <Brand>', a group's code name
    before its company, names the company)."""
    return [m.group(1) for m in _BRAND_WORD.finditer(text)]


class _Top:
    """A university by its word, or by the acronym-and-town form ('<AB> <Town>', '<ABC> <Town>')."""

    @staticmethod
    def search(text: str):
        return TOP_WORDS.search(text) or TOP_ACRONYM.match(text.strip())


class _Strong:
    """Either vocabulary: one `search` for callers."""

    @staticmethod
    def search(text: str):
        return _STRONG_WORDS.search(text) or _BRANDS.search(text) or TOP_ACRONYM.match(text.strip())


STRONG = _Strong()
TOP = _Top()


def is_placeholder(name: str) -> bool:
    """'No Institute Given', 'Anonymous Institution', 'Anonymous Authors': text that stands where
    an institution would and names none, in any reading (the rules', the model's, a brief's)."""
    return bool(_PLACEHOLDER_NAME.match(re.sub(r"^[\s\d*∗†‡§¶#,]+", "", name).strip()))


def is_unit(part: str) -> bool:
    """'Department of X', 'School of Y', 'Research Division': a part of an organisation
    (but an academy's institute, 'Institute of <Subject>, <Country> Academy of Sciences', is not)."""
    part = part.strip()
    return bool(UNIT.search(part)) and not (ACADEMY.search(part) and INSTITUTE_OF.search(part)) and not _NATIONAL_DEPARTMENT.match(part)


# a government's department is an organisation of its own ('US Department of Agriculture')
_NATIONAL_DEPARTMENT = re.compile(r"^(?:the\s+)?(?:U\.?\s?S\.?|United States|Federal)\s+Department\s+of\s+[A-Z]")


def is_place(text: str) -> bool:
    """A country or a US state code alone ('Singapore', 'Portugal', 'CA'): never a name."""
    return text.strip(" .,").lower() in countries() or bool(US_STATE.match(text.strip()))


def is_unit_or_generic(part: str) -> bool:
    """A department, a school, a bare 'University' or 'Inc.': no organisation of its own."""
    return is_unit(part) or bool(GENERIC_ALONE.match(part.strip())) or is_place(part)


# a sentence's or a figure's words: an ellipsis, a lower-case article or verb, a lower-case word ending a sentence
_PROSE = re.compile(r"\.{3}|…|(?<![\w'’-])(?:a|an|is|are|was|were|named|called)(?![\w'’-])|(?<![\w.])[a-z]{3,}\.$")


def reads_as_prose(part: str) -> bool:
    """'Write a fiction named <X>', 'AI ... [No Emotions]': a teaser figure's text set between the
    byline and the abstract reads as words of a sentence, which no organisation's name is."""
    return bool(_PROSE.search(part.strip()))


def has_organisation_word(part: str) -> bool:
    """A word that makes a phrase an organisation, or the acronym-and-town form ('<ABC> <Town>')."""
    return bool(STRONG.search(part))


def institute_of_academy(name: str) -> bool:
    """'Institute of Computing Technology, Chinese Academy of Sciences', '<X> Research Center,
    Ministry of Education': an institute, laboratory or centre of an academy or a ministry, which
    is named at its own level (a university's lab is lifted to the university instead)."""
    match = _INSTITUTE_HEAD.match(re.sub(r"\s*\([^()]*\)\s*$", "", name.strip()))
    return bool(match) and bool(_ACADEMY_OR_MINISTRY.search(match.group("tail"))) or bool(_ACADEMY_INSTITUTE_ZH.match(name.strip()))
