"""Two readings of page 1's header, one decision: what a report publishes.

The rules read the header by layout; the model reads it in the brief call, and grounding.py keeps
only the names page 1 prints. That is not enough against a small model that copies the header by
position (a running head as the title, the title's second line as an author, a line of
affiliations with their markers as one institution): all of it is printed. So the two readings
are weighed, field by field:

- where they agree, the field is sure;
- where they differ, each is checked for what a field of its kind must be (checks below); a
  reading that fails loses to one that passes;
- where both pass, the complete reading beats a partial one (the other's names and more), and a
  model reading that lost names in grounding does not beat a sure rules reading;
- otherwise the rules' reading stands where the rules are sure, and the field is marked as
  unsettled; where the rules doubt it, the model's reading is kept.

Every disagreement is kept with its reason; the model's readings that lost are counted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..models import Brief, Dropped, FieldDoubt, MetadataSource, Paper, Reading
from ..names import institutions as inst
from ..names import registry
from ..names.vocabulary import Pattern, either, word_set
from ..rules import in_force
from .authors import count_of_people
from .confidence import LOW, title_doubt

FIELDS = ("title", "authors", "institutions")

# what a field of its kind must not be (the reasons report.json keeps)
RUNNING_HEAD = "a running head, venue or template line, not a title"
TITLE_FRAGMENT = "a fragment of the title the other reading has whole"
AUTHOR_LINE = "the author line, not a title"
NOT_A_TITLE = "not a title"
NOT_A_PERSON = "not a person's name"
PART_OF_TITLE = "part of the title, not an author"
ORGANISATION_AS_AUTHOR = "an organisation, not an author"
NAMES_RUN_TOGETHER = "several names run together"
SEVERAL_ORGANISATIONS = "several organisations run together"
MARKERS_KEPT = "affiliation markers copied into the name"
PERSON_AS_ORGANISATION = "a person, not an organisation"
ADDRESS_ALONE = "an address or a place, not an organisation"
NO_ORGANISATION = "no sign of an organisation"
RUN_INTO = "the other reading's organisation with other words run into it"
NOTHING = "nothing read"
PARTIAL = "partial: the other reading has these names and more"
LOST_IN_GROUNDING = "partial: grounding dropped some of the model's names, and the rules are sure"

_VENUE_LINE = re.compile(
    r"^(?:preprint|arxiv|under review|published as|accepted (?:at|to|as|for|by|in)|to appear|appears? in|in proceedings|"
    r"proceedings of|technical report|tech(?:nical)? rep|in submission|submitted to|camera[- ]ready|journal of|transactions on)\b"
    r"|^(?:draft|working paper|manuscript|(?:research |original |review )?article|letter|review|short paper)\W*$"
    r"|\b(?:conference|symposium|workshop) (?:on|paper)\b|\bvol(?:ume)?\.?\s*\d|\bno\.\s*\d|\bissn\b|\bdoi\b|©|\bcopyright\b"
    r"|学报|期刊|杂志|第\s*\S{1,4}\s*[卷期]|文章编号|挑战赛|研讨会|论文集|年会|大会|中图分类号|文献标识码"
    r"|\(\s*(?:19|20)\d\d\s*\)\s*\d|\d{4}\s*年\s*\d{1,2}\s*月|\|\s*\d+\s*$|^\d+\s*\|"
    r"|\bauthor(?:\(s\)| guidelines| instructions)|\brunning (?:title|head)|^(?:[A-Z][a-z]{0,5}\.\s*){2,}$",
    re.I)
_BRACKETED = re.compile(r"\s*(.+?)\s*\(([^()]+)\)\s*")  # 'Full Name (Short)'
_EMAIL_OR_LINK = re.compile(r"@|https?:|www\.")
_MARKS = re.compile(r"^[\s\d*∗†‡§¶⋆,]+|[\s\d*∗†‡§¶⋆,]+$")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_GLUED_MARKER = re.compile(r"[A-Za-z.)\u4e00-\u9fff][\d*∗†‡§¶]{1,3}\s+\S|^[\d*∗†‡§¶]{1,2}\s*[A-Z\u4e00-\u9fff]|"
                           r"\s\d{1,2}\s+[A-Z]|[a-z][*∗†‡§¶\d]{1,2}$|^[a-z]\)?\s+[A-Z]|^[)\]）】,.;:、]")
_ORG_END = Pattern(lambda: rf"(?:{either('decide_name_ends')})$")
_ORG_WORD = Pattern(lambda: rf"\b(?:{either('decide_organisation_words')})|{either('chinese_organisation_heads')}")
_FIELD_WORD = Pattern(lambda: rf"\b(?:{either('field_words')})\b|匿名")
_CELL_GAP = re.compile(r"\s{3,}|;|；")
_ADDRESS = re.compile(r"^\d+[\w\s,.-]*\b(?:street|st\.|road|rd\.|avenue|ave\.|boulevard|blvd|drive|way|lane)\b|"
                      r"^(?:p\.?o\.? box|room|building|floor)\b|\b\d{5,6}\b", re.I)


# ---- what a field of its kind must be -------------------------------------------------------------


def title_faults(title: str, authors: list[str], other: str) -> str:
    """Why this is not the paper's title (a running head, a venue line, the author line, a
    fragment of the other reading's title), or ''."""
    if not title.strip():
        return NOTHING
    if _VENUE_LINE.search(title) or _EMAIL_OR_LINK.search(title):
        return RUNNING_HEAD
    if sum(len(key) >= 4 and key in inst.fold(title) for key in {_person_key(a) for a in authors}) >= 2:
        return AUTHOR_LINE
    if other and _fragment_of(title, other):
        return TITLE_FRAGMENT
    doubt = title_doubt(title)
    return f"{NOT_A_TITLE} ({doubt})" if doubt else ""


