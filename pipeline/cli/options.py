"""Every option more than one command takes, declared once, and the one Settings.build per command.

A command's parser calls these in the order its --help lists them; the help text of an option that
reads differently in one command (inspect's "with --llm: ...") is a parameter, not a second
declaration.
"""

from __future__ import annotations

import argparse
from pathlib import Path

PROMPT_HELP = ("prompt YAML; without it: `prompt:` in paperbrief.yaml, else ./prompts/brief.yaml in the working "
               "folder, else the packaged default (paperbrief prompt path shows which)")
ENDPOINT_HELP = "endpoint (default: $OPENAI_BASE_URL)"
CONCURRENCY_HELP = "LLM calls in flight at once (default: 8)"
# the flags Settings.build takes by the same name; a command that does not declare one passes None
SETTINGS_FLAGS = ("model", "prompt", "concurrency", "title", "cassette", "base_url", "api_key", "api_key_file",
                  "timeout", "json_mode", "system_in_user")


def inputs_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("inputs", nargs="+", metavar="INPUT", help="PDF files and folders of PDFs")


def output_option(parser: argparse.ArgumentParser, help: str, default: str | None = "outputs") -> None:
    parser.add_argument("-o", "--output", default=default, help=help)


def prompt_option(parser: argparse.ArgumentParser, help: str = PROMPT_HELP, many: bool = False) -> None:
    parser.add_argument("--prompt", type=Path, action="append" if many else "store", help=help)


def model_option(parser: argparse.ArgumentParser, help: str, many: bool = False) -> None:
    parser.add_argument("--model", action="append" if many else "store", help=help)


def concurrency_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--concurrency", type=int, help=CONCURRENCY_HELP)


def cassette_option(parser: argparse.ArgumentParser, help: str | None, required: bool = False) -> None:
    parser.add_argument("--cassette", type=Path, required=required, help=help)


def endpoint_options(parser: argparse.ArgumentParser, when: str = "") -> None:
    """Where the calls go and the key they carry: --base-url, --api-key, --api-key-file."""
    parser.add_argument("--base-url", help=f"{when}{ENDPOINT_HELP}")
    parser.add_argument("--api-key", help="API key (default: $OPENAI_API_KEY). Other local users can read it "
                                          "in the process list: prefer the environment or --api-key-file")
    parser.add_argument("--api-key-file", metavar="FILE", help="read the API key from FILE ('-': standard input)")


def call_options(parser: argparse.ArgumentParser) -> None:
    """How each call is sent: the same for every command that calls the endpoint."""
    parser.add_argument("--timeout", type=float, help="seconds to wait for one answer before retrying (default: 60)")
    parser.add_argument("--json-mode", action=argparse.BooleanOptionalAction, default=None,
                        help="ask for the provider's JSON mode (on by default; an endpoint that rejects it is "
                             "asked without it, once per run)")
    parser.add_argument("--system-in-user", action=argparse.BooleanOptionalAction, default=None,
                        help="send the system text at the top of the first user message, for a chat template "
                             "without a system role (paperbrief.yaml: system_in_user)")


def wait_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--wait", action="store_true",
                        help="when another paperbrief run is using the output folder, wait for it instead of stopping")


def match_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--match", choices=("paper", "exact"), default="paper",
                        help="with --cassette: find a recording by paper, prompt and model, replaying it when only the "
                             "paper's reading changed and saying so (paper, the default), or by the exact request (exact)")


def dry_run_option(parser: argparse.ArgumentParser, help: str) -> None:
    parser.add_argument("--dry-run", action="store_true", help=help)


def json_option(parser: argparse.ArgumentParser, help: str) -> None:
    parser.add_argument("--json", action="store_true", help=help)


def build_settings(args: argparse.Namespace | None, **flags):
    """The command's settings from the options it declared (an option it lacks counts as not given),
    with `flags` on top: the one place a command calls Settings.build."""
    from ..settings import Settings

    given = {name: getattr(args, name, None) for name in SETTINGS_FLAGS}
    given["wait"] = getattr(args, "wait", False) or None  # a store_true flag: absent means "not given"
    return Settings.build(**{**given, **flags})
