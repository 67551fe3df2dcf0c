"""`paperbrief prompt`: which prompt file is in force and why, its text, and a copy of the default to edit.

One rule picks the prompt every command uses: --prompt, then `prompt:` in paperbrief.yaml, then
./prompts/brief.yaml in the working folder, then the packaged default (settings.PROMPT_RULE).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .common import EXIT_OK, usage
from .options import build_settings, prompt_option


def _prompt(args: argparse.Namespace) -> int:
    """Show where the prompt in force lives (path), print it (show), or copy the default out for editing (copy)."""
    if args.dest and args.action != "copy":
        return usage(f"prompt {args.action} takes no DEST (only prompt copy does)")
    return {"path": _path, "show": _show, "copy": _copy}[args.action](args)


def _path(args: argparse.Namespace) -> int:
    settings = build_settings(args)
    print(f"{settings.prompt.absolute()}  ({settings.source_of('prompt')})")
    return EXIT_OK


def _show(args: argparse.Namespace) -> int:
    from ..brief.prompts import load_prompt

    settings = build_settings(args)
    load_prompt(settings.prompt)  # a prompt that cannot be used is said so, as every command would
    sys.stdout.write(settings.prompt.read_text(encoding="utf-8"))
    return EXIT_OK


def _copy(args: argparse.Namespace) -> int:
    from ..settings import DEFAULT_PROMPT, WORKING_PROMPT

    dest = Path(args.dest) if args.dest else WORKING_PROMPT
    if dest.is_dir():
        dest = dest / DEFAULT_PROMPT.name
    if dest.exists():
        return usage(f"{dest}: already exists; not overwritten (remove it, or name another file)")
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_bytes(DEFAULT_PROMPT.read_bytes())
    in_force = " (now the prompt in force in this folder)" if dest.resolve() == WORKING_PROMPT.resolve() else ""
    print(f"copied the packaged default prompt to {dest}{in_force}")
    return EXIT_OK


def add_prompt(sub, first_line) -> None:
    command = sub.add_parser("prompt", help=first_line(_prompt), description=_prompt.__doc__,
                             epilog="The prompt in force: --prompt FILE, else `prompt:` in paperbrief.yaml, else "
                                    "./prompts/brief.yaml in the working folder, else the packaged default.")
    command.add_argument("action", choices=("path", "show", "copy"),
                         help="path: the prompt file in force and why; show: print it; copy [DEST]: copy the packaged "
                              "default to DEST (default ./prompts/brief.yaml) for editing, never over a file")
    command.add_argument("dest", nargs="?", metavar="DEST", help="with copy: where to write (default ./prompts/brief.yaml)")
    prompt_option(command)
    command.set_defaults(handler=_prompt)
