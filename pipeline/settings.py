"""One Settings object, built once from its sources (pydantic-settings: the defaults, paperbrief.yaml,
the environment, the flags, each over the one before), then passed down."""

from __future__ import annotations

import functools
from contextvars import ContextVar
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from .files import FileProblem, read_yaml
from .rules import Rules

# The defaults of the stages above (the LLM client, the prompt file): this shared layer imports none of them.
# prompts/ at the top of the checkout ships inside the package as pipeline.prompt_files (see
# pyproject.toml), so a wheel installed anywhere finds its default prompts; a checkout reads prompts/.
_HERE = Path(__file__).resolve().parent
PROMPTS_DIR = next((d for d in (_HERE / "prompt_files", _HERE.parent / "prompts") if (d / "brief.yaml").is_file()),
                   _HERE / "prompt_files")
DEFAULT_PROMPT = PROMPTS_DIR / "brief.yaml"
# the prompt in force: --prompt, then `prompt:` in paperbrief.yaml, then this file in the working folder, then DEFAULT_PROMPT
WORKING_PROMPT = Path("prompts") / "brief.yaml"
PROMPT_RULE = ("--prompt FILE, else `prompt:` in paperbrief.yaml, else ./prompts/brief.yaml in the working folder, "
               "else the packaged default (paperbrief prompt path shows which)")
ENV_NAMES = {"base_url": "OPENAI_BASE_URL", "api_key": "OPENAI_API_KEY", "model": "PAPERBRIEF_MODEL"}
DEFAULT_ATTEMPTS = 6  # tries per call for 5xx, timeouts and dropped connections; 429 answers do not count
DEFAULT_RATE_LIMIT_WAIT = 600.0  # seconds one call may keep waiting through 429 answers before it gives up
DEFAULT_ANSWER_LIMIT_MB = 4  # a chat answer (or any API answer but a file) larger than this, decompressed, is refused
DEFAULT_FILE_LIMIT_MB = 2048  # a batch result or error file larger than this, decompressed, is cut there


JsonMode = Literal["schema", "object", "off"]
JSON_MODES: tuple[JsonMode, ...] = ("schema", "object", "off")  # in the order an endpoint's 400 steps down


def json_mode_of(value: bool | str | None) -> JsonMode:
    """A json_mode setting as a mode: true (the flag --json-mode) is the best form, false is off."""
    if value is True:
        return "schema"
    if value is False or value is None:
        return "off"
    if value not in JSON_MODES:
        raise ValueError(f"json_mode must be one of {', '.join(JSON_MODES)} (or true/false), not {value!r}")
    return value


class SettingsError(Exception):
    """A configuration problem the user must fix; the message says what to set."""


