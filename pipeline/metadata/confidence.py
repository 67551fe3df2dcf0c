"""How far each field read by the rules can be trusted, from plausibility checks alone. Each check
names its reason, so a doubtful field is left out of the report with it (and sent to the grounded
model) instead of printing junk. An implausible institution is dropped and named in the doubt."""

from __future__ import annotations

import re

from ..models import LOW_CONFIDENCE, FieldDoubt
from ..names import institutions as inst
from ..names import registry
from ..names.vocabulary import Pattern, either, word_set
from ..rules import in_force
from .field_doubts import abstract_doubt, author_doubt, line_under_byline, title_doubt
from .piece_doubts import acronym_joined, cut_at_line_end, entries_without_organisation, misread_pieces, subject_units, units_named_after

__all__ = ["LOW", "abstract_doubt", "author_doubt", "doubts", "institution_doubts", "title_doubt"]

LOW = LOW_CONFIDENCE
_WIDE = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")
_SENTENCE = re.compile(r"[。！？]|\b(?:we|our|this paper|is|are|was|were|to)\b", re.I)
_DEPARTMENT = re.compile(r"^(?:the\s+)?(?:department|dept\.?|school|faculty|division) (?:of|for)\b(?!.*,)", re.I)
_NOT_ORG = re.compile(r"^[a-z]+\s(?!(?:Inc|Ltd|LLC|GmbH|Corp)\b)|[:=@]|\d{3,}|^\W|\b(?:includes?|to [A-Z]{2,})\b|^[A-Z]\.\s?[A-Z][a-z]+$")


def institution_doubts(names: list[str], authors: list[str]) -> tuple[list[str], list[str]]:
    """(names kept, names dropped): a kept name looks like an organisation, not a date, a sentence,
    a fragment, a person or a department alone."""
    people = {inst.fold(a) for a in authors}
    kept, dropped = [], []
    for name in names:
        bad = (
            _NOT_ORG.search(name) or len(name.split()) > in_force().org_max_words or inst.fold(name) in people
            or (len(name.split()) > in_force().sentence_min_words and _SENTENCE.search(name)) or _DEPARTMENT.match(name)
        )
        (dropped if bad else kept).append(name)
    return kept, dropped


_CELL_GAP = re.compile(r"\s{3,}")  # header_block puts three spaces between a line's cells
_NOTE_LETTER = re.compile(r"^(?:[a-z]\)?|\d*\))\s+")  # 'b College of ...', '1) 上海交通大学': a marker read as a word


def _is_name(part: str) -> bool:
    """A printed name: capitals but for connectives, no digits ('<Name> University', not 'the grant <number>')."""
    words = part.split()
    return (len(words) <= in_force().printed_org_max_words and not re.search(r"\d", part) and bool(re.match(r"[A-Z\u4e00-\u9fff]", part))
            and all(w[:1].isupper() or w.lower() in word_set("name_connectives") or not w[:1].isalpha() or _WIDE.match(w) for w in words))


def _registered(part: str) -> bool:
    """The registry names one organisation so (two words at least: one word matches too much)."""
    bare = re.sub(r"\s*\([^)]*\)$", "", part)
    words = [w for w in bare.split() if w.lower() not in word_set("name_connectives")]
    return (len(words) > 1 or bool(_WIDE.search(bare))) and registry.identify(bare) is not None


def _kept_forms(kept: list[str]) -> list[tuple[set[str], str]]:
    """Each kept name's folded forms (whole, without and as its bracketed short form) and itself folded."""
    out = []
    for name in kept:
        forms = {inst.fold(re.sub(r"\s*\([^)]*\)$", "", name)), inst.fold(name)}
        forms |= {inst.fold(m) for m in re.findall(r"\(([^()]+)\)$", name)}
        out.append(({f for f in forms if f}, inst.fold(name)))
    return out


def _covers(text: str, kept: list[tuple[set[str], str]]) -> bool:
    """A kept name (or its bracketed short form) printed in this text, or the text a piece of a
    kept name (a name wrapped over two lines)."""
    folded = inst.fold(text)
    return any(folded in whole or any(f in folded for f in forms) for forms, whole in kept)


_MARKED_NOTE = re.compile(r"^[*∗†‡§¶]\s*\S[^@]{0,60}?\s\S+@\S+\.\w+$")  # '∗ <ABCD>. name@<abcd>.<domain>': an author's affiliation note


_REVIEW_NOTE = re.compile(r"\b(?:peer review under (?:the )?responsibility of|hosting by|open access article under)\b", re.I)


