"""Two readings of page 1's header, one decision: what a report publishes.

The rules read the header by layout; the model reads it in the brief call, and grounding.py keeps
only the names page 1 prints. Agreement makes a field sure; a disagreement is settled here.
"""

from __future__ import annotations

from . import institutions as inst
from .metadata.confidence import LOW
from .models import Brief, Dropped, FieldDoubt, Paper, Reading

SURE_MODEL = FieldDoubt(confidence=0.9, reason="the model's reading, printed on page 1")


def rules_reading(paper: Paper) -> Reading:
    return Reading(title=paper.title, authors=paper.authors, institutions=paper.institutions)


def published(rules: Paper, brief: Brief | None) -> Paper:
    """The paper as a report shows it, from the rules' reading and the brief's grounded one."""
    return decide(rules, brief.reading, brief.dropped) if brief is not None else decide(rules, None, [])


def decide(rules: Paper, reading: Reading | None, dropped: list[Dropped]) -> Paper:
    """The paper as published: the grounded model reading where it has one, else the rules'.

    An empty list from the model wins only over a doubtful or empty rules reading: saying nothing
    is not a reading. Every disagreement is kept, with what won.
    """
    base = rules.model_copy(update={"rules_reading": rules_reading(rules)})
    if reading is None:
        return base
    update: dict = {"model_reading": reading}
    lost = {d.field for d in dropped}  # a field the model filled with names the page does not back
    confidence = dict(rules.confidence)
    notes: list[str] = []
    won = False
    for field, ours, theirs in (("title", rules.title, reading.title),
                                ("authors", rules.authors, reading.authors),
                                ("institutions", rules.institutions, reading.institutions)):
        if _same(ours, theirs):
            confidence[field] = FieldDoubt()
            continue
        if not theirs and (field in lost or field == "title" or ours and rules.sure(field)):
            notes.append(f"{field}: the model's reading did not hold on page 1; the rules' reading stands"
                         if field in lost else f"{field}: the model read none; the rules' reading stands")
            continue
        if field == "title" and _cut_short(theirs, ours) and rules.sure("title"):
            notes.append(f"title: the model read {_show(theirs)}, the start of the title the rules read whole; "
                         f"the rules' reading stands")
            continue
        update[field] = theirs
        confidence[field] = SURE_MODEL
        won = True
        notes.append(f"{field}: the rules read {_show(ours)}, the model {_show(theirs)}; the model's grounded reading is kept")
    if "authors" in update:
        update["author_count"] = len(reading.authors) if reading.authors or rules.author_count is not None else None
    update.update(confidence=confidence, disagreements=notes, metadata_source="model" if won else "rules+model")
    update["confident"] = all(d.confidence >= LOW for d in confidence.values())
    return base.model_copy(update=update)


def _cut_short(theirs: str, ours: str) -> bool:
    """A title stopped at a line break: the model's is the start of the rules' (a small model's
    habit with a title printed on two lines)."""
    short, whole = inst.fold(theirs), inst.fold(ours)
    return bool(short) and len(short) < len(whole) and whole.startswith(short)


def _same(a: str | list[str], b: str | list[str]) -> bool:
    if isinstance(a, str):
        return inst.fold(a) == inst.fold(b)
    return sorted(inst.fold(x) for x in a) == sorted(inst.fold(x) for x in b)


def _show(value: str | list[str]) -> str:
    if isinstance(value, str):
        return f"“{value[:120]}”" if value else "nothing"
    return "[" + "; ".join(v[:80] for v in value[:12]) + (" …" if len(value) > 12 else "") + "]" if value else "nothing"
