"""The vocabulary of organisation names: words that make a phrase an organisation, a unit of
one, a company, a place. The word lists are package data (data/vocabulary.yaml), read once on
first use; the patterns are built from them."""

from __future__ import annotations

import re

# Words that make a phrase an organisation on their own (any case), and company names (as printed:
# a surname such as "Ai" or "Apple" must not make an author line an affiliation).
_STRONG_WORDS = re.compile(
    r"\b(universit(?:y|ies|ät|é|à|at|ad|e)|polytechnic|polytechnique|politecnico|institute of technology|"
    r"inc\.?|corp\.?|corporation|ltd\.?|llc|gmbh|co\.,? ltd|company|group|labs|laboratories|"
    r"research|academy|hospital|foundation|college|école|ecole|school of medicine|"
    r"technologies|technology co|ai lab|fondazione|fundaci[oó]n|funda[cç][aã]o|stiftung|hochschule|universiteit|"
    r"universitet|universidade|universidad|instituto|istituto|consiglio nazionale|max planck|fraunhofer)\b|"
    r"\b(CNRS|INRIA|Inria|CSIC|CNR|CEA|INRAE|INSERM)\b|(大学|学院|研究院|研究所|公司|实验室|集团|医院)|"
    r"(?-i:\b[A-Z][a-z]+ (?:AB|AG|Oy|SpA|S\.p\.A\.|N\.V\.)(?=$|[\s,.]))", re.I,
)


_BRAND_NAMES = (
    r"DeepMind|Microsoft|Google|Meta|Amazon|Apple|NVIDIA|Nvidia|Alibaba|Tencent|Huawei|"
    r"Baidu|ByteDance|OpenAI|Anthropic|Samsung|IBM|Intel|Adobe|Salesforce|Sony|Qualcomm|Xiaomi|Kuaishou|"
    r"SenseTime|Meituan|Moonshot AI|Zhipu AI|MiniMax|StepFun|DeepSeek|iFLYTEK|JD\.com|NetEase|Ant Group|"
    r"Megvii|Shanghai AI Lab(?:oratory)?|Mistral AI|Cohere|Hugging Face|Bosch|Siemens|Toyota|Naver|Kakao"
)


# only where a phrase starts: "Apple Inc." and "2 Apple" name a company, "Ruth Apple" a person
_BRANDS = re.compile(rf"(?:^|[,;:(\d*†‡§]\s*)({_BRAND_NAMES})\b")


_BRAND_WORD = re.compile(rf"\b({_BRAND_NAMES})\b")


def companies_in(text: str) -> list[str]:
    """Company names anywhere in the text, as printed ('<CODE-Name> <Brand>', a group's code name before its company, names the company)."""
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


# Organisations that other strong words in the same entry are usually a part of.
TOP_WORDS = re.compile(r"\b(universit(?:y|ies|ät|é|à|at|ad|e)|polytechnic|polytechnique|politecnico|institute of technology)\b|大学", re.I)


TOP = _Top()


CORP = re.compile(r"\b(inc|corp|corporation|ltd|llc|gmbh|co|company|plc|s\.a|b\.v)\b\.?|公司|集团", re.I)


# Words that make a phrase an organisation when no stronger phrase stands beside it.
WEAK = re.compile(r"\b([Ii]nstitutes?|[Ii]nstitutions?|[Ll]ab|[Ll]aboratory|[Cc]ent(?:er|re)s?|[Mm]inistry|[Cc]ouncil|[Aa]gency|"
                   r"AI|\.ai|[Tt]echnology|Tech|School(?! of)|[Ss]ystems|[Nn]etworks|[Rr]obotics)\b|\.ai\b")


# Phrases naming a unit inside an organisation.
UNIT = re.compile(
    r"^(the\s+)?(department|dept\.?|school|faculty|college of|division|key lab|state key|"
    r"national key|lab(oratory)? (of|for)|institute (of|for)|center for|centre for|program|"
    r"graduate school|research center|research centre|engineering research|unit|chair)|"
    r"\b(division|department)$", re.I,
)


COUNTRIES = {
    "china", "pr china", "p.r. china", "p. r. china", "usa", "u.s.a.", "us", "u.s.", "united states",
    "united states of america", "uk", "u.k.", "united kingdom", "england", "scotland", "germany",
    "france", "italy", "spain", "japan", "korea", "south korea", "republic of korea", "singapore",
    "canada", "australia", "india", "switzerland", "netherlands", "the netherlands", "israel",
    "austria", "belgium", "sweden", "denmark", "norway", "finland", "hong kong", "hong kong sar",
    "taiwan", "iran", "brazil", "russia", "portugal", "greece", "ireland", "poland", "czech republic",
    "new zealand", "mexico", "turkey", "saudi arabia", "uae", "united arab emirates", "qatar",
}


US_STATE = re.compile(r"^[A-Z]{2}(\s+\d{5}(-\d{4})?)?$")


POSTCODE = re.compile(r"\d{3,}|\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b|\b[A-Z]-\d{4}\b")


PLACEHOLDER = re.compile(r"\banonymous\b|\bindependent researcher\b|^no (?:institutes?|institutions?|affiliations?|"
                          r"organi[sz]ations?) (?:given|provided|listed)\b|\b(?:affiliations?|institutions?) (?:withheld|"
                          r"omitted|removed|hidden)\b|匿名", re.I)