def author_faults(authors: list[str], titles: list[str], organisations: list[str]) -> str:
    """Why this list is not the paper's authors (a name that is no person's, part of the title,
    an organisation, several names run together), or ''."""
    titled = [inst.fold(t) for t in titles if t]
    for name in authors:
        why = _person_fault(name, titled, {inst.fold(o) for o in organisations})
        if why:
            return f"{why}: “{name[:80]}”"
    return ""


def _person_fault(name: str, titles: list[str], organisations: set[str]) -> str:
    bare = _MARKS.sub("", name).strip()
    key = inst.fold(bare)
    if not key or re.search(r"[\d@:;()\[\]/|]", bare):
        return NOT_A_PERSON
    if re.search(r",|\band\b|&|·", bare) or _CJK.search(bare) and len(bare.split()) > 1 and min(map(len, bare.split())) >= 2:
        return NAMES_RUN_TOGETHER
    if key in organisations or _ORG_WORD.search(bare) or inst.stands_alone(bare) and not re.search(r"^[A-Z][a-z]+ [A-Z][a-z]+$", bare):
        return ORGANISATION_AS_AUTHOR
    if len(key) >= 6 and any(key in t for t in titles):
        return PART_OF_TITLE
    words = [w for w in bare.split() if w not in word_set("surname_particles")]  # 'van', 'de' (written small; 'Du' is a family name)
    if _CJK.search(bare):
        return "" if len(key) <= 6 else NAMES_RUN_TOGETHER
    if len(words) > in_force().person_max_words:
        return NAMES_RUN_TOGETHER
    if inst.is_place(bare) or _VENUE_LINE.search(bare):
        return NOT_A_PERSON
    if len(words) < 2 or re.fullmatch(r"[A-Z]\.?", words[-1]) or _FIELD_WORD.search(bare) or \
            any(w[:1].isalpha() and not w[:1].isupper() for w in words):
        return NOT_A_PERSON  # a given name and a family name, not a word, an initial left alone or a subject
    return ""


def institution_faults(names: list[str], people: list[str], others: list[str] = ()) -> str:
    """Why this list is not the paper's organisations (several run together with their markers,
    a person, an address alone, no organisation at all, another reading's organisation with more
    run into it), or ''."""
    persons = {_person_key(p) for p in people}
    faults = [(why, name) for name in names if (why := _organisation_fault(name, persons) or _run_into(name, names, others))]
    faults.sort(key=lambda fault: -_severity(fault[0]))
    return f"{faults[0][0]}: “{faults[0][1][:80]}”" if faults else ""


def _severity(fault: str) -> int:
    """0 for none; 1 for a name with no sign of an organisation (some real ones carry none:
    '<Name> <Name> Biohub'); 2 for anything else."""
    return 0 if not fault else 1 if fault.startswith(NO_ORGANISATION) else 2


def _run_into(name: str, mine: list[str], others: list[str]) -> str:
    """'EURECOM Google Inc.' where the other reading has 'EURECOM' and 'Google Inc.'; 'LLM-Core
    Xiaomi' where it has 'Xiaomi' (and this reading does not list that name on its own)."""
    key, own = inst.fold(name), {inst.fold(m) for m in mine}
    inside = [o for o in others if len(inst.fold(o)) >= 3 and inst.fold(o) != key and inst.fold(o) in key
              and _whole_words_in(o, name) and inst.fold(o) not in own and not _forms(o) & _forms(name)
              and not _institute_of(name, o) and not _organisation_fault(o, set())]  # no organisation: nothing run into
    if len(inside) >= 2:
        return SEVERAL_ORGANISATIONS
    return RUN_INTO if inside else ""


