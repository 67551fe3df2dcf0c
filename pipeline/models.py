"""Typed data passed between the stages; no stage hands another a dict."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, computed_field, model_validator


class Frozen(BaseModel):
    """Base for values that, once built, are never mutated by a later stage. Each schema is built on
    first use (defer_build): a reader process never builds the run's models (some 2 MB in all)."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


class Span(Frozen):
    """A run of characters on one line sharing one font size (PDF points, y grows downward)."""

    text: str
    size: float
    x0: float
    y0: float
    x1: float
    y1: float
    bold: bool = False


class Document(Frozen):
    """What the PDF stage read: the text of the pages needed and the first page's spans."""

    path: str
    sha256: str
    page_count: int
    page_width: float
    page_height: float
    pages: list[str]
    spans: list[Span]
    meta_title: str = ""  # the PDF's Info Title: a hint for choosing among title candidates, never trusted alone
    body_size: float = 0.0  # the body text's font size, measured where it was stepped over (0: not known)


class Usage(Frozen):
    prompt_tokens: int = 0
    completion_tokens: int = 0

    def __add__(self, other: "Usage") -> "Usage":
        return Usage(
            prompt_tokens=self.prompt_tokens + other.prompt_tokens,
            completion_tokens=self.completion_tokens + other.completion_tokens,
        )


OTHER_TOPIC = "其他"  # a configured digest's topic for a paper that fits none of its topics (or whose answer named another)
LOW_CONFIDENCE = 0.5  # a field below this is not printed unless a better source confirms it


class FieldDoubt(Frozen):
    """How far one field read from the PDF can be trusted (0..1), and why not when it is low."""

    confidence: float = 1.0
    reason: str = ""


class Reading(Frozen):
    """One reading of page 1's header: by the layout rules, or by the model after grounding."""

    title: str = ""
    authors: list[str] = Field(default_factory=list)
    institutions: list[str] = Field(default_factory=list)


class Dropped(Frozen):
    """A name the model gave that the page does not back, and why it was dropped."""

    field: str  # title | authors | institutions
    name: str
    reason: str


class Decision(Frozen):
    """One decision of the layout rules: the field, the value kept or dropped, and the rule that
    made it (what `inspect --explain` prints, so a new rule shows what it displaces)."""

    field: str  # title | author_count | affiliation_lines | institutions
    value: str
    rule: str
    kept: bool = True


class MetadataSource(StrEnum):
    """Whose reading a paper's published fields come from (report.json keeps these strings)."""

    RULES = "rules"  # no model reading
    RULES_AND_MODEL = "rules+model"  # both read the header and they agree (or the rules' reading stands)
    MODEL = "model"  # the model's reading won at least one field


class Paper(Frozen):
    """The metadata a reader needs to write and print a brief."""

    file: str
    sha256: str
    title: str
    authors: list[str]
    author_count: int | None
    institutions: list[str]
    affiliation_lines: list[str] = Field(default_factory=list)
    abstract: str
    body_excerpt: str = ""
    arxiv_id: str = ""  # as page 1 prints it, with its version ('2401.01234v2'); '' when it prints none
    doi: str = ""  # the DOI page 1 prints as the paper's, '' when none
    confident: bool = True  # False when any field's confidence is below confidence.LOW
    confidence: dict[str, FieldDoubt] = Field(default_factory=dict)  # title, authors, institutions, abstract
    metadata_source: MetadataSource = MetadataSource.RULES
    rules_reading: Reading | None = None  # both readings, once the model has read the header
    model_reading: Reading | None = None
    disagreements: list[str] = Field(default_factory=list)  # fields where the readings differ, and what won
    unsettled: dict[str, str] = Field(default_factory=dict)  # field -> why neither reading is clearly better (the rules' stands, marked)
    overruled: dict[str, str] = Field(default_factory=dict)  # field -> why the model's reading lost to the rules'
    header_text: str = Field(default="", exclude=True, repr=False)  # page 1's header block, for the prompt and grounding
    decisions: list[Decision] = Field(default_factory=list, exclude=True, repr=False)  # the rules' reasons, for inspect --explain

    @model_validator(mode="before")
    @classmethod
    def _retired_fields(cls, data: object) -> object:
        """A report written while a separate metadata pass existed carries `metadata_usage`: dropped on read."""
        if isinstance(data, dict) and "metadata_usage" in data:
            data = {k: v for k, v in data.items() if k != "metadata_usage"}
        return data

    def sure(self, field: str) -> bool:
        """Whether the named field may be printed as read."""
        doubt = self.confidence.get(field)
        return doubt is None or doubt.confidence >= LOW_CONFIDENCE


