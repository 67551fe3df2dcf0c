"""A teaser figure set in the header, between the author block and the abstract: its labels above
its caption ('<Method>   Low', 'Ours') and its boxes' small text under the affiliations ('Verification',
'Scene Graph') are no names and no affiliations."""

from __future__ import annotations

import re

from ..names import institutions as inst
from ..rules import in_force
from .layout import Line, main_size

CAPTION = re.compile(r"^(?:Figure|Fig\.|Table)\s*\d+\s*[:.|]", re.I)


def without_figure_text(header: list[Line]) -> list[Line]:
    """The header lines above a teaser figure, without the figure's labels."""
    return _without_figure_labels(_before_teaser(header))


def _without_figure_labels(header: list[Line]) -> list[Line]:
    """The header without a teaser figure's labels ('<Method>   Low', 'Ours', 'Bitrate'): two or
    more lines of short words and no organisation right above the figure's caption."""
    caption = next((i for i, line in enumerate(header) if line.cells and CAPTION.match(line.cells[0].plain)), None)
    if caption is None:
        return header
    start = caption
    while start > 0 and _is_label_line(header[start - 1]):
        start -= 1
    return header[:start] if caption - start >= in_force().figure_label_lines else header


def _before_teaser(header: list[Line]) -> list[Line]:
    """The header down to a teaser figure: past an affiliation, a wide gap, then text set clearly
    smaller than the line above it (a figure's boxes and labels, 'Verification', 'Scene Graph')."""
    rules, affiliation_seen = in_force(), False
    for i in range(1, len(header)):
        above, line = header[i - 1], header[i]
        affiliation_seen = affiliation_seen or inst.looks_like_affiliation(above.plain)
        size = main_size(above)
        if affiliation_seen and line.y0 - above.y1 > rules.teaser_gap_sizes * size and main_size(line) < size - rules.teaser_smaller_pt:
            return header[:i]
    return header


def _is_label_line(line: Line) -> bool:
    """A figure's label: every cell a word or two, with no mark, no address, no organisation word
    and no organisation's acronym ('MIT   CMU' is an author grid's last row)."""
    return bool(line.cells) and all(
        len(cell.plain.split()) <= 2 and not any(m for _, m in cell.parts) and not re.search(r"[@,]", cell.plain)
        and not (inst.has_organisation_word(cell.plain) or inst.is_unit_or_generic(cell.plain))
        and not (cell.plain.isupper() and len(cell.plain) >= 3 and inst.known(cell.plain)) for cell in line.cells)
