"""Optional, grounded LLM pass for metadata the layout rules are unsure of.

Only fields the rules left empty are filled, and only with what the page itself prints: every
proposed institution and author name must occur in the page text (after folding) or it is
dropped, so the model can fix a missed affiliation block but cannot invent an organisation.
"""

from __future__ import annotations

import json
import re

from .institutions import fold, known, organisations
from .llm import LLMClient
from .metadata.confidence import LOW, institution_doubts
from .models import FieldDoubt, Paper, Usage
from .prompts import PromptFile, render
from .store import RunStore


def grounded(names: list[str], page_text: str) -> list[str]:
    """Names printed on the page, as printed or as the spelt-out form of an acronym printed there
    ('Korea Advanced Institute of Science and Technology' for a page that prints 'KAIST')."""
    page = fold(page_text)
    tokens = set(re.findall(r"[A-Z][A-Za-z&]{1,9}", page_text))

    def printed(name: str) -> bool:
        if fold(name) in page or _acronym(name) in tokens:
            return True
        row = known(name)  # a usual form of a well-known organisation the page prints in another form
        return row is not None and any((f in tokens) if f.isupper() else fold(f) in page for f in row.names)

    return [n for n in names if isinstance(n, str) and fold(n) and printed(n)]


def _acronym(name: str) -> str:
    """Initials of the capitalised words: 'Shanghai Innovation Institute' -> 'SII'."""
    initials = "".join(w[0] for w in re.findall(r"\b[A-Z][\w-]*", name))
    return initials if len(initials) >= 3 else "\x00"


def _unsure(paper: Paper, field: str) -> bool:
    doubt = paper.confidence.get(field)
    return doubt is not None and doubt.confidence < LOW


def parse_proposal(text: str) -> dict:
    """The JSON object in the answer; anything else counts as no proposal."""
    match = re.search(r"\{.*\}", text, re.S)
    try:
        data = json.loads(match.group(0)) if match else {}
    except json.JSONDecodeError:
        return {}
    return data if isinstance(data, dict) else {}


async def assist_metadata(paper: Paper, prompt: PromptFile, client: LLMClient, model: str | None = None,
                          store: RunStore | None = None) -> tuple[Paper, Usage]:
    """Fill empty or doubtful authors/institutions from a grounded LLM proposal; other fields are
    untouched. With a run store, an answer already paid for this paper and prompt is reused."""
    rendered = render(prompt, paper, model)
    cached = store.metadata_answer(paper.sha256, rendered.fingerprint, rendered.model) if store else None
    if cached is not None:
        return apply_proposal(paper, cached), Usage()
    answer = await client.complete(rendered.messages, rendered.model, rendered.parameters)
    if store is not None:
        store.save_metadata_answer(paper.sha256, rendered.fingerprint, rendered.model, answer.text, answer.usage)
    return apply_proposal(paper, answer.text), answer.usage


def apply_proposal(paper: Paper, answer: str) -> Paper:
    """The paper with the grounded names of the model's answer in its doubtful fields."""
    proposal = parse_proposal(answer)
    update: dict = {}
    if not paper.institutions or _unsure(paper, "institutions"):
        found, _dropped = institution_doubts(
            organisations(grounded(list(proposal.get("institutions") or []), paper.header_text)), paper.authors)
        if found:
            update["institutions"] = found
    if (not paper.authors or _unsure(paper, "authors")) and paper.author_count is not None:
        names = grounded(list(proposal.get("authors") or []), paper.header_text)
        if names:
            update.update(authors=names, author_count=len(names))
    if update:
        update["metadata_source"] = "rules+llm"
        update["confidence"] = {**paper.confidence, **{
            field: FieldDoubt(confidence=0.8, reason="read by the grounded LLM pass") for field in ("institutions", "authors")
            if field in update}}
    return paper.model_copy(update=update)
