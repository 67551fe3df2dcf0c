"""Two readings of page 1's header, one decision: what a report publishes.

The rules read the header by layout; the model reads it in the brief call, and grounding.py keeps
only the names page 1 prints. That is not enough against a small model that copies the header by
position (a running head as the title, the title's second line as an author, a line of
affiliations with their markers as one institution): all of it is printed. So the two readings
are weighed, field by field:

- where they agree, the field is sure;
- where they differ, each is checked for what a field of its kind must be (field_checks.py); a
  reading that fails loses to one that passes;
- where both pass, the complete reading beats a partial one (the other's names and more), and a
  model reading that lost names in grounding does not beat a sure rules reading;
- otherwise the rules' reading stands where the rules are sure, and the field is marked as
  unsettled; where the rules doubt it, the model's reading is kept.

Every disagreement is kept with its reason; the model's readings that lost are counted.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..models import Brief, Dropped, FieldDoubt, MetadataSource, Paper, Reading
from ..names import institutions as inst
from ..names import registry
from ..rules import in_force
from .authors import count_of_people
from .confidence import LOW
from .field_checks import MARKS, NOTHING, author_faults, institution_faults, person_key, severity, title_faults
from .forms import as_printed, one_organisation, spelt_out

FIELDS = ("title", "authors", "institutions")

PARTIAL = "partial: the other reading has these names and more"
LOST_IN_GROUNDING = "partial: grounding dropped some of the model's names, and the rules are sure"


# ---- two readings, one decision -----------------------------------------------------------------


def rules_reading(paper: Paper) -> Reading:
    return Reading(title=paper.title, authors=paper.authors, institutions=paper.institutions)


def published(rules: Paper, brief: Brief | None) -> Paper:
    """The paper as a report shows it, from the rules' reading and the brief's grounded one. The
    page's working text (the header block, the rules' reasons) stays behind: no report shows it,
    and a run holds every published paper to its end."""
    paper = decide(rules, brief.reading, brief.dropped) if brief is not None else decide(rules, None, [])
    return paper.model_copy(update={"header_text": "", "decisions": []})


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
    spelt = spelt_out(update.get("institutions", rules.institutions), reading.institutions)
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
    if severity(theirs_wrong) > severity(ours_wrong) and not _names_the_doubt(field, rules, theirs, ours, page):
        return Verdict(False, f"the model's is {theirs_wrong}; the rules' reading stands")
    if field == "institutions" and severity(ours_wrong) <= 1 and not theirs_wrong and _covers(field, ours, theirs, page) \
            and len(ours) > len(theirs) and not {person_key(n) for n in ours} & {person_key(a) for a in reading.authors}:
        # a name with no sign of an organisation, which the model did not read as a person, is no reason to lose the others
        return Verdict(False, f"the model's is {PARTIAL}; the rules' reading stands")
    if severity(ours_wrong) > severity(theirs_wrong) and ours_wrong != NOTHING:
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


def _names_the_doubt(field: str, rules: Paper, theirs: list[str], ours: list[str], page: registry.Context) -> bool:
    """The model reads the rules' names and more, and each more is what the rules' own doubt points to
    ('an entry names an address but no organisation the rules could read: Sigma Nova, Paris, France'):
    a name with no organisation word the rules could not read is no reason to keep their shorter list."""
    if field != "institutions" or rules.sure(field) or not _covers(field, theirs, ours, page) or len(theirs) <= len(ours):
        return False
    why = inst.fold(rules.confidence[field].reason)
    extra = _own(field, theirs, ours, page)
    return bool(extra) and all(inst.fold(name) in why and severity(institution_faults([name], [])) <= 1 for name in extra)


def _faults(field: str, value, mine: Paper | Reading, rules: Paper | Reading, other: Paper | Reading) -> str:
    """What one reading's value of a field fails, judged with its own other fields and the rules'
    (a model's stray author cannot make the rules' title the author line)."""
    if field == "title":
        return title_faults(value, _unique([*mine.authors, *rules.authors]), other.title)
    if field == "authors":  # an organisation that is none ('<Given> <Family>' read as one) makes nobody an organisation
        organisations = [o for o in _unique([*mine.institutions, *rules.institutions]) if not institution_faults([o], [])]
        return author_faults(value, _unique([mine.title, rules.title]), organisations)
    return institution_faults(value, _unique([*mine.authors, *rules.authors]), [] if mine is rules else rules.institutions,
                              _unique([mine.title, rules.title]))


def _own(field: str, value, other, page: registry.Context):
    """The part of a reading the other does not share: a name both read is no reason to prefer either."""
    if field == "title":
        return value
    if field == "authors":
        keys = {person_key(o) for o in other}
        return [v for v in value if person_key(v) not in keys]
    return [v for v in value if not any(one_organisation(v, o, page) for o in other)]


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


def _covers(field: str, more: list[str], fewer: list[str], page: registry.Context) -> bool:
    """Every name of `fewer` is one of `more` (a person folded, markers gone; an organisation in any of its forms)."""
    if field == "authors":
        keys = {person_key(m) for m in more}
        return all(person_key(f) in keys for f in fewer)
    return all(any(one_organisation(f, m, page) for m in more) for f in fewer)


def _same(field: str, ours, theirs, page: registry.Context) -> bool:
    if field == "title":
        return inst.fold(ours) == inst.fold(theirs)
    if field == "authors":
        return sorted(map(person_key, ours)) == sorted(map(person_key, theirs))
    if sorted(map(inst.fold, ours)) == sorted(map(inst.fold, theirs)):
        return True
    return len(ours) == len(theirs) and all(any(one_organisation(a, b, page) for b in ours) for a in theirs)


def _published_form(field: str, value, rules: Paper, page: registry.Context):
    """The model's winning reading as a report prints it: authors without copied markers,
    institutions in page 1's form."""
    if field == "authors":
        return [MARKS.sub("", a).strip() for a in value]
    if field == "institutions":
        return as_printed(value, rules.institutions, page)
    return value



def _show(value: str | list[str]) -> str:
    if isinstance(value, str):
        return f"“{value[:120]}”" if value else "nothing"
    return "[" + "; ".join(v[:80] for v in value[:12]) + (" …" if len(value) > 12 else "") + "]" if value else "nothing"
