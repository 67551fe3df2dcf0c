"""Text from a PDF or a model is data: one escaping function per output kind, used by every writer.

Markdown: HTML-special characters become entities and Markdown punctuation that could open a
link, an image, emphasis, code or a table cell is backslash-escaped; a field never spans lines, so
it cannot start a heading or a list, and its first character is escaped when it could. The text
reads the same once rendered. Terminal: control characters and ANSI escape sequences are dropped,
and a one-line message (a progress line) has its line breaks made spaces, so a file name cannot
forge a line. HTML outputs are rendered by Jinja2 with autoescaping, and every value printed in a
page loses the same control characters (`html_text`). JSON keeps the raw text (it is safe). Every
writer's text is valid Unicode first (text.valid_unicode), so no output fails to encode.
"""

from __future__ import annotations

import re

from ..extract.text import valid_unicode

_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")  # incl. bidi overrides
_HTML_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_MD_PUNCT = re.compile(r"([\\`*_\[\]|~])")  # code, emphasis, links and images, table cells, strikethrough
_LINE_START = re.compile(r"^(\s*)([-+=#>]|\d+[.)])")  # a heading, a list, a quote, a setext underline


def terminal(text: str) -> str:
    """Paper or model text made safe to print: no escape sequences, no control characters, and
    valid Unicode (a file name that is not UTF-8 shows U+FFFD where stdout would refuse it)."""
    return _CONTROL.sub("", valid_unicode(_ANSI.sub("", str(text))))


def terminal_line(text: str) -> str:
    """`terminal`, on one line: a newline in a file name or a model's text cannot start a line of its own."""
    return re.sub(r"[\r\n\u2028\u2029]+", " ", terminal(text))


def html_text(value):
    """A value printed in a page without ESC, bidi overrides or other control characters; tabs
    and line breaks stay (a page shows them as spaces). Escaped text (Markup) keeps its type."""
    if not isinstance(value, str):
        return value
    return type(value)(_HTML_CONTROL.sub("", valid_unicode(_ANSI.sub("", value))))


def markdown(text: str) -> str:
    """One field as Markdown that renders as exactly this text, on one line."""
    text = re.sub(r"\s*[\r\n\u2028\u2029]+\s*", " ", terminal(text)).strip()
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MD_PUNCT.sub(r"\\\1", text)
    return _LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2) if not m.group(2)[0].isdigit()
                           else m.group(1) + m.group(2)[:-1] + "\\" + m.group(2)[-1], text)


def markdown_code(text: str) -> str:
    """A file name as an inline code span: shown verbatim, never markup, whatever it contains."""
    text = re.sub(r"[\r\n\u2028\u2029]+", " ", terminal(text))
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"
