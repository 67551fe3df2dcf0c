"""Optional, grounded LLM pass for metadata the layout rules are unsure of.

Only fields the rules left empty are filled, and only with what the page itself prints: every
proposed institution and author name must occur in the page text (after folding) or it is
dropped, so the model can fix a missed affiliation block but cannot invent an organisation.
"""

from __future__ import annotations

import json
import re

from .institutions import fold, organisations
from .llm import LLMClient
from .models import Paper, Usage
from .prompts import PromptFile, render


def grounded(names: list[str], page_text: str) -> list[str]:
    page = fold(page_text)
    return [n for n in names if isinstance(n, str) and fold(n) and fold(n) in page]


def parse_proposal(text: str) -> dict:
    """The JSON object in the answer; anything else counts as no proposal."""
    match = re.search(r"\{.*\}", text, re.S)
    try:
        data = json.loads(match.group(0)) if match else {}
    except json.JSONDecodeError:
        return {}
    return data if isinstance(data, dict) else {}


async def assist_metadata(paper: Paper, prompt: PromptFile, client: LLMClient, model: str | None = None) -> tuple[Paper, Usage]:
    """Fill empty authors/institutions from a grounded LLM proposal; other fields are untouched."""
    rendered = render(prompt, paper, model)
    answer = await client.complete(rendered.messages, rendered.model, rendered.parameters)
    proposal = parse_proposal(answer.text)
    update: dict = {}
    if not paper.institutions:
        found = organisations(grounded(list(proposal.get("institutions") or []), paper.header_text))
        if found:
            update["institutions"] = found
    if not paper.authors and paper.author_count is not None:
        names = grounded(list(proposal.get("authors") or []), paper.header_text)
        if names:
            update.update(authors=names, author_count=len(names))
    if update:
        update["metadata_source"] = "rules+llm"
    return paper.model_copy(update=update), answer.usage
