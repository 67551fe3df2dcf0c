"""Prompt files: strict YAML models rendered with langchain-core templates, and their fingerprints.

A typo in a YAML key is an error (extra="forbid"), not a silently ignored field. The fingerprint is
the hash of what is actually sent (rendered messages, model, parameters), so editing a comment in
the YAML changes nothing, while editing a template invalidates exactly the runs it affects.
"""

from __future__ import annotations

import hashlib
import json
import re
import string
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..extract.text import valid_unicode
from ..files import FileProblem, read_yaml
from ..models import Paper
from ..settings import DEFAULT_PROMPT, Settings

ABSTRACT_LIMIT = 2400  # characters: the brief needs the abstract, not the whole paper
# characters of each other field a prompt may carry: a 50,000-character "title" costs no more than a real one
LIMITS = {"title": 500, "institutions": 1500, "authors": 1500, "header_text": 3000}
VARIABLES = ("title", "institutions", "abstract", "authors", "author_count", "header_text")
REPAIR_VARIABLES = ("problems",)  # what the repair templates may name: the numbered list of what was wrong
REPAIR_KEYS = ("repair", "repair_cut_off")  # the repair request's templates; a prompt file may leave them to the shipped one
DIGEST_KEYS = ("topic_rule", "theme_rule")  # the system message's additions for `topics:` and `theme:`; the shipped ones by default
SET_BY_CONFIG = ("topics", "theme")  # a digest's settings: paperbrief.yaml's, never a prompt file's


class PromptError(Exception):
    """A prompt file that cannot be used; the message names the file and the field."""


class PromptFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    version: str
    model: str = "gpt-4o-mini"
    parameters: dict[str, Any] = Field(default_factory=dict)
    system: str
    user: str
    repair: str  # the repair request's user message; {problems} is what was wrong, one numbered line each
    repair_cut_off: str  # the same, for an answer cut off at max_tokens
    # the system text sent at the top of the first user message, for a chat template without a
    # system role (llama.cpp's gemma format drops it silently); set here or by paperbrief.yaml
    system_in_user: bool = False
    # appended to the system message when paperbrief.yaml sets `topics:` ({topics}, a JSON list) or `theme:` ({theme})
    topic_rule: str = ""
    theme_rule: str = ""
    topics: tuple[str, ...] = ()  # set by prompt_for from the settings: the answer then carries "topic"
    theme: str = ""  # likewise: the answer then carries "relevant" and "reason"


class RepairTemplates(BaseModel):
    """The repair request's two user-message templates: sent only when an answer needs repair, yet
    part of the fingerprint, since they change what the model is asked the second time."""

    model_config = ConfigDict(frozen=True)

    repair: str
    repair_cut_off: str

    def render(self, problems: str, cut_off: bool) -> str:
        """The repair request's text, by the formatter ChatPromptTemplate applies (see render_prompt)."""
        from langchain_core.utils.formatting import formatter

        return formatter.format(self.repair_cut_off if cut_off else self.repair, problems=problems)


class RenderedPrompt(BaseModel):
    """Exactly what goes to the endpoint for one paper, with its fingerprint."""

    model_config = ConfigDict(frozen=True)

    prompt_id: str
    prompt_version: str
    model: str
    parameters: dict[str, Any]
    messages: list[dict[str, str]]
    fingerprint: str
    template: str = ""  # the prompt's template fingerprint (template_fingerprint): the same for every paper
    repair: RepairTemplates
    topics: tuple[str, ...] = ()  # the digest's topics the answer picks from ("topic"), when set
    theme: str = ""  # the digest's theme the answer judges ("relevant", "reason"), when set

    @property
    def schema(self) -> dict:
        """The answer's JSON schema: the contract, with the digest's keys when they are asked for."""
        from .answer import answer_schema

        return answer_schema(self.topics, bool(self.theme))