def _whole_words_in(part: str, name: str) -> bool:
    """`part` in `name` as whole words ('University of Leed' is not inside 'University of Leeds')."""
    words = [re.escape(w) for w in re.findall(r"\w+", part)]
    return not words or bool(re.search(r"(?<!\w)" + r"\W+".join(words) + r"(?!\w)", name, re.I))


_INSTITUTE = re.compile(r"\b(?:Institutes?|Laborator(?:y|ies)|Labs?|Cent(?:er|re)s?)\b|研究所|研究院|实验室|中心", re.I)
_UNIT_HEAD = re.compile(r"^(?:the\s+)?(?:department|dept\b|school|faculty|division|college)", re.I)


def _institute_of(name: str, org: str) -> bool:
    """'Institute of Information Engineering, CAS' around the other reading's 'CAS' (or 'Chinese
    Academy'), '<Engineering Research Center>, Ministry of Education' around 'Ministry of
    Education': an academy's or a ministry's institute is an organisation of its own (the corpus
    keeps it whole), not words run into the other's name."""
    words = [re.escape(w) for w in org.split()]
    rest = re.sub(r"\W+".join(words), " ", name, flags=re.I).strip(" ,;()（）") if words else ""
    return (rest != name.strip(" ,;()（）") and inst.institute_of_academy(name)
            and bool(_INSTITUTE.search(rest)) and not _UNIT_HEAD.match(rest))


def _organisation_fault(name: str, persons: set[str]) -> str:
    text = name.strip()
    if _EMAIL_OR_LINK.search(text):
        return NO_ORGANISATION
    if inst.fold(text) in persons or _person_key(text) in persons:
        return PERSON_AS_ORGANISATION
    if len([p for p in _CELL_GAP.split(text) if p.strip() and _ORG_WORD.search(p)]) >= 2 or _run_together(text):
        return SEVERAL_ORGANISATIONS
    if inst.is_place(text) or (_ADDRESS.search(text) and not _ORG_WORD.search(text)):
        return ADDRESS_ALONE
    if _GLUED_MARKER.search(text):
        return MARKERS_KEPT
    if len(text.split()) > 14 or re.search(r"\banonymous\b|匿名", text, re.I) or re.match(r"[a-z]{2,}\s+[a-z]", text) \
            or not inst.reads_as_organisation(text):
        return NO_ORGANISATION
    return ""


def _run_together(text: str) -> bool:
    """Two organisations in one name: an organisation's last word followed by another name that
    carries an organisation word ('Tsinghua University2 ModelBest Inc.', '清华大学 北京大学')."""
    words = re.sub(r"(?<=[A-Za-z.])\d{1,2}(?=\s)", "", text).split()
    for cut in range(2, len(words)):
        head, tail = " ".join(words[:cut]), " ".join(words[cut:])
        if _ORG_END.search(head.rstrip(",")) and words[cut][:1].isupper() and not re.match(r"(?:of|for|at)\b", words[cut]) \
                and _ORG_WORD.search(tail) and not tail.startswith("("):
            return True
    cjk = [w for w in text.split() if _CJK.search(w)]
    return len(cjk) >= 2 and sum(bool(re.search(r"(?:大学|研究院|研究所|公司)$", w)) for w in cjk) >= 2


def _fragment_of(short: str, whole: str) -> bool:
    """A piece of a longer title: the start of it cut at a line break, or any other part."""
    a, b = inst.fold(short), inst.fold(whole)
    return bool(a) and len(a) < len(b) and a in b


def _person_key(name: str) -> str:
    return inst.fold(_MARKS.sub("", name))


# ---- two readings, one decision -----------------------------------------------------------------


def rules_reading(paper: Paper) -> Reading:
    return Reading(title=paper.title, authors=paper.authors, institutions=paper.institutions)


def published(rules: Paper, brief: Brief | None) -> Paper:
    """The paper as a report shows it, from the rules' reading and the brief's grounded one."""
    return decide(rules, brief.reading, brief.dropped) if brief is not None else decide(rules, None, [])