_FUNDING_LABEL = re.compile(r"^\s*(?:funding|financial support|acknowledge?ments?|conflicts? of interest)\s*[:：]", re.I)


def _cells_but_notices(header: str) -> list[str]:
    """The header's cells without a rights line or a proceedings' note, and the line it runs on to
    ('Copyright by the' / 'International Federation of <X>'): they name a publisher, not an
    affiliation. A title page's 'Funding:' section, to the end of its sentence, names funders."""
    cells, open_notice, in_funding = [], False, False
    for line in header.splitlines():
        ends = bool(re.search(r"[.)]\s*$", line))
        in_funding = in_funding or bool(_FUNDING_LABEL.match(line))
        if in_funding:
            in_funding = not ends
            continue
        notice = bool(_PUBLISHER.search(line) or _REVIEW_NOTE.search(line))
        runs_on, open_notice = open_notice, notice and not ends
        if not (notice or runs_on):
            cells += _CELL_GAP.split(line.title() if line.islower() else line)  # small capitals, read as lower case
    return cells


def _initials(part: str) -> bool:
    """'M. T', 'J. D': a person's initials (a correspondence note), no organisation."""
    return all(len(w.strip(".")) <= 1 for w in part.split())


def unread_organisations(header: str, kept: list[str]) -> list[str]:
    """Organisations page 1's header prints in a cell no kept name accounts for. With names kept,
    only what the registry knows counts; with none, an organisation word or an author's marked
    note with an address is enough."""
    found, forms = [], _kept_forms(kept)
    kept_ids = {org.id for org in map(registry.identify, kept) if org is not None}  # '北京交通大学' accounts for its English name
    for cell in _cells_but_notices(header):
        if _covers(cell, forms):  # an entry read; but an acronym beside the name read may be another organisation
            found += [p for p in inst.entry_parts(cell) if _known_acronym(p) and not _covers(p, forms) and p not in found]
            continue
        if not kept and _MARKED_NOTE.match(cell.strip()):
            found.append(re.sub(r"\S+@\S+", "", cell).strip(" *∗†‡§¶."))
            continue
        for part in inst.entry_parts(_NOTE_LETTER.sub("", cell.strip())):
            if not _is_name(part) or inst.is_unit_or_generic(part) or _covers(part, forms) or part in found or _initials(part) \
                    or part.endswith(" Team"):  # a report's signature names a team, no organisation
                continue
            if (_registered(part) and getattr(registry.identify(part), "id", None) not in kept_ids) \
                    or (not kept and inst.has_organisation_word(part)):
                found.append(part)
    return found


def _known_acronym(part: str) -> bool:
    """'<Institute>, MPI-IS': an acronym the table or the registry knows, printed in an entry beside the
    name read, names an organisation of its own."""
    return bool(re.fullmatch(r"[A-Z][A-Z-]{2,}[A-Z]", part.strip())) and inst.known(part.strip()) is not None


def _below_title(header: str, title: str) -> bool:
    """Whether the header prints anything besides the title (where authors would stand): words,
    not a page number, a stray mark or the template's blank for an institution."""
    folded = inst.fold(title)
    if any(inst.is_placeholder(line.strip()) for line in header.splitlines()):
        return False  # 'No Institute Given': the template's blank, printed where nobody was named
    return any(inst.fold(line) not in folded for line in header.splitlines() if _has_word(line))


def _has_word(line: str) -> bool:
    """A line with a word in it: a page number or a stray mark ('1', 'a') names nobody."""
    return bool(re.search(r"[^\W\d_]{2}|[\u4e00-\u9fff]", line))


def glued_names(kept: list[str]) -> list[str]:
    """Kept names that are an organisation the registry knows with a person's name before it
    ('<Given> <Family> University College <Town>': a name cell run into an affiliation)."""
    glued = []
    for name in kept:
        if registry.identify(name) is not None:  # 'The Chinese University of Hong Kong' is one organisation
            continue
        words = name.split()
        for cut in range(2, len(words) - 1):
            head, tail = " ".join(words[:cut]), " ".join(words[cut:])
            if _is_name(head) and not inst.looks_like_affiliation(head) and not inst.known(head) and head[-1].isalpha() \
                    and registry.identify(tail) is not None:
                glued.append(name)
                break
    return glued


_INDEPENDENT = re.compile(r"(?<![A-Za-z])(?:independent researcher|unaffiliated|independent scholar)\b", re.I)  # a number naming none
_NOTE_START = re.compile(r"^(?:equal(?:ly)? contribut\w*|corresponding authors?|work done\b|these authors\b|contributed equally)", re.I)


