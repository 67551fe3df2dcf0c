"""How many papers print an arXiv id or a DOI on page 1 (a loose scan of page 1's text), and how
many of those the rules read (pipeline/metadata/identifiers.py)."""

from __future__ import annotations

import contextlib
import re
from pathlib import Path

from pipeline.extract.pdf import PdfError, extract
from pipeline.models import Paper

# looser than the rules: any arXiv-prefixed new-style id, or an old-style one whose archive is a word
# other than 'submit' (arXiv's submission stamp carries a number, not an id)
_ARXIV = re.compile(r"arXiv\s*:\s*(?:\d{4}\.\d{4,5}|(?!submit/)[a-z-]+(?:\.[A-Z]{2})?/\d{7})", re.I)
_DOI = re.compile(r"(?:doi\b|doi\.org/)\S{0,12}\s*10\.\d{4,9}/", re.I)


def identifier_figures(paths: dict[str, Path], papers: dict[str, Paper]) -> dict:
    printed_arxiv = read_arxiv = printed_doi = read_doi = 0
    for name, path in paths.items():
        with contextlib.suppress(PdfError):
            page = extract(path).pages[0]
            paper = papers.get(name)
            if _ARXIV.search(page):
                printed_arxiv += 1
                read_arxiv += bool(paper and paper.arxiv_id)
            if _DOI.search(re.sub(r"https?:\s*\n\s*//", "https://", page)):
                printed_doi += 1
                read_doi += bool(paper and paper.doi)
    wrongly = sum(1 for p in papers.values() if p.arxiv_id) - read_arxiv
    return {"arxiv_printed": printed_arxiv, "arxiv_read": read_arxiv, "arxiv_read_unprinted": wrongly,
            "doi_printed": printed_doi, "doi_read": read_doi}
