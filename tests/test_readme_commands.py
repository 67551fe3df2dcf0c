"""The README's command list says what each command's --help says: every flag it shows exists,
and every flag a command takes is shown."""

from __future__ import annotations

import argparse
import re

import make_samples

from pipeline.cli import build_parser

ENDPOINT_FLAGS = {"--base-url", "--api-key", "--api-key-file"}  # what the README's "[endpoint flags]" stands for


def _readme_flags() -> dict[str, set[str]]:
    text = (make_samples.ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Commands"):text.index("\n## ", text.index("## Commands") + 1)]
    shown: dict[str, set[str]] = {}
    for command, synopsis in re.findall(r"`paperbrief (\w+)([^`]*)`", section, flags=re.S):
        flags = set(re.findall(r"(?<![\w-])(--[a-z][a-z-]*|-o)\b", synopsis))
        if "[endpoint flags]" in synopsis:
            flags |= ENDPOINT_FLAGS
        shown.setdefault(command, set()).update(flags)
    return shown


def _parser_flags() -> dict[str, set[str]]:
    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    return {name: {s for action in parser._actions for s in action.option_strings if s not in ("-h", "--help")}
            - {"--output"}  # the README writes -o
            for name, parser in sub.choices.items()}


def test_every_command_and_flag_in_the_readme_is_what_help_says():
    shown, real = _readme_flags(), _parser_flags()
    assert set(shown) == set(real)
    for command, flags in real.items():
        assert shown[command] - flags == set(), f"README shows flags {command} does not take"
        missing = {f for f in flags if f.removeprefix("--no-") not in {g.removeprefix("--no-") for g in shown[command]}}
        assert missing == set(), f"README leaves out flags of {command}"