def note_run_in(kept: list[str]) -> list[str]:
    """Kept names a note's words run into ('Equal contribution <Name> Institute of Technology'):
    a footnote's marker was not seen, so the note and the affiliation read as one name."""
    return [name for name in kept if _NOTE_START.match(name)]


_ORG_END = Pattern(lambda: rf"\b(?:{either('confidence_name_ends')})$")


def two_run_together(kept: list[str]) -> list[str]:
    """Kept names that are two organisations printed without a separator ('<A> University <B>
    Institute'): the registry knows the first whole, and the rest ends as an organisation does."""
    out = []
    for name in kept:
        words = name.split()
        if registry.identify(name) is not None:
            continue
        for cut in range(2, len(words) - 1):
            head, rest = " ".join(words[:cut]), words[cut:]
            joined = rest[0] in ("and", "&")  # '<A> College <Town> and <B> Laboratory': two joined
            tail = " ".join(rest[1:] if joined else rest)
            if ((_ORG_END.search(head) or joined) and tail[:1].isupper() and _ORG_END.search(tail) and registry.identify(head) is not None
                    and not inst.is_unit_or_generic(tail)):
                out.append(name)
                break
    return out


_PARENT_BODY = re.compile(r"\b(?:academy|academia|ministry)\b", re.I)
_ACADEMIC_UNIT = re.compile(r"^(?:the\s+)?(?:department|dept\.?|school|faculty|college|division|chair)\b", re.I)


def _parent_body(name: str) -> bool:
    """An academy or a ministry, by its name or by the name its short form stands for ('CAS')."""
    row = inst.known(name) if re.fullmatch(r"[A-Z]{2,6}", name) else None
    return bool(_PARENT_BODY.search(name) or (row is not None and _PARENT_BODY.search(row.name)))


_WITH = re.compile(r"^.*\b(?:is|are)\s+(?:also\s+)?(?:now\s+)?with\s+(?:the\s+)?", re.I)


def _printed_pairs(header: str) -> list[tuple[str, str]]:
    """Each part of the header's cells and the part printed after it ('<X>, <Y>'). A one-word
    part that opens a line ('Technology, <Academy>') ends a name wrapped from the line above, and
    takes that line's last part ('... with the <X> Institutes of Advanced' + 'Technology')."""
    out, last, comma = [], "", False
    header = re.sub(r"(?<=[a-z])[-\u00ad]?\n(?=[a-z]+[,.;])", "", header)  # 'Univer-' / 'sity,': one word, its hyphen dropped or not
    for line in header.splitlines():
        for k, cell in enumerate(_CELL_GAP.split(line)):
            parts = [_WITH.sub("", part) for part in inst.entry_parts(cell)]
            if k == 0 and parts and last and comma:  # '<X> Institute of Technology (SIAT),' / '<Academy>, ...'
                out.append((last, parts[0]))
            elif k == 0 and parts and last and re.fullmatch(r"[A-Z][a-z]+", parts[0]):
                parts[0] = f"{last} {parts[0]}"
            out += list(zip(parts, parts[1:], strict=False))
        tail = inst.entry_parts(_CELL_GAP.split(line)[-1])
        last = _WITH.sub("", tail[-1]) if tail and not re.search(r"[.;:]\s*$", line) else ""
        comma = line.rstrip().endswith(",")
    return out


def _before_parent(header: str, name: str) -> list[str]:
    """The parts printed just before ', <name>' in the header (where it closes a longer name)."""
    return [before for before, after in _printed_pairs(header) if inst.fold(after) == inst.fold(name)]


def unread_institutes(header: str, kept: list[str]) -> list[str]:
    """'<Institute>, <Academy>' printed where no kept name is either: an academy's institute
    ('ICT, CAS') that was not read."""
    forms = _kept_forms(kept)
    named = {f for group, _ in forms for f in group}
    return [f"{before}, {after}" for before, after in _printed_pairs(header)
            if _parent_body(after) and len(after.split()) <= in_force().parent_max_words and _organisation_like(before) and _is_name(before)
            and not _ACADEMIC_UNIT.match(before) and not _covers(before, forms) and inst.fold(after) not in named]


_PUBLISHER = re.compile(r"©|copyright|all rights reserved|published by|permission|\b(?:elsevier|springer|wiley|ieee|acm|iop)\b|"
                        r"contents lists available", re.I)  # ... and the journal's name on the line after Elsevier's
