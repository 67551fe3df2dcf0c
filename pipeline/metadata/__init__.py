"""Stage 2, read metadata: Document -> Paper, by layout rules on page 1's spans.

Rules first because they are fast, free and deterministic. One module per field: `layout` cuts
page 1 into lines and cells, `title`, `authors`, `affiliations` and `abstract` each read their
field, and `confidence` says how far each field can be trusted.
"""

from __future__ import annotations

from ..models import Decision, Document, Paper
from ..names import institutions as inst
from ..rules import in_force
from .abstract import abstract_line, excerpt, read_abstract
from .affiliations import read_header
from .authors import PLACEHOLDER_RE, TEAM_RE, is_signature, once_each, rejoined
from .confidence import LOW, doubts, institution_doubts
from .cover_form import cover_school, school_named
from .footnotes import foot_notes, footnote_affiliations
from .header import beside_abstract, header_block, without_column
from .identifiers import read_identifiers
from .layout import body_size, page_lines, sidebar_column_edge, sidebar_edge, text_body_size
from .title import explain_title

__all__ = ["read_metadata", "read_without_reasons"]


def _signatures(authors: list[str], entries: list[str]) -> tuple[list[str], list[str], bool]:
    """(people, affiliation entries, signed by a team). 'Kimi Team' as the author, or 'LongCat
    Team, <Brand>' as the only line: an organisation signs, so there is no count of people, and
    a signature such as '<CODE-Name> <Brand>' names the company when no affiliation is printed."""
    people = [a for a in authors if not is_signature(a)]
    signed = any(TEAM_RE.search(part.strip()) for entry in entries for part in entry.split(","))
    team = (bool(authors) and not people) or (not authors and signed)
    if not entries:
        entries = [c for a in authors if is_signature(a) for c in inst.companies_in(a)]
    return people, entries, team


def read_without_reasons(doc: Document) -> Paper:
    """The paper as `read_metadata` reads it, without the rules' reasons: only `inspect --explain`
    shows them, and a run would hold every paper's reasons to its end (some 5 KB a paper)."""
    return read_metadata(doc).model_copy(update={"decisions": []})


def read_metadata(doc: Document) -> Paper:
    """Title, authors, institutions and abstract of one paper, read from its layout."""
    lines = page_lines(doc.spans, doc.page_width)
    body = body_size(doc.spans)  # the size of most text read: title block and abstract
    text_body = doc.body_size or text_body_size(lines, doc.page_height, body)  # what the foot's notes are set below
    title, title_start, title_end, title_rule = explain_title(lines, doc.page_height, doc.meta_title)
    abstract_at = abstract_line(lines, title_end, body)
    column_x0 = sidebar_edge(lines[title_start:title_end], doc.page_width)
    beside = beside_abstract(lines, abstract_at, in_force().foot_band * doc.page_height)  # an author column beside the abstract
    authors, aff_entries, cited = read_header(lines[title_end:abstract_at], column_x0)
    if beside:  # left of the abstract's column: not a sidebar beside the title, the header's own column
        more_authors, more_entries, more_cited = read_header(beside)
        authors, aff_entries, cited = authors + more_authors, aff_entries + more_entries, max(cited, more_cited)
    entries_rule = "header-cells"
    notes_x0 = sidebar_column_edge(lines, column_x0)  # a sidebar left of the title's column holds no notes
    if not aff_entries:
        # notes are told from the body text by size
        aff_entries = footnote_affiliations(lines, doc.page_width, doc.page_height, text_body, column_x0=notes_x0)
        entries_rule = "foot-notes"
    else:  # '<Name> is also with <Organisation>' in a note under the header's grid
        aff_entries += footnote_affiliations(lines, doc.page_width, doc.page_height, text_body, sentences_only=True,
                                             column_x0=notes_x0)
    printed = bool(aff_entries)
    authors, aff_entries, team = _signatures(once_each(rejoined(authors)), aff_entries)
    if aff_entries and not printed:
        entries_rule = "company-in-signature"
    cover_line = "" if aff_entries else cover_school([ln.plain for ln in lines], doc.pages[1] if len(doc.pages) > 1 else "",
                                                      doc.meta_title)
    if cover_line:  # a thesis cover whose university is printed only in its logo, named on the next page
        aff_entries, entries_rule = [school_named(cover_line)], "cover-school"
    anonymous = any(PLACEHOLDER_RE.search(line.plain) for line in lines[title_end:abstract_at])
    if anonymous:  # an anonymous submission names nobody: other header lines are notes, not names
        authors = []
    read, passed_over = inst.explain_organisations(aff_entries)
    names, dropped = institution_doubts([name for name, _ in read], authors)
    notes = foot_notes(lines, doc.page_width, doc.page_height, text_body, notes_x0)
    header = header_block(lines[:abstract_at], notes, column_x0, beside=beside) + (f"\n{cover_line}" if cover_line else "")
    rules = dict(read)
    shown = inst.registry_forms(names, header)
    decisions = [Decision(field="title", value=title, rule=title_rule, kept=bool(title))]
    abstract = read_abstract(doc.pages, without_column(lines[abstract_at:], beside) if abstract_at < len(lines) else [])
    count = None if team else len(authors)
    decisions += [Decision(field="author_count", value=str(count), rule=_count_rule(team, anonymous))]
    decisions += [Decision(field="affiliation_lines", value=e, rule=entries_rule) for e in aff_entries]
    decisions += [Decision(field="institutions", value=shown_name, rule=_with_form(rules[name], name, shown_name))
                  for name, shown_name in zip(names, shown, strict=False)]
    decisions += [Decision(field="institutions", value=name, rule="not-an-organisation", kept=False) for name in dropped]
    decisions += [Decision(field="institutions", value=part, rule=rule, kept=False) for part, rule in passed_over]
    names = shown
    ids = read_identifiers(doc.pages[0] if doc.pages else "", header)
    confidence = doubts(title, authors, count, anonymous, names, dropped, abstract, cited if cited <= in_force().max_cited_mark else 0,
                        inst.company_labs(aff_entries), entries=aff_entries, header=header)
    return Paper(
        file=doc.path.rsplit("/", 1)[-1],
        sha256=doc.sha256,
        title=title,
        authors=authors,
        author_count=count,
        institutions=names,
        affiliation_lines=aff_entries,
        abstract=abstract,
        body_excerpt=excerpt(doc.pages, abstract),
        arxiv_id=ids.arxiv_id,
        doi=ids.doi,
        confident=all(d.confidence >= LOW for d in confidence.values()) and bool(names or not authors) and bool(authors or anonymous),
        confidence=confidence,
        header_text=header,
        decisions=decisions,
    )


def _count_rule(team: bool, anonymous: bool) -> str:
    """How the author count was reached: none for a team's signature, zero for an anonymous
    submission, else the names read from the header."""
    return "team-signature" if team else "anonymous-submission" if anonymous else "names-in-header"


def _with_form(rule: str, read: str, shown: str) -> str:
    """A short form spelt out by the registry keeps the rule that read it, and says so."""
    return rule if read == shown else f"{rule}, then registry-short-form"