def decide(rules: Paper, reading: Reading | None, dropped: list[Dropped]) -> Paper:
    """The paper as published: each field weighed between the rules' reading and the grounded
    model reading (see the module's docstring). Every disagreement is kept, with what won and why."""
    base = rules.model_copy(update={"rules_reading": rules_reading(rules)})
    if reading is None:
        return base
    page = registry.Context(rules.header_text)
    lost = {d.field for d in dropped}  # a field the model filled with names the page does not back
    update: dict = {"model_reading": reading}
    confidence = dict(rules.confidence)
    notes: list[str] = []
    unsettled: dict[str, str] = {}
    overruled: dict[str, str] = {}
    won = False
    for field in FIELDS:
        ours, theirs = getattr(rules, field), getattr(reading, field)
        if _same(field, ours, theirs, page):
            confidence[field] = FieldDoubt()
            continue
        verdict = _weigh(field, rules, reading, field in lost, page)
        notes.append(f"{field}: the rules read {_show(ours)}, the model {_show(theirs)}; {verdict.note}")
        if verdict.model_wins:
            update[field] = _published_form(field, theirs, rules, page)
            confidence[field] = FieldDoubt(confidence=in_force().model_reading_confidence,
                                           reason="the model's reading, printed on page 1")
            won = True
        elif verdict.unsettled:
            unsettled[field] = verdict.note
        elif theirs:
            overruled[field] = verdict.note
    spelt = _spelt_out(update.get("institutions", rules.institutions), reading.institutions)
    if spelt != update.get("institutions", rules.institutions):
        update["institutions"] = spelt
    if "authors" in update:
        update["author_count"] = count_of_people(reading.authors, rules.author_count)  # a team is no count of people
    source = MetadataSource.MODEL if won else MetadataSource.RULES_AND_MODEL
    update.update(confidence=confidence, disagreements=notes, metadata_source=source, unsettled=unsettled, overruled=overruled)
    update["confident"] = all(d.confidence >= LOW for d in confidence.values())
    return base.model_copy(update=update)


@dataclass(frozen=True)
class Verdict:
    """What one field's disagreement came to: whose reading is published, why, and whether it is settled."""

    model_wins: bool
    note: str
    unsettled: bool = False


def _weigh(field: str, rules: Paper, reading: Reading, lost: bool, page: registry.Context) -> Verdict:
    ours, theirs = getattr(rules, field), getattr(reading, field)
    if not theirs:
        return Verdict(False, "the model's reading did not hold on page 1; the rules' reading stands" if lost
                       else "the model read none; the rules' reading stands")
    ours_wrong = _faults(field, _own(field, ours, theirs, page), rules, rules, reading) if ours else NOTHING
    theirs_wrong = _faults(field, _own(field, theirs, ours, page), reading, rules, rules)
    if not ours and rules.author_count == 0 and field != "title":
        ours_wrong = ""  # an anonymous paper: nobody named is the rules' reading, not a failure to read
    if _severity(theirs_wrong) > _severity(ours_wrong):
        return Verdict(False, f"the model's is {theirs_wrong}; the rules' reading stands")
    if _severity(ours_wrong) > _severity(theirs_wrong) and ours_wrong != NOTHING:
        return Verdict(True, f"the rules' is {ours_wrong}; the model's grounded reading is kept")
    if ours_wrong == NOTHING:
        return (Verdict(True, "the rules read none; the model's grounded reading is kept") if not theirs_wrong else
                Verdict(False, f"the model's is {theirs_wrong}; the rules' reading (none) stands"))
    if ours_wrong:
        return Verdict(False, f"both fail (the rules' is {ours_wrong}; the model's is {theirs_wrong}); "
                              f"the rules' reading stands, unsettled", unsettled=True)
    if field != "title":
        if _covers(field, theirs, ours, page) and len(theirs) > len(ours):
            return Verdict(True, f"the rules' is {PARTIAL}; the model's grounded reading is kept")
        if _covers(field, ours, theirs, page) and len(ours) > len(theirs):
            return Verdict(False, f"the model's is {PARTIAL}; the rules' reading stands")
        if lost and rules.sure(field):
            return Verdict(False, f"the model's is {LOST_IN_GROUNDING}; the rules' reading stands")
    if not rules.sure(field):
        return Verdict(True, f"the rules doubt theirs ({rules.confidence[field].reason}); the model's grounded reading is kept")
    return Verdict(False, "both readings pass the checks and the rules are sure of theirs; the rules' reading stands, "
                          "unsettled", unsettled=True)


def _faults(field: str, value, mine: Paper | Reading, rules: Paper | Reading, other: Paper | Reading) -> str:
    """What one reading's value of a field fails, judged with its own other fields and the rules'
    (a model's stray author cannot make the rules' title the author line)."""
    if field == "title":
        return title_faults(value, _unique([*mine.authors, *rules.authors]), other.title)
    if field == "authors":
        return author_faults(value, _unique([mine.title, rules.title]), _unique([*mine.institutions, *rules.institutions]))
    return institution_faults(value, _unique([*mine.authors, *rules.authors]), [] if mine is rules else rules.institutions)