# 'X Research & Y Lab' is two organisations, and 'Google, Inc.' a legal form: neither is a company's lab
_NOT_A_LAB = re.compile(r"(?:&|\band)\s*$|^\W*(?:inc|ltd|llc|corp|gmbh)\W*$", re.I)


def unit_before_its_organisation(kept: list[str], header: str) -> list[str]:
    """'<kept>, <Organisation>' where the organisation, not kept and not filed under the kept name (an
    agency under its department), is printed ('… with the <Name> Laboratory, <Name> University')."""
    forms = _kept_forms(kept)
    named = {f for group, _ in forms for f in group}
    return [f"{before}, {after}" for before, after in _printed_pairs(header)
            if inst.fold(before) in named and not _covers(after, forms) and _is_name(after) and len(after.split()) > 1
            and _organisation_not_company(after)  # and not the kept name itself spelt out ('KAIST, Korea Advanced Institute of …')
            and getattr(registry.identify(before), "id", 0) not in (registry.identify(after).parent_id, registry.identify(after).id)]


def _organisation_not_company(name: str) -> bool:
    """The registry's one organisation of that name, unless a company (a lab before it: the company-lab doubt's case)."""
    org = registry.identify(name)
    return org is not None and org.type != "company"


_COMPANY = re.compile(r"^[A-Z][\w&.-]*(?:\s+[A-Z][\w&.-]*){0,3},?\s+(?:Inc|Ltd|LLC|GmbH|Corp|Co\.,? Ltd)\.?$")


def unread_companies(header: str, kept: list[str]) -> list[str]:
    """Companies page 1 prints by their legal form ('<Name> Inc.') that no kept name accounts for."""
    forms = _kept_forms(kept)
    found, previous = [], ""
    for line in header.splitlines():
        wrapped, previous = bool(re.search(r"(?:\b[a-z]+|\bfor|\bof|\bthe)\s*$", previous)), line
        if wrapped or _PUBLISHER.search(line):  # a sentence run on from the line above, a copyright line
            continue
        cell = _CELL_GAP.split(line)[0]
        for part in re.split(r"(?<=\.)\s+|[;]|\s{2,}", re.sub(r"[\d*∗†‡§¶⋄ˇ“(]+(?=\s|$)", " ", cell)):
            part = part.strip(" ,")
            if _COMPANY.match(part) and not _covers(part, forms) and not _covers(re.sub(r",?\s+\S+$", "", part), forms):
                found.append(part)
    return found


def parent_for_its_institute(kept: list[str], header: str) -> list[str]:
    """Kept academies or ministries that page 1 prints only after an organisation of their own
    ('<X> Institutes of Advanced Technology, Chinese Academy of Sciences', '<X> Research Center,
    Ministry of Education'): the paper's organisation is the institute, which was not kept."""
    forms = _kept_forms(kept)
    out = []
    for name in kept:
        if not _parent_body(name):
            continue
        before = _before_parent(header, name)
        if before and all(not _ACADEMIC_UNIT.match(part) and not _covers(part, forms) and _organisation_like(part) for part in before):
            out.append(name)
    return out


def _organisation_like(part: str) -> bool:
    """A short form, or a name with an organisation's word, ending or registry entry."""
    part = re.sub(r"\s*\([^()]*\)$", "", part)  # '<Name> (<ABBR>)'
    return (bool(re.fullmatch(r"[A-Z]{2,6}", part)) or inst.has_organisation_word(part) or _ORG_END.search(part) is not None
            or registry.identify(part) is not None)


def short_form_again(kept: list[str]) -> list[str]:
    """A kept short form that spells another kept name's initials ('UPB' beside 'University
    Politehnica of Bucharest'): one organisation read twice."""
    out = []
    for name in kept:
        if not re.fullmatch(r"[A-Z]{2,6}", name):
            continue
        for other in kept:
            initials = "".join(w[0] for w in re.findall(r"[A-Za-z][\w'-]*", other) if w[0].isupper())
            if other != name and initials == name:
                out.append(name)
                break
    return out


