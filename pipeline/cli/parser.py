"""The argument parser every command's parser is: a misspelt command or flag gets a "did you mean".

Python 3.14's argparse suggests close commands itself (suggest_on_error); this does it on every
version, for flags too, with difflib over what the parser takes.
"""

from __future__ import annotations

import argparse
import difflib
import re


class Parser(argparse.ArgumentParser):
    def error(self, message: str):
        super().error(message + _suggestion(self, message))


def _suggestion(parser: argparse.ArgumentParser, message: str) -> str:
    """' (did you mean "run"?)' for an unknown command or an unknown flag, or ''."""
    choice = re.search(r"invalid choice: '([^']*)' \(choose from (.*)\)", message)
    if choice:
        options = re.findall(r"'?([\w-]+)'?", choice.group(2))
        return _closest(choice.group(1), options)
    unknown = re.search(r"unrecognized arguments: (.*)", message)
    if unknown:
        flags = _flags(parser)
        wrong = [word.split("=")[0] for word in unknown.group(1).split() if word.startswith("-")]
        return "".join(_closest(word, flags) for word in wrong[:1])
    return ""


def _flags(parser: argparse.ArgumentParser) -> list[str]:
    """Every flag the parser and its commands take (unknown flags are reported by the top parser)."""
    flags = []
    for action in parser._actions:
        flags += action.option_strings
        if isinstance(action, argparse._SubParsersAction):
            flags += [f for command in action.choices.values() for f in _flags(command)]
    return list(dict.fromkeys(flags))


def _closest(word: str, options: list[str]) -> str:
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return f' (did you mean "{close[0]}"?)' if close else ""