# a whole name that stands where an institution would and names none (Springer's anonymous template)
_PLACEHOLDER_NAME = re.compile(
    r"^(?:the\s+)?(?:no (?:institutes?|institutions?|affiliations?|organi[sz]ations?) (?:given|provided|listed)|"
    r"anonymous(?:[ -][\w()]+){0,4}|(?:authors?|affiliations?|institutions?) (?:withheld|omitted|removed|hidden)(?: for [\w -]+)?|"
    r"independent(?: researchers?)?|none|n/?a|unknown|affiliations?|institutions?|匿名\w{0,4})\.?$", re.I)


def is_placeholder(name: str) -> bool:
    """'No Institute Given', 'Anonymous Institution', 'Anonymous Authors': text that stands where
    an institution would and names none, in any reading (the rules', the model's, a brief's)."""
    return bool(_PLACEHOLDER_NAME.match(re.sub(r"^[\s\d*∗†‡§¶#,]+", "", name).strip()))


def is_unit(part: str) -> bool:
    """'Department of X', 'School of Y', 'Research Division': a part of an organisation
    (but an academy's institute, 'Institute of <Subject>, <Country> Academy of Sciences', is not)."""
    part = part.strip()
    return bool(UNIT.search(part)) and not (ACADEMY.search(part) and INSTITUTE_OF.search(part))


# Capitals that label a page, never an organisation: 'DOI' in a sidebar, 'IEEE' after a member grade (labels, not corpus text)
LABELS = {"DOI", "ISSN", "ISBN", "URL", "PDF", "HTML", "ORCID", "IEEE", "ACM", "PACS", "MSC", "JEL", "ABSTRACT"}


ACRONYM = re.compile(r"^[A-Z][A-Z&*]{2,7}$")  # 'KAIST', 'AT&T', and an agency's 'A*STAR'


ACRONYM_WITH_CAMPUS = re.compile(r"^[A-Z][A-Z&*]{2,7}(?:\s*\([A-Z][A-Za-z]{1,10}\))?$")


# '<ABCD>', '<LAB>-CNRS', '<lab>-<Name>', 'Inria': a research body named by its own short name
NAMED_INSTITUTE = re.compile(  # '<ABC>-<Town>', '<ABCDE> (<XY>)': a short name, its campus in brackets
    r"^(?:[A-Z]{3,}|[a-z]+-[A-Z]\w+|[A-Z]{2,}-[A-Z]{2,}|[A-Z]{3,}-[A-Z][a-z]+|Inria|INRIA)(?:\s*\([A-Z][A-Za-z]{1,10}\))?$")


# '<AB> <Town>', '<ABC> <Town>': an acronym and its town; an acronym and an organisation word is a lab
# or a company's academy ('<ABCD> Academy', '<ABC> Research'), not a university
TOP_ACRONYM = re.compile(
    r"^[A-Z]{2,4} (?!(?:Academy|Research|Labs?|Laborator\w*|Institute|Group|Cent(?:er|re)|Foundation|College|"
    r"School|Hospital|Technologies|Systems|Networks|Robotics|Council|Agency|Ministry)$)[A-Z][a-zäöüéè]+$")


GENERIC_ALONE = re.compile(r"^(the\s+)?(university|institute|college|school|academy|laboratory|lab|department|inc\.?|ltd\.?)$", re.I)


ACADEMY = re.compile(r"\bAcademy of (?:\w+ )?Sciences?\b|科学院")


INSTITUTE_OF = re.compile(r"^(?:the\s+)?Institut(?:e|ion) (?:of|for)\b|研究所$")


# University systems whose campuses are named after a comma: 'University of <State>, <Campus>'
SYSTEMS = re.compile(
    r"^(?:the )?(?:University of (?:California|Illinois|Wisconsin|Massachusetts|Maryland|Colorado|Missouri|"
    r"Nebraska|Hawai[i']i?|Minnesota|North Carolina|Texas|Tennessee)|"
    r"Chinese University of Hong Kong|Harbin Institute of Technology|"
    r"Shandong University)$", re.I)  # not Purdue, Indiana, Penn State: their main campus's town is an address


CAMPUS = re.compile(r"^(?:[A-Z][a-z]+(?:[ -][A-Z][a-z]+)?)$")


def is_place(text: str) -> bool:
    """A country or a US state code alone ('Singapore', 'Portugal', 'CA'): never a name."""
    return text.strip(" .,").lower() in COUNTRIES or bool(US_STATE.match(text.strip()))


def is_unit_or_generic(part: str) -> bool:
    """A department, a school, a bare 'University' or 'Inc.': no organisation of its own."""
    return is_unit(part) or bool(GENERIC_ALONE.match(part.strip())) or is_place(part)


def has_organisation_word(part: str) -> bool:
    """A word that makes a phrase an organisation, or the acronym-and-town form ('<ABC> <Town>')."""
    return bool(STRONG.search(part))


_ACADEMY_OR_MINISTRY = re.compile(r"\b(?:Academy|Academia|Ministry)\b|\bCAS\b|科学院|部$", re.I)


_INSTITUTE_HEAD = re.compile(r"^(?!(?:the\s+)?(?:department|dept\b|school|faculty|division|college))"
                             r"[^,]*\b(?:Institutes?|Laborator(?:y|ies)|Labs?|Cent(?:er|re)s?)\b[^,]*,\s*(?P<tail>.+)$", re.I)


def institute_of_academy(name: str) -> bool:
    """'Institute of Computing Technology, Chinese Academy of Sciences', '<X> Research Center,
    Ministry of Education': an institute, laboratory or centre of an academy or a ministry, which
    is named at its own level (a university's lab is lifted to the university instead)."""
    match = _INSTITUTE_HEAD.match(re.sub(r"\s*\([^()]*\)\s*$", "", name.strip()))
    return bool(match) and bool(_ACADEMY_OR_MINISTRY.search(match.group("tail")))