def load_prompt(path: str | Path | None = None) -> PromptFile:
    path = Path(path) if path else DEFAULT_PROMPT
    try:
        data = read_yaml(path, "prompt file")
    except FileProblem as exc:
        raise PromptError(f"{path}: {exc}") from None
    given = [key for key in SET_BY_CONFIG if isinstance(data, dict) and key in data]
    if given:
        raise PromptError(f"{path}: {', '.join(given)}: set in paperbrief.yaml, not in a prompt file")
    try:
        prompt = PromptFile.model_validate(with_shipped_repair(data, path))
    except ValidationError as exc:
        fields = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise PromptError(f"{path}: {fields}") from None
    for role, available in (("system", VARIABLES), ("user", VARIABLES), ("repair", REPAIR_VARIABLES),
                            ("repair_cut_off", REPAIR_VARIABLES), ("topic_rule", ("topics",)), ("theme_rule", ("theme",))):
        problem = template_problem(getattr(prompt, role), available)
        if problem:
            raise PromptError(f"{path}: {role}: {problem}")
    return prompt


def with_shipped_repair(data: object, path: Path) -> object:
    """A prompt file that leaves out the repair request (one written before it moved into the file)
    asks for repairs with the shipped prompt's templates, which its fingerprint then covers."""
    missing = [key for key in REPAIR_KEYS if key not in data] if isinstance(data, dict) else []
    if not missing or path.resolve() == DEFAULT_PROMPT.resolve():
        return data
    shipped = read_yaml(DEFAULT_PROMPT, "prompt file")
    return {**data, **{key: shipped[key] for key in missing}}


def template_problem(template: str, available: tuple[str, ...]) -> str:
    """Why one message template cannot be used, or "": a placeholder that is no bare name, or one
    naming a variable this message is not given."""
    problem = placeholder_problem(template)
    if problem:
        return problem
    unknown = template_variables(template) - set(available)
    if unknown:
        return f"unknown template variable(s) {', '.join(sorted(unknown))}; available: {', '.join(available)}"
    return ""


def placeholder_problem(template: str) -> str:
    """Why a template cannot be rendered safely, or "": each placeholder must be a bare name. A format
    spec (`{abstract:>400000000}` pads a prompt to 400 MB), a conversion, an attribute or an index
    (`{paper.x}`, `{a[0]}`) is refused, as is a brace the formatter cannot read."""
    try:
        fields = [(name, spec, conversion) for _, name, spec, conversion in string.Formatter().parse(template)
                  if name is not None]
    except ValueError as exc:
        return f"not a valid template ({exc}); write a literal brace as {{{{ or }}}}"
    for name, spec, conversion in fields:
        if not name.isidentifier() or spec or conversion:
            shown = name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "")
            return f"placeholder {{{shown[:60]}}} is not a bare name; write {{abstract}}, {{title}}, ..."
    return ""