def _own(field: str, value, other, page: registry.Context):
    """The part of a reading the other does not share: a name both read is no reason to prefer either."""
    if field == "title":
        return value
    if field == "authors":
        keys = {_person_key(o) for o in other}
        return [v for v in value if _person_key(v) not in keys]
    return [v for v in value if not any(_one_organisation(v, o, page) for o in other)]


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


def _covers(field: str, more: list[str], fewer: list[str], page: registry.Context) -> bool:
    """Every name of `fewer` is one of `more` (a person folded, markers gone; an organisation in any of its forms)."""
    if field == "authors":
        keys = {_person_key(m) for m in more}
        return all(_person_key(f) in keys for f in fewer)
    return all(any(_one_organisation(f, m, page) for m in more) for f in fewer)


def _same(field: str, ours, theirs, page: registry.Context) -> bool:
    if field == "title":
        return inst.fold(ours) == inst.fold(theirs)
    if field == "authors":
        return sorted(map(_person_key, ours)) == sorted(map(_person_key, theirs))
    if sorted(map(inst.fold, ours)) == sorted(map(inst.fold, theirs)):
        return True
    return len(ours) == len(theirs) and all(any(_one_organisation(a, b, page) for b in ours) for a in theirs)


def _one_organisation(a: str, b: str, page: registry.Context) -> bool:
    """Two forms of one organisation: folded alike, one the other's bracketed short form, or one
    registry organisation ('清华大学' and 'Tsinghua University'; a lab in brackets is not its
    company: 'Tencent (WeChat AI)' is not 'Tencent Inc.')."""
    if _forms(a) & _forms(b):
        return True
    if any(registry.same_organisation(x, y, page) for x in _parts(a) for y in _parts(b)):
        return True
    if not (_CJK.search(a) or _CJK.search(b)):
        return False
    one, other = _chinese_row(a), _chinese_row(b)  # a Chinese name and its organisation ('知乎', 'Zhihu Inc.')
    return one is not None and other is not None and inst.fold(one.name) == inst.fold(other.name)


def _chinese_row(name: str):
    """The organisation table's row for a name (the hand table, else the registry's one organisation
    of that name); a lab in brackets is not its company, so a bracketed name has none."""
    return None if _BRACKETED.fullmatch(name) else inst.known(name)


def _parts(name: str) -> list[str]:
    """A name, and for 'Full Name (Short)' its short form (not the full name alone: that would
    lose a campus, 'X (Guangzhou)')."""
    match = _BRACKETED.fullmatch(name)
    return [name, match.group(2)] if match else [name]


def _forms(name: str) -> set[str]:
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


def _published_form(field: str, value, rules: Paper, page: registry.Context):
    """The model's winning reading as a report prints it: authors without copied markers,
    institutions in page 1's form."""
    if field == "authors":
        return [_MARKS.sub("", a).strip() for a in value]
    if field == "institutions":
        return _as_printed(value, rules.institutions, page)
    return value


# ---- one form in 主要机构 ------------------------------------------------------------------------


def _spelt_out(names: list[str], model_names: list[str]) -> list[str]:
    """A short form read alone ('HKUST') as the model spells it out around the same short form
    ('The Hong Kong University of Science and Technology (HKUST)'): the full name with page 1's form."""
    out = []
    for name in names:
        full = [m for m in model_names if (match := _BRACKETED.fullmatch(m))
                and inst.fold(match.group(2)) == inst.fold(name) and " " in match.group(1).strip()]
        out.append(full[0] if len(full) == 1 else name)
    return out


def _as_printed(names: list[str], rules_names: list[str], page: registry.Context) -> list[str]:
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
    same = next((r for r in rules_names if _one_organisation(name, r, page)), None)
    if same is not None:
        return same
    row = _chinese_row(name) if _CJK.search(name) else None  # a Chinese name ('耶鲁大学') whose table name page 1 prints
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
    if not key or (_CJK.search(name) and not _CJK.search(page.text)):
        return False
    if len(key) <= 5 and " " not in name.strip() and not _CJK.search(name):
        return key in {inst.fold(w) for w in page.words}
    return key in page.folded


def _show(value: str | list[str]) -> str:
    if isinstance(value, str):
        return f"“{value[:120]}”" if value else "nothing"
    return "[" + "; ".join(v[:80] for v in value[:12]) + (" …" if len(value) > 12 else "") + "]" if value else "nothing"
