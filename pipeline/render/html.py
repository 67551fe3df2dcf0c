"""HTML pages (report.html, compare.html) from Jinja2 templates shipped in pipeline/templates.

Autoescaping is on for every template: a string from a PDF or a model can only ever be text in
a page, never markup. Every printed value loses control characters, ANSI escapes and bidi
overrides first (escape.html_text), so a name cannot reorder or recolour what a page shows.
Pages are self-contained (inline CSS, no script, no network).
"""

from __future__ import annotations

import functools

import jinja2

from .escape import html_text


@functools.lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.PackageLoader("pipeline", "templates"), autoescape=True,
                              undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                              finalize=html_text)


def render_template(template: str, **values) -> str:
    return _environment().get_template(template).render(**values)