class ModelPrice(BaseModel):
    """US dollars per million tokens."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    input: float
    output: float


# numbers that make no sense at zero or below are refused where they are read, file or flag
Positive = Annotated[int, Field(ge=1)]
PositiveSeconds = Annotated[float, Field(gt=0, allow_inf_nan=False)]  # `inf` is no deadline
NonNegative = Annotated[int, Field(ge=0)]
NonNegativeSeconds = Annotated[float, Field(ge=0, allow_inf_nan=False)]
ReaderMemory = Annotated[int, Field(ge=64)]  # MB: below this no reader process can start
READER_MEMORY_MB, READER_TIMEOUT_S = 1536, 60.0
# a digest's words: a topic, the theme, an organisation to watch (one line each, said in a few words)
Topic = Annotated[str, BeforeValidator(lambda v: " ".join(str(v).split()) if isinstance(v, str) else v),
                  Field(min_length=1, max_length=60)]
Theme = Annotated[str, BeforeValidator(lambda v: " ".join(v.split()) if isinstance(v, str) else v), Field(max_length=200)]
WatchName = Annotated[str, BeforeValidator(lambda v: " ".join(v.split()) if isinstance(v, str) else v),
                      Field(min_length=1, max_length=200)]
# schema|object|off; true (--json-mode) is schema, false (--no-json-mode) is off
JsonModeSetting = Annotated[JsonMode, BeforeValidator(json_mode_of)]


class ConfigFile(BaseModel):
    """What paperbrief.yaml may set; a misspelt key is an error. Keys stay out of it: use the environment."""

    model_config = ConfigDict(extra="forbid")

    base_url: str | None = None
    model: str | None = None
    prompt: Path | None = None
    concurrency: Positive | None = None
    title: str | None = None
    timeout: PositiveSeconds | None = None
    attempts: Positive | None = None
    rate_limit_wait: NonNegativeSeconds | None = None
    retry_budget: NonNegative | None = None
    json_mode: JsonModeSetting | None = None
    system_in_user: bool | None = None
    prices: dict[str, ModelPrice] | None = None
    batch_poll: PositiveSeconds | None = None
    batch_max_lines: Positive | None = None
    batch_max_bytes: Positive | None = None
    reader_memory_mb: ReaderMemory | None = None
    reader_timeout_s: PositiveSeconds | None = None
    answer_limit_mb: Positive | None = None
    batch_file_limit_mb: Positive | None = None
    batch_download_timeout: PositiveSeconds | None = None
    rules: Rules | None = None  # thresholds of the reading rules (pipeline/rules.py); a misspelt one is an error
    topics: list[Topic] | None = None  # the digest's topics: the answer picks one (or 其他), report.md groups by them
    theme: Theme | None = None  # the digest's theme: off-theme papers leave the digest (listed at its end)
    watch: list[WatchName] | None = None  # organisations (names or ROR ids) whose papers the report opens with


class ConfigFileSource(PydanticBaseSettingsSource):
    """paperbrief.yaml (or the file PAPERBRIEF_CONFIG names, which must exist), checked against ConfigFile.
    Its own source rather than pydantic-settings' YAML one: a misspelt key, the API key or a nonsense
    number in the file is an error naming the file, and an unreadable file says why."""

    def __init__(self, settings_cls: type[BaseSettings], path: Path, required: bool):
        super().__init__(settings_cls)
        self.path, self.required = path, required

    def get_field_value(self, field, field_name):  # the whole file is read at once, in __call__
        return None, field_name, False

    def __call__(self) -> dict:
        path = self.path
        if path.is_dir():
            raise SettingsError(f"{path}: is a folder, not a config file")
        if not path.is_file():
            if self.required:
                raise SettingsError(f"{path}: config file not found (named by PAPERBRIEF_CONFIG)")
            return {}
        try:
            data = read_yaml(path, "config file") or {}
            return ConfigFile.model_validate(data).model_dump(exclude_none=True)
        except FileProblem as exc:
            raise SettingsError(f"{path}: {exc}") from None
        except ValidationError as exc:
            raise SettingsError(f"{path}: {one_line(exc, ConfigFile)}") from None


class Environment(BaseSettings):
    """The environment variables paperbrief reads, and only these (an empty one is not set)."""

    model_config = SettingsConfigDict(case_sensitive=True, env_ignore_empty=True, extra="ignore", frozen=True)

    base_url: str | None = Field(None, alias="OPENAI_BASE_URL")
    api_key: str | None = Field(None, alias="OPENAI_API_KEY")
    model: str | None = Field(None, alias="PAPERBRIEF_MODEL")
    config: Path | None = Field(None, alias="PAPERBRIEF_CONFIG")  # names the config file, which must then exist


class EnvironmentSource(PydanticBaseSettingsSource):
    """The settings the environment gives: the endpoint, the key and the model (Environment)."""

    def get_field_value(self, field, field_name):  # read at once, in __call__
        return None, field_name, False

    def __call__(self) -> dict:
        return Environment().model_dump(exclude_none=True, exclude={"config"})


# why each key of paperbrief.yaml exists, one line each (`paperbrief init` writes them above the keys)
CONFIG_REASONS = {
    "base_url": "the OpenAI-compatible endpoint; unset: $OPENAI_BASE_URL, else OpenAI's",
    "model": "the model asked; unset: $PAPERBRIEF_MODEL, else the model named in the prompt file",
    "prompt": "the prompt file; unset: ./prompts/brief.yaml in the working folder, else the packaged default",
    "concurrency": "calls in flight at most (a local one-slot server: 1)",
    "title": "the report's title",
    "timeout": "seconds to wait for one answer before retrying (a local server on a CPU: 300 or more)",
    "attempts": "tries per call for 5xx, timeouts and dropped connections (429 answers do not count)",
    "rate_limit_wait": "seconds one call may keep waiting through 429 answers before it gives up",
    "retry_budget": "retries the whole run may spend before it stops asking a failing endpoint",
    "json_mode": "the answer's form asked for: schema, object or off (an endpoint's 400 steps down once per run)",
    "system_in_user": "send the system text inside the first user message (a chat template without a system role)",
    "prices": "US dollars per million tokens, over the shipped table, e.g. {deepseek-chat: {input: 0.27, output: 1.10}}",
    "batch_poll": "seconds between looks at a provider batch while run --batch waits",
    "batch_max_lines": "requests per batch file (the provider's limit)",
    "batch_max_bytes": "bytes per batch file (the provider allows 200 MB)",
    "reader_memory_mb": "address space of one PDF reader process, in MB",
    "reader_timeout_s": "seconds to read one PDF before its reader is killed",
    "answer_limit_mb": "a larger answer (decompressed) fails its paper",
    "batch_file_limit_mb": "a batch result file is read up to this, line by line",
    "batch_download_timeout": "seconds to download one batch result or error file",
    "rules": "thresholds of the reading rules (pipeline/rules.py); each below with its default",
    "topics": "the digest's topics, e.g. [量化, 剪枝, KV缓存]: each brief names one (or 其他), report.md groups by them",
    "theme": "the digest's theme, e.g. AI推理加速: papers judged off it leave the digest (listed at its end)",
    "watch": "organisations (names or ROR ids) whose papers the report opens with, e.g. [Huawei, Alibaba]",
}


def _sources(config_path: Path, required: bool, given: dict, api_key_file) -> dict[str, str]:
    """Where each setting given came from, the highest source last so that it wins: the config file,
    the environment, a flag (`paperbrief config` prints them; a bad file fails here as in build)."""
    sources = {key: f"file {config_path}" for key in ConfigFileSource(Settings, config_path, required)()}
    sources |= {key: f"env {ENV_NAMES[key]}" for key in EnvironmentSource(Settings)()}
    sources |= {key: f"flag --{key.replace('_', '-')}" for key in given if key in Settings.model_fields}
    if api_key_file is not None:
        sources["api_key"] = f"flag --api-key-file {api_key_file}"
    return sources


def one_line(exc: ValidationError, known: type[BaseModel] | None = None) -> str:
    """Pydantic's errors as `setting: cause (got value)`, all on one line; a misspelt key of `known`
    (paperbrief.yaml's keys) is named as unknown, with the key it most likely meant."""
    def value(error: dict) -> str:
        return "" if error["type"] in ("missing", "extra_forbidden") else f" (got {error.get('input')!r})"

    def message(error: dict) -> str:
        where = ".".join(map(str, error["loc"])) or "file"
        if error["type"] == "extra_forbidden" and known is not None:
            return f"{where}: unknown key{did_you_mean(error['loc'], known)}"
        return f"{where}: {error['msg']}{value(error)}"

    return "; ".join(message(e) for e in exc.errors())


def did_you_mean(loc: tuple, known: type[BaseModel]) -> str:
    """'; did you mean "timeout"?' for a misspelt key (difflib over the keys that model takes at
    that place: the file's, or a nested section's such as rules:), or ''."""
    import difflib

    model = known
    for part in loc[:-1]:
        field = model.model_fields.get(str(part))
        inner = getattr(field, "annotation", None) if field else None
        inner = next((a for a in getattr(inner, "__args__", (inner,)) if isinstance(a, type) and issubclass(a, BaseModel)),
                     None)
        if inner is None:
            return ""
        model = inner
    close = difflib.get_close_matches(str(loc[-1]), list(model.model_fields), n=1, cutoff=0.6)
    if close:
        return f'; did you mean "{close[0]}"?'
    keys = list(model.model_fields)
    return f"; the keys are {', '.join(keys)}" if len(keys) <= 25 else "; paperbrief init writes every key"


@functools.lru_cache(maxsize=1)
def _shipped_prices() -> dict[str, ModelPrice]:
    from importlib import resources

    import yaml

    text = resources.files("pipeline").joinpath("data/prices.yaml").read_text(encoding="utf-8")
    return {name: ModelPrice(**value) for name, value in (yaml.safe_load(text) or {}).items()}


def check_base_url(url: str | None) -> None:
    """An http(s) URL with a host and a valid port, and no user information: a password in it would
    be sent as Basic auth instead of the key and written into cassettes. The message never repeats it."""
    if url is None:
        return
    try:
        parts = urlsplit(url.strip())
        port = parts.port  # raises ValueError past 65535 or when it is not a number
    except ValueError:
        raise SettingsError("base_url: not a URL with a valid port (e.g. http://127.0.0.1:8080/v1)") from None
    if "@" in parts.netloc:
        raise SettingsError("base_url: user information (user:password@) is not allowed in the URL; "
                            "give the key with OPENAI_API_KEY or --api-key-file")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        shown = "".join(c if c.isprintable() else "?" for c in url[:80])
        raise SettingsError(f"base_url: {shown!r} is not an http(s) URL (e.g. http://127.0.0.1:8080/v1)")
    if port == 0:
        raise SettingsError("base_url: port 0 is not a port")


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


# the config file's path, and whether it must exist, while Settings.build runs (the sources hook takes no arguments)
_BUILD_CONFIG: ContextVar[tuple[Path, bool] | None] = ContextVar("paperbrief_config_file", default=None)


class Settings(BaseSettings):
    """Every setting of a command. Settings.build resolves them from their sources; Settings(...) takes
    only what it is given over the defaults (tests, benchmarks), reading no environment and no file."""

    model_config = SettingsConfigDict(frozen=True, extra="forbid")

    base_url: str | None = None
    api_key: str | None = None
    model: str | None = None
    prompt: Path = DEFAULT_PROMPT
    concurrency: Positive = 8
    title: str = "论文技术分析报告"
    cassette: Path | None = None
    record: bool = False  # write the cassette from live calls instead of replaying it
    timeout: PositiveSeconds = 60.0
    attempts: Positive = DEFAULT_ATTEMPTS
    rate_limit_wait: NonNegativeSeconds = DEFAULT_RATE_LIMIT_WAIT
    retry_budget: NonNegative = 200
    text_pages: Positive = 2
    reader_memory_mb: ReaderMemory = READER_MEMORY_MB  # address space of one reader process
    reader_timeout_s: PositiveSeconds = READER_TIMEOUT_S  # time to read one paper before its reader is killed
    wait: bool = False  # wait for another run holding the output folder instead of stopping (--wait)
    # the answer's form asked for: its JSON schema, JSON mode, or none; a 400 steps down to the next, once per run
    json_mode: JsonModeSetting = "schema"
    system_in_user: bool = False  # send the system text inside the first user message (a template without a system role)
    prices: dict[str, ModelPrice] = {}  # the user's prices, over the shipped table (see price_of)
    batch_poll: PositiveSeconds = 30.0  # seconds between looks at a provider batch while waiting
    batch_max_lines: Positive = 50_000  # requests per batch file (the provider's limit)
    batch_max_bytes: Positive = 190 * 1024 * 1024  # bytes per batch file (the provider allows 200 MB)
    repair_live: bool = False  # repair a failed batch answer with a live call instead of a follow-up batch
    answer_limit_mb: Positive = DEFAULT_ANSWER_LIMIT_MB  # a larger answer (decompressed) is that paper's failure
    batch_file_limit_mb: Positive = DEFAULT_FILE_LIMIT_MB  # a batch result file is read up to this, line by line
    batch_download_timeout: PositiveSeconds = 600.0  # seconds to download one batch result or error file
    rules: Rules = Rules()  # the reading rules' thresholds: the defaults, with paperbrief.yaml's `rules:` over them
    topics: list[Topic] = []  # a configured digest (see "A configured digest" in the README)
    theme: Theme = ""
    watch: list[WatchName] = []
    keep_all: bool = False  # keep off-theme papers in the digest (--keep-all)
    new_only: bool = False  # publish only papers no earlier digest of this output folder published (--new)

    @field_validator("topics", "watch")
    @classmethod
    def _distinct(cls, values: list[str]) -> list[str]:
        """Each once, in the order given (其他 is every digest's last topic already)."""
        return [v for v in dict.fromkeys(values) if v != "其他"]
    sources: dict[str, str] = Field(default_factory=dict, exclude=True, repr=False)  # key -> where it came from (build)

    def price_of(self, model: str) -> ModelPrice | None:
        """The price of a model: the user's, else the shipped estimate, else unknown."""
        return self.prices.get(model) or _shipped_prices().get(model)

    @field_validator("base_url", mode="before")
    @classmethod
    def _no_password_in_url(cls, url):
        if isinstance(url, str):
            check_base_url(url)  # before pydantic's own checks, whose messages would echo a password
        return url

    @classmethod
    def settings_customise_sources(cls, settings_cls, init_settings, env_settings, dotenv_settings, file_secret_settings):
        """The flags (init values), the environment, the config file, highest first, while Settings.build
        runs; Settings(...) itself takes only the values given, over the defaults."""
        config = _BUILD_CONFIG.get()
        if config is None:
            return (init_settings,)
        return init_settings, EnvironmentSource(settings_cls), ConfigFileSource(settings_cls, *config)

    @classmethod
    def build(cls, config: Path | None = None, **flags) -> "Settings":
        """Flags win over the environment, which wins over paperbrief.yaml (or the file `config` or
        PAPERBRIEF_CONFIG names, which must exist), which wins over the defaults; `sources` says where
        each setting given came from (`paperbrief config`)."""
        api_key_file = flags.pop("api_key_file", None)
        if api_key_file is not None:
            flags["api_key"] = read_key(api_key_file)
        named = config or Environment().config
        config_path = named or Path("paperbrief.yaml")
        given = {k: v for k, v in flags.items() if v is not None}
        sources = _sources(config_path, named is not None, given, api_key_file)
        if "prompt" not in sources and WORKING_PROMPT.is_file():  # the working folder's copy (paperbrief prompt copy)
            given["prompt"], sources["prompt"] = WORKING_PROMPT, f"working folder ./{WORKING_PROMPT}"
        token = _BUILD_CONFIG.set((config_path, named is not None))
        try:
            settings = cls(**given, sources=sources)
        except ValidationError as exc:
            raise SettingsError(f"bad setting: {one_line(exc)}") from None
        finally:
            _BUILD_CONFIG.reset(token)
        if settings.cassette is not None and settings.cassette.is_dir():
            raise SettingsError(f"{settings.cassette}: is a folder, not a cassette file")
        return settings

    def source_of(self, key: str) -> str:
        """Where a setting in force came from: a flag, the environment, a file, the working folder, or the default."""
        return self.sources.get(key) or ("packaged default" if key == "prompt" else "default")

    def require_endpoint(self) -> None:
        """A live run needs somewhere to send requests; a cassette run does not."""
        if self.record and not (self.base_url or self.api_key):
            raise SettingsError("recording needs a live endpoint: set OPENAI_API_KEY (and OPENAI_BASE_URL)")
        if (self.cassette is None or self.record) and not self.base_url and not self.api_key:
            raise SettingsError(
                "no LLM endpoint configured: set OPENAI_API_KEY (and OPENAI_BASE_URL for a non-OpenAI server), "
                "or pass --cassette FILE to replay recorded responses"
            )