def template_variables(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def paper_variables(paper: Paper) -> dict[str, str]:
    """Paper fields as template values; delimiters inside the data are neutralised."""
    values = {
        "title": paper.title,
        "institutions": "; ".join(paper.institutions) or "（论文未署名机构）",
        "abstract": paper.abstract[:ABSTRACT_LIMIT],
        "authors": ", ".join(paper.authors),
        "author_count": str(paper.author_count if paper.author_count is not None else ""),
        "header_text": paper.header_text,
    }
    return {k: _defang(valid_unicode(v[:LIMITS.get(k, len(v))])) for k, v in values.items()}  # valid: the fingerprint encodes it


_TAGS = re.compile(r"<(/?)(paper|header|abstract)>", re.I)


def _defang(text: str) -> str:
    """The prompt's own delimiters, printed inside the data, can no longer close or open a block."""
    return _TAGS.sub(lambda m: f"‹{m.group(1)}{m.group(2)}›", text)


def render_prompt(prompt: PromptFile, paper: Paper, model: str | None = None) -> RenderedPrompt:
    """The messages for one paper, rendered by langchain-core's f-string template formatter.

    This is the formatter ChatPromptTemplate applies to each message (a test checks the output is
    identical); calling it directly avoids importing langchain-core's prompt and tracing stack
    (~0.6 s, langsmith included) in every worker, which delayed a batch's first call.
    """
    from langchain_core.utils.formatting import formatter

    values = paper_variables(paper)
    try:
        system, user = formatter.format(prompt.system, **values), formatter.format(prompt.user, **values)
    except KeyError as exc:
        raise PromptError(f"prompt {prompt.id}: unknown template variable {exc}") from None
    messages = as_messages(system, user, prompt.system_in_user)
    chosen = model or prompt.model
    repair = repair_templates(prompt)
    return RenderedPrompt(
        prompt_id=prompt.id,
        prompt_version=prompt.version,
        model=chosen,
        parameters=dict(prompt.parameters),
        messages=messages,
        fingerprint=fingerprint(messages, chosen, prompt.parameters, repair),
        template=template_fingerprint(prompt),
        repair=repair,
        topics=prompt.topics,
        theme=prompt.theme,
    )


def repair_templates(prompt: PromptFile) -> RepairTemplates:
    return RepairTemplates(repair=prompt.repair, repair_cut_off=prompt.repair_cut_off)


def as_messages(system: str, user: str, system_in_user: bool = False) -> list[dict[str, str]]:
    """The system and user turns; with `system_in_user` one user turn, the system text on top (the
    fingerprint is of these messages, so the two layouts never share a stored brief)."""
    if system_in_user:
        return [{"role": "user", "content": f"{system.rstrip()}\n\n{user}"}]
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


def fingerprint(messages: list[dict[str, Any]], model: str, parameters: dict[str, Any], repair: RepairTemplates) -> str:
    """The hash of what this paper's conversation can send: its messages, the repair request's
    templates, the model and the parameters."""
    payload = json.dumps({"messages": messages, "repair": repair.model_dump(), "model": model, "parameters": parameters},
                         sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]


def template_fingerprint(prompt: PromptFile) -> str:
    """The hash of the prompt file's messages as templates (before any paper fills them) and its
    parameters: what a replay matches a recording on, so a paper read differently today still
    finds its recording, while an edited template or parameter does not."""
    payload = json.dumps({"system": prompt.system, "user": prompt.user, "repair": prompt.repair,
                          "repair_cut_off": prompt.repair_cut_off, "system_in_user": prompt.system_in_user,
                          "parameters": prompt.parameters}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]


def prompt_for(settings: Settings, path: Path | None = None) -> PromptFile:
    """The prompt file (`path`, else the configured one) as this endpoint is sent it."""
    prompt = load_prompt(path or settings.prompt)
    prompt = with_digest(prompt, tuple(settings.topics), settings.theme)
    return prompt.model_copy(update={"system_in_user": True}) if settings.system_in_user else prompt


def with_digest(prompt: PromptFile, topics: tuple[str, ...], theme: str) -> PromptFile:
    """The prompt asking for the digest's keys: the topic and theme rules (the prompt file's, else
    the shipped ones) filled in and appended to the system message, a reminder of the keys added to
    the repair request. Without topics and theme the prompt is unchanged, so is what is sent."""
    if not topics and not theme:
        return prompt
    from langchain_core.utils.formatting import formatter

    shipped = read_yaml(DEFAULT_PROMPT, "prompt file") if not (prompt.topic_rule and prompt.theme_rule) else {}
    rules, keys = [], []
    if topics:
        listed = json.dumps(list(topics), ensure_ascii=False)
        rules.append(formatter.format(prompt.topic_rule or shipped["topic_rule"], topics=listed))
        keys.append("topic")
    if theme:
        rules.append(formatter.format(prompt.theme_rule or shipped["theme_rule"], theme=" ".join(theme.split())))
        keys += ["relevant", "reason"]
    added = "\n".join(rule.strip() for rule in rules).replace("{", "{{").replace("}", "}}")  # literal in the template
    reminder = f"\n另外保留键：{'、'.join(keys)}（要求同前）。"
    return prompt.model_copy(update={"system": prompt.system.rstrip("\n") + "\n" + added + "\n",
                                     "repair": prompt.repair + reminder, "repair_cut_off": prompt.repair_cut_off + reminder,
                                     "topics": tuple(topics), "theme": theme})