def doubts(title: str, authors: list[str], count: int | None, anonymous: bool,
           kept: list[str], dropped: list[str], abstract: str, cited: int = 0, labs: list[str] = (),
           entries: list[str] = (), header: str = "") -> dict[str, FieldDoubt]:
    """One FieldDoubt per field: its confidence and, when low, why. `entries` are the affiliation
    entries as printed (two entries of one university are one name but two numbers)."""
    rules = in_force()
    author_reason = author_doubt(authors, count, anonymous)
    out = {
        "title": _doubt(title_doubt(title)),
        "authors": FieldDoubt(confidence=LOW, reason=author_reason) if count == 0 and author_reason else _doubt(author_reason),
        "abstract": _doubt(abstract_doubt(abstract)),
    }
    if dropped := misread_pieces(dropped, kept, authors):
        out["institutions"] = FieldDoubt(confidence=rules.not_organisations, reason=f"dropped as not organisations: {'; '.join(dropped)}")
    elif [n for n in kept if not inst.reads_as_organisation(n)]:
        plain = [n for n in kept if not inst.reads_as_organisation(n)]
        out["institutions"] = FieldDoubt(confidence=rules.no_sign_or_uncounted, reason=f"no sign of an organisation in: {'; '.join(plain)}")
    elif glued := glued_names(kept):
        out["institutions"] = FieldDoubt(confidence=rules.glued_or_unread,
                                         reason=f"a person's name run into an organisation: {'; '.join(glued)}")
    elif glued := note_run_in(kept) + two_run_together(kept):
        out["institutions"] = FieldDoubt(confidence=rules.glued_or_unread, reason=f"a note or a second organisation run into a name: "
                                                                        f"{'; '.join(glued)}")
    elif parents := parent_for_its_institute(kept, header):
        out["institutions"] = FieldDoubt(confidence=rules.glued_or_unread, reason=f"{'; '.join(parents)} is printed after an organisation "
                                                                        "of its own, which was not read")
    elif cut := cut_at_line_end(header, kept):
        out["institutions"] = FieldDoubt(confidence=rules.glued_or_unread, reason=f"a name was cut where its line ended: "
                                                                        f"{'; '.join(cut)} opens the next line alone")
    elif units := units_named_after(kept) + subject_units(kept) + acronym_joined(kept):
        out["institutions"] = FieldDoubt(confidence=rules.glued_or_unread, reason="a unit, or two organisations, read as one organisation: "
                                                                        f"{'; '.join(units)}")
    elif unnamed := entries_without_organisation(entries):
        out["institutions"] = FieldDoubt(confidence=rules.glued_or_unread, reason="an entry names an address but no organisation "
                                                                        f"the rules could read: {'; '.join(u[:80] for u in unnamed)}")
    elif again := short_form_again(kept):
        out["institutions"] = FieldDoubt(confidence=rules.glued_or_unread,
                                         reason=f"a short form read beside the name it stands for: {'; '.join(again)}")
    elif labs := [lab for lab in labs if not _NOT_A_LAB.search(lab)]:
        out["institutions"] = FieldDoubt(confidence=rules.company_lab, reason=f"a company is printed with its lab ({'; '.join(labs)}); "
                                                                    "which one the paper means is unsure")
    elif cited > max(len(kept), len(entries)) + len(_INDEPENDENT.findall(header)) and not anonymous:
        out["institutions"] = FieldDoubt(confidence=rules.no_sign_or_uncounted, reason=f"the authors cite affiliation {cited}, "
                                                                             f"but only {max(len(kept), len(entries))} were read")
    elif unread := (unread_organisations(header, kept) + unread_institutes(header, kept) + unread_companies(header, kept)
                    + unit_before_its_organisation(kept, header)):
        out["institutions"] = FieldDoubt(confidence=rules.glued_or_unread, reason="page 1 prints organisations none of the names read "
                                                                        f"accounts for: {'; '.join(unread[:3])}")
    elif not kept and count == 0 and not anonymous and _below_title(header, title):
        out["institutions"] = FieldDoubt(confidence=rules.no_sign_or_uncounted, reason="neither authors nor institutions read: the header "
                                                                             "may be laid out as the rules do not expect")
    elif not kept and count and (worded := [e for e in entries if _has_word(e)]):
        out["institutions"] = FieldDoubt(confidence=rules.no_sign_or_uncounted, reason=f"{len(worded)} affiliation entries were "
                                                                             "printed, but no organisation was read from them")
    elif not kept and count and (why := line_under_byline(header, authors, title)):
        out["institutions"] = FieldDoubt(confidence=rules.no_sign_or_uncounted, reason=why)
    elif not kept and count:
        out["institutions"] = FieldDoubt(confidence=LOW, reason="none printed on page 1 that the rules could read")
    else:
        out["institutions"] = FieldDoubt(confidence=1.0)
    return out


def _doubt(reason: str) -> FieldDoubt:
    return FieldDoubt(confidence=in_force().failed_check if reason else 1.0, reason=reason)
