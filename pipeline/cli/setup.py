"""Finding one's way: `paperbrief init` (a commented paperbrief.yaml with every key) and
`paperbrief config` (the settings in force, and where each came from)."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..render.escape import terminal_line
from .common import EXIT_OK, usage
from .options import build_settings, call_options, concurrency_option, endpoint_options, model_option, prompt_option

HEADER = """\
# paperbrief.yaml: the settings every paperbrief command reads in this folder.
# Each key is shown with its default, commented out: remove the '# ' before a key to set it.
# Environment variables (OPENAI_BASE_URL, PAPERBRIEF_MODEL) override this file, and flags override both;
# `paperbrief config` shows the settings in force and where each came from.
# The API key never goes here: set OPENAI_API_KEY, or pass --api-key-file FILE.
"""


def _init(args: argparse.Namespace) -> int:
    """Write a commented paperbrief.yaml with every key, its default and why it is there (never over a file)."""
    target = Path(args.file)
    if target.exists():
        return usage(f"{target}: already exists; not overwritten (remove it, or name another file)")
    target.write_text(commented_config(), encoding="utf-8")
    print(f"wrote {target}: every key commented out at its default; paperbrief config shows what is in force")
    return EXIT_OK


def commented_config() -> str:
    """Every key of paperbrief.yaml at its default, commented out, each under its one-line reason."""
    from ..settings import CONFIG_REASONS, ConfigFile, Settings

    defaults = Settings()
    lines = [HEADER]
    for key in ConfigFile.model_fields:
        lines.append(f"# {CONFIG_REASONS[key]}")
        if key == "rules":
            lines.append("# rules:")
            for name, field in type(defaults.rules).model_fields.items():
                lines.append(f"#   {_pair(name, getattr(defaults.rules, name))}  # {field.description}")
        else:
            lines.append(f"# {_pair(key, None if key == 'prompt' else getattr(defaults, key))}")  # unset: the rule
        lines.append("")
    return "\n".join(lines)


def _pair(key: str, value: object) -> str:
    import yaml

    shown = str(value) if isinstance(value, Path) else value
    return yaml.safe_dump({key: shown}, default_flow_style=True, allow_unicode=True, width=1000).strip().strip("{}")


def _config(args: argparse.Namespace) -> int:
    """Print the settings in force and where each came from: default, file, env or flag (never the key itself)."""
    from ..settings import ConfigFile

    settings = build_settings(args)
    rows = []
    for key in ["api_key", *ConfigFile.model_fields]:
        rows.append((key, _shown(settings, key), settings.source_of(key)))
    width = max(len(key) for key, _, _ in rows)
    for key, value, source in rows:
        print(terminal_line(f"{key:<{width}}  {value}  ({source})"))
    return EXIT_OK


def _shown(settings, key: str) -> str:
    """A setting as `config` prints it: the key only as set or not, the rules as what was changed."""
    value = getattr(settings, key)
    if key == "api_key":
        return "set" if value else "not set"
    if key == "model" and value is None:
        from ..brief.prompts import load_prompt

        return f"{load_prompt(settings.prompt).model} (the prompt file's)"
    if key == "rules":
        changed = value.model_dump(exclude_defaults=True)
        return f"{len(changed)} changed: {', '.join(changed)}" if changed else "the defaults"
    if key == "base_url" and value is None:
        return "OpenAI's (no base_url set)"
    if key == "prices":
        return ", ".join(value) if value else "the shipped table (pipeline/data/prices.yaml)"
    return str(value)


def add_init_and_config(sub, first_line) -> None:
    init = sub.add_parser("init", help=first_line(_init), description=_init.__doc__)
    init.add_argument("file", nargs="?", default="paperbrief.yaml", metavar="FILE",
                      help="where to write it (default: paperbrief.yaml in the working folder)")
    init.set_defaults(handler=_init)
    config = sub.add_parser("config", help=first_line(_config), description=_config.__doc__)
    prompt_option(config)
    model_option(config, "model name (default: $PAPERBRIEF_MODEL or the prompt's model)")
    concurrency_option(config)
    endpoint_options(config)
    call_options(config)
    config.set_defaults(handler=_config)