class ReadFailure(Frozen):
    """A PDF that could not be read into a Paper: its report name and the one-line cause.
    `paper` holds what was read when the PDF opened but page 1 gave no title."""

    file: str
    reason: str
    paper: Paper | None = None


class CheckResult(Frozen):
    """One validator's verdict on a brief."""

    name: str
    ok: bool
    detail: str = ""


class Completion(Frozen):
    """One answer of the LLM endpoint."""

    text: str
    usage: Usage
    model: str
    latency_s: float
    raw: str = ""
    finish_reason: str = ""  # "stop", or "length" for an answer cut off at max_tokens ("" when not given)


class BatchState(Frozen):
    """A provider batch as last seen: its status and how many of its requests are done."""

    id: str
    status: str  # validating | in_progress | finalizing | completed | failed | expired | cancelling | cancelled
    total: int = 0
    completed: int = 0
    failed: int = 0
    output_file_id: str | None = None
    error_file_id: str | None = None

    @property
    def finished(self) -> bool:
        return self.status in ("completed", "failed", "expired", "cancelled")


class BatchRequest(Frozen):
    """One request line of a provider batch: which paper, prompt and try it is."""

    custom_id: str
    batch_id: str = ""
    sha256: str
    file: str
    fingerprint: str
    model: str
    attempt: int  # 1 for the first answer; the repair request after a failed check counts on
    round: int  # 1 for the first batch; follow-up batches count on
    state: str = "pending"
    first_answer: str = ""  # for a repair request: the answer that failed the checks
    detail: str = ""


class Brief(Frozen):
    """The outcome of writing one paper's brief: the sentence if it passed, or why it failed."""

    text: str
    ok: bool
    checks: list[CheckResult]
    attempts: int
    usage: Usage
    latency_s: float
    prompt_id: str
    prompt_version: str
    fingerprint: str
    model: str
    error: str = ""
    cached: bool = False
    topic: str = ""  # with `topics:` set, one of them or 其他 (anything else the model says is 其他); '' without
    relevant: bool | None = None  # with `theme:` set, whether the model judged the paper on the digest's theme
    relevance_reason: str = ""  # the model's one line on why (or why not)
    reading: Reading | None = None  # the model's reading of the header, after grounding (None: no usable answer)
    dropped: list[Dropped] = Field(default_factory=list)  # names of the answer the page does not back
    raw_response: str = Field(default="", exclude=True, repr=False)  # kept in the run store, not the report


class FailureKind(StrEnum):
    """Why a paper has no brief: a closed set (KINDS below says what each means where; run/failures.py builds them)."""

    UNREADABLE = "unreadable"  # the PDF could not be read into a paper
    ENDPOINT = "endpoint"  # the endpoint gave no answer (after its retries)
    NOT_RECORDED = "not_recorded"  # a replay: the cassette holds no answer to this request
    ANSWER = "answer"  # the answers were not the JSON object the prompt asks for
    CUT_OFF = "cut_off"  # the answer was cut off at max_tokens
    CHECKS = "checks"  # the brief failed its checks, after the repair request
    BATCH = "batch"  # the provider batch returned no answer for the paper
    INTERNAL = "internal"  # a fault of paperbrief's own while handling this paper (a bug): the run went on
    NOT_TRIED = "not_tried"  # the run stopped (endpoint unusable, Ctrl-C, a limit) before this paper was tried


EXIT_OK, EXIT_FAILED = 0, 1


@dataclass(frozen=True)
class KindInfo:
    """What one kind of failure means where it is shown."""

    label: str  # for the report (Chinese) and the summary's counts
    verdict: str  # regress: "prompt" (the recording does not hold this request), "validators" or "error"
    meaning: str = ""  # what happened, in the report's language (the detail's own line is quoted after it)
    exit_code: int = EXIT_FAILED


KINDS: dict[FailureKind, KindInfo] = {
    FailureKind.UNREADABLE: KindInfo("无法读取", "error", "PDF 无法读取为论文"),
    FailureKind.ENDPOINT: KindInfo("调用失败", "error", "端点重试后仍未给出回答"),
    FailureKind.NOT_RECORDED: KindInfo("录制中没有这次请求", "prompt", "录制文件中没有这次请求的回答，提示词或模型改变后需重新录制"),
    FailureKind.ANSWER: KindInfo("回答格式不对", "validators", "修复请求后，回答仍不是所要求的 JSON 对象"),
    FailureKind.CUT_OFF: KindInfo("回答被截断", "validators", "修复请求后，回答仍在 max_tokens 处被截断"),
    FailureKind.CHECKS: KindInfo("未通过检查", "validators", "修复请求后，简报仍未通过检查"),
    FailureKind.BATCH: KindInfo("批处理无回答", "error", "批处理没有返回这篇论文的回答"),
    FailureKind.INTERNAL: KindInfo("内部错误", "error", "paperbrief 处理这篇论文时出现内部错误"),
    FailureKind.NOT_TRIED: KindInfo("运行中止，未处理", "error", "运行在发送这篇论文之前中止"),
}


