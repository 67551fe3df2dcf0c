"""What a brief request asks the answer's form to be: the answer's JSON schema (`json_schema`),
any JSON object (`json_object`, the provider's JSON mode), or nothing. An endpoint that answers
HTTP 400 to one form is asked with the next, once per run (LLMClient). The schema is the caller's
(the brief stage's answer contract, brief/answer.py): this stage sends it without knowing it."""

from __future__ import annotations

from ..settings import JSON_MODES, JsonMode, json_mode_of  # noqa: F401  (the settings validate the mode)

SCHEMA_NAME = "paper_brief"


def next_mode(mode: JsonMode) -> JsonMode:
    """The form asked for after an endpoint refused `mode`."""
    return JSON_MODES[min(JSON_MODES.index(mode) + 1, len(JSON_MODES) - 1)]


def response_format(mode: JsonMode, schema: dict | None) -> dict | None:
    """The `response_format` field for `mode` and the answer's `schema`, or None (nothing is sent)."""
    if mode == "schema" and schema is not None:
        return {"type": "json_schema", "json_schema": {"name": SCHEMA_NAME, "schema": schema, "strict": True}}
    if mode == "object":
        return {"type": "json_object"}
    return None


STEP_DOWN_WARNING = {
    "schema": "the endpoint rejected the answer's JSON schema (HTTP 400); asking for JSON mode instead",
    "object": "the endpoint rejected JSON mode (HTTP 400); asking without it",
}
