"""One Settings object, built once from defaults, environment and flags, then passed down."""

from __future__ import annotations

import functools
import os
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from .llm import DEFAULT_ATTEMPTS, DEFAULT_RATE_LIMIT_WAIT
from .prompts import DEFAULT_PROMPT


class SettingsError(Exception):
    """A configuration problem the user must fix; the message says what to set."""


class ModelPrice(BaseModel):
    """US dollars per million tokens."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    input: float
    output: float


class ConfigFile(BaseModel):
    """What paperbrief.yaml may set; a misspelt key is an error. Keys stay out of it: use the environment."""

    model_config = ConfigDict(extra="forbid")

    base_url: str | None = None
    model: str | None = None
    prompt: Path | None = None
    concurrency: int | None = None
    title: str | None = None
    timeout: float | None = None
    attempts: int | None = None
    rate_limit_wait: float | None = None
    retry_budget: int | None = None
    json_mode: bool | None = None
    prices: dict[str, ModelPrice] | None = None
    batch_poll: float | None = None
    batch_max_lines: int | None = None
    batch_max_bytes: int | None = None


def _config_file(path: Path, required: bool) -> dict:
    if not path.is_file():
        if required:
            raise SettingsError(f"{path}: config file not found (named by PAPERBRIEF_CONFIG)")
        return {}
    import yaml
    from pydantic import ValidationError

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return ConfigFile.model_validate(data).model_dump(exclude_none=True)
    except (yaml.YAMLError, ValidationError) as exc:
        first = str(exc).splitlines()
        raise SettingsError(f"{path}: {' '.join(first[:3])}") from None


@functools.lru_cache(maxsize=1)
def _shipped_prices() -> dict[str, ModelPrice]:
    import yaml
    from importlib import resources

    text = resources.files("pipeline").joinpath("data/prices.yaml").read_text(encoding="utf-8")
    return {name: ModelPrice(**value) for name, value in (yaml.safe_load(text) or {}).items()}


def read_key(source: str) -> str:
    """The API key from a file, or from standard input for '-': never on the command line, where
    other local users can read it in the process list."""
    import sys

    try:
        text = sys.stdin.readline() if source == "-" else Path(source).read_text(encoding="utf-8")
    except OSError as exc:
        raise SettingsError(f"{source}: cannot read the API key file ({exc.strerror or exc})") from None
    key = text.strip()
    if not key:
        raise SettingsError(f"{source}: the API key file is empty")
    return key


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True)

    base_url: str | None = None
    api_key: str | None = None
    model: str | None = None
    prompt: Path = DEFAULT_PROMPT
    concurrency: int = 8
    title: str = "论文技术分析报告"
    cassette: Path | None = None
    record: bool = False  # write the cassette from live calls instead of replaying it
    timeout: float = 60.0
    attempts: int = DEFAULT_ATTEMPTS
    rate_limit_wait: float = DEFAULT_RATE_LIMIT_WAIT
    retry_budget: int = 200
    text_pages: int = 2
    json_mode: bool = True  # ask for the provider's JSON mode; an endpoint that answers 400 to it is asked without
    prices: dict[str, ModelPrice] = {}  # the user's prices, over the shipped table (see price_of)
    batch_poll: float = 30.0  # seconds between looks at a provider batch while waiting
    batch_max_lines: int = 50_000  # requests per batch file (the provider's limit)
    batch_max_bytes: int = 190 * 1024 * 1024  # bytes per batch file (the provider allows 200 MB)
    repair_live: bool = False  # repair a failed batch answer with a live call instead of a follow-up batch

    def price_of(self, model: str) -> ModelPrice | None:
        """The price of a model: the user's, else the shipped estimate, else unknown."""
        return self.prices.get(model) or _shipped_prices().get(model)

    @classmethod
    def build(cls, config: Path | None = None, **flags) -> "Settings":
        """Flags win over the environment, which wins over paperbrief.yaml, which wins over the defaults."""
        named = config or (Path(os.environ["PAPERBRIEF_CONFIG"]) if os.environ.get("PAPERBRIEF_CONFIG") else None)
        file_values = _config_file(named or Path("paperbrief.yaml"), required=named is not None)
        api_key_file = flags.pop("api_key_file", None)
        if api_key_file is not None:
            flags["api_key"] = read_key(api_key_file)
        env = {
            "base_url": os.environ.get("OPENAI_BASE_URL") or None,
            "api_key": os.environ.get("OPENAI_API_KEY") or None,
            "model": os.environ.get("PAPERBRIEF_MODEL") or None,
        }
        values = {**file_values, **{k: v for k, v in env.items() if v},
                  **{k: v for k, v in flags.items() if v is not None}}
        settings = cls(**values)
        if settings.concurrency < 1:
            raise SettingsError("--concurrency must be at least 1")
        return settings

    def require_endpoint(self) -> None:
        """A live run needs somewhere to send requests; a cassette run does not."""
        if self.record and not (self.base_url or self.api_key):
            raise SettingsError("recording needs a live endpoint: set OPENAI_API_KEY (and OPENAI_BASE_URL)")
        if (self.cassette is None or self.record) and not self.base_url and not self.api_key:
            raise SettingsError(
                "no LLM endpoint configured: set OPENAI_API_KEY (and OPENAI_BASE_URL for a non-OpenAI server), "
                "or pass --cassette FILE to replay recorded responses"
            )