class Failure(Frozen):
    """A paper's failure: its kind, and the one line a person reads."""

    kind: FailureKind
    detail: str


class PaperResult(Frozen):
    """One PDF's line in the report: its metadata and brief, or the failure that stopped it."""

    file: str
    sha256: str = ""
    paper: Paper | None = None
    brief: Brief | None = None
    failure: Failure | None = None
    duplicate_of: str = ""  # same bytes as an earlier file: briefed once, reported once
    requests: int = 0  # requests sent to the endpoint for this entry when it was briefed (first answer, repair, retries)
    rerun: bool = False  # briefed by `paperbrief rerun` with its own prompt: a later run keeps it (see runner)
    watched: list[str] = Field(default_factory=list)  # the watched organisations (paperbrief.yaml `watch:`) it is from
    published_before: str = ""  # with --new: the earlier digest (its archive folder) that published this paper

    @model_validator(mode="before")
    @classmethod
    def _typed_failure(cls, data: object) -> object:
        """report.json carries `error` (the failure's line) for its readers; a report written before
        failures were typed carries only that, read back as the kind its words name."""
        if isinstance(data, dict) and "error" in data:
            data = dict(data)
            line = data.pop("error")
            if line and not data.get("failure"):
                data["failure"] = {"kind": _legacy_kind(str(line)), "detail": str(line)}
        return data

    @computed_field
    @property
    def error(self) -> str:
        return self.failure.detail if self.failure else ""

    @property
    def ok(self) -> bool:
        return self.paper is not None and self.brief is not None and self.brief.ok and self.failure is None


def _legacy_kind(line: str) -> FailureKind:
    """The kind of a failure line in a report written before kinds (read back, never decided by)."""
    for start, kind in (("LLM call failed", FailureKind.ENDPOINT), ("batch request failed", FailureKind.BATCH),
                        ("brief failed checks", FailureKind.CHECKS), ("internal error", FailureKind.INTERNAL)):
        if line.startswith(start):
            return kind
    return FailureKind.UNREADABLE


class Report(Frozen):
    title: str
    generated_at: str
    prompt_id: str
    prompt_version: str
    model: str
    results: list[PaperResult]
    batch_cost_usd: float | None = None  # estimated cost at batch prices, for a --batch run
    requests: int = 0  # requests the command that wrote this report sent to the endpoint, every try counted
    concurrency: int | None = None  # calls in flight the endpoint was paced down to by the end (None: no call made)
    reruns_kept: list[str] = []  # papers whose brief from an earlier `rerun` (another prompt) this run kept
    # a configured digest (paperbrief.yaml's topics, theme and watch; run --keep-all, --new): empty, today's report
    topics: list[str] = Field(default_factory=list)
    theme: str = ""
    keep_all: bool = False
    watch: list[str] = Field(default_factory=list)  # as the report names them (the registry's name for a known one)
    new_only: bool = False

    @property
    def briefed(self) -> list[PaperResult]:
        return sorted((r for r in self.results if r.ok), key=lambda r: sort_key(r.paper.title))

    @property
    def digest(self) -> list[PaperResult]:
        """The briefed papers this digest publishes: none an earlier digest published (--new), none
        judged off its theme (unless --keep-all)."""
        return [r for r in self.briefed if not r.published_before and not self._off_theme(r)]

    @property
    def off_theme(self) -> list[PaperResult]:
        """Briefed papers the model judged off the digest's theme, left out of it (listed at its end)."""
        return [r for r in self.briefed if not r.published_before and self._off_theme(r)]

    @property
    def published_before(self) -> list[PaperResult]:
        return [r for r in self.briefed if r.published_before]

    def _off_theme(self, result: PaperResult) -> bool:
        return bool(self.theme) and not self.keep_all and result.brief.relevant is False

    @property
    def unsettled(self) -> int:
        """Fields of the published papers whose two readings disagree and were not settled (marked in the report)."""
        return sum(len(r.paper.unsettled) for r in self.results if r.paper is not None and not r.duplicate_of)

    @property
    def overruled(self) -> int:
        """Fields where the model's reading failed a check the rules' passed, so the rules' was published."""
        return sum(len(r.paper.overruled) for r in self.results if r.paper is not None and not r.duplicate_of)

    @property
    def failed(self) -> list[PaperResult]:
        return sorted((r for r in self.results if not r.ok and not r.duplicate_of), key=lambda r: r.file)


def sort_key(title: str) -> str:
    return title.casefold()
