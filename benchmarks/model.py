"""The model reading in the bench: the stand-in answering each paper's truth as page 1 prints it."""

from __future__ import annotations

import asyncio
import re

from support.standin import StandIn, estimate_tokens

from pipeline.brief.grounding import Page
from pipeline.brief.prompts import load_prompt, render_prompt
from pipeline.llm import client_for
from pipeline.models import Paper
from pipeline.run.flow import PaperFlow, Prepared, contained
from pipeline.settings import Settings


def _printed_form(name: str, page) -> str | None:
    """The form of a truth name that page 1 prints: whole, or without its bracketed acronym (nested
    brackets too: 'X (Guangzhou) (HKUST(GZ))'), or the acronym alone."""
    forms, rest = [name], name
    while True:
        match = re.search(r"\s*\(((?:[^()]|\([^()]*\))*)\)\s*$", rest)
        if not match:
            break
        rest = rest[: match.start()]
        forms += [rest, match.group(1)]
    return next((f for f in forms if f.strip() and page.prints(f)), None)


def truth_readings(papers: dict[str, Paper], truth: dict) -> tuple[dict[str, dict], int, int]:
    """What a capable model answers for each paper (its truth, as page 1 prints it), and how many of
    the truth's institutions the request carries in a printed form, of how many."""
    readings, carried, total = {}, 0, 0
    for name, paper in papers.items():
        expected, page = truth[name], Page(paper.header_text)
        forms = [_printed_form(n, page) for n in expected["institutions"]]
        carried, total = carried + sum(f is not None for f in forms), total + len(forms)
        readings[expected["title"]] = {"title": expected["title"], "authors": expected.get("authors") or [],
                                       "institutions": [f or n for f, n in zip(forms, expected["institutions"], strict=False)]}
    return readings, carried, total


def read_by_model(papers: dict[str, Paper], truth: dict, sloppy: bool, by_position: bool = False,
                   usual: str = "") -> tuple[dict[str, Paper], dict]:
    """Every paper through the brief call against the project's stand-in answering the truth (and,
    when sloppy, one planted reading error in each first answer; with usual "en" or "zh", the
    institutions in their usual full or Chinese forms), or reading each header by position as a
    small model does: the published papers and counts."""
    readings, carried, total = truth_readings(papers, truth)
    flow = PaperFlow(load_prompt(), None, store=None)  # the per-paper pipeline every command drives, nothing stored

    async def go(base_url: str):
        client = client_for(Settings(base_url=base_url, api_key="bench", concurrency=8))  # the defaults, no user file
        gate = asyncio.Semaphore(8)

        async def one(paper: Paper):
            async with gate:
                return await contained(paper.file, flow.answer(Prepared(paper=paper, rendered=flow.render(paper)), client))
        try:
            return await asyncio.gather(*(one(p) for p in papers.values()))
        finally:
            await client.close()

    with StandIn(readings={} if by_position else readings, sloppy=sloppy, by_position=by_position,
                 usual_names=usual) as server:
        results = asyncio.run(go(server.base_url))
    out = {name: result.paper or paper for (name, paper), result in zip(papers.items(), results, strict=True)}
    briefs = [r.brief for r in results if r.brief is not None]
    planted = [r for r in results if r.ok and _planted(r.paper, r.brief.text)]
    return out, {"carried": carried, "truth_institutions": total, "briefed": sum(r.ok for r in results),
                 "planted_published": len(planted), "repaired": sum(b.attempts > 1 for b in briefs),
                 "calls": server.completed}


_PLANTED = ("Department of Computer Science", "Quillfeather Institute", "Morwenna Pelletier-Oduya",
            "A Different Paper Entirely")


def _planted(paper: Paper, brief: str) -> bool:
    """Whether a published paper shows one of the stand-in's planted reading errors."""
    shown = " ".join([paper.title, *paper.authors, *paper.institutions, brief])
    return any(p in shown for p in _PLANTED) or bool(set(paper.institutions) & set(paper.authors))


def prompt_tokens(papers: dict[str, Paper], prompt=None) -> list[int]:
    """Prompt tokens of each paper's brief request, counted as the stand-in bills them (the shipped prompt by default)."""
    prompt = prompt or load_prompt()
    return sorted(sum(estimate_tokens(m["content"]) + 4 for m in render_prompt(prompt, p).messages) for p in papers.values())


