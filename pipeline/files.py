"""The user's YAML files (config, prompts, cassettes), read with one cause a user can act on.

Every such file may be missing, a folder, not UTF-8, unreadable or not YAML; each caller adds its
file's path and its own error type, so the causes read the same whichever file it is.
"""

from __future__ import annotations

from pathlib import Path


class FileProblem(ValueError):
    """Why a file cannot be read as YAML, without its path (the caller names the file)."""


def read_yaml(path: Path, kind: str) -> object:
    """The YAML value of a UTF-8 file (safe loader; the C one when present), or FileProblem."""
    import yaml

    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FileProblem(f"{kind} not found") from None
    except IsADirectoryError:
        raise FileProblem(f"is a folder, not a {kind}") from None
    except UnicodeDecodeError:
        raise FileProblem("not UTF-8 text") from None
    except OSError as exc:
        raise FileProblem(f"cannot read the {kind} ({exc.strerror or exc})") from None
    try:
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise FileProblem("not valid YAML" + (f" at line {mark.line + 1}" if mark else "")) from None
