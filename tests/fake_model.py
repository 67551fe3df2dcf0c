"""An in-process fake model at the LLM client's interface (as simonw/llm's MockModel).

For tests that need only answers: no socket, no thread, no SDK. It answers with the stand-in
server's own answer logic (StandIn.answer and StandIn.finish, on a StandIn never started), so a
test configures it as it would the stand-in: `replies`, `readings`, `raw_replies`,
`always_off_template`, `sloppy`, `by_position`, `usual_names`, `cut_off`. Transport and fault
tests (HTTP status codes, hangs, drops, the Batch API, request headers) keep the real stand-in.
"""

from __future__ import annotations

import importlib
import json
from dataclasses import dataclass, field

from pipeline.llm import EndpointUnusable, Pacer, RequestAbout, completion_of
from pipeline.models import Completion
from pipeline.standin import StandIn, chat_completion

# the modules that build a run's client: the fake replaces `client_for` where each imported it
CLIENT_USERS = ("pipeline.runner", "pipeline.flow", "pipeline.compare", "pipeline.regress")
# a base URL nothing listens on: if a command ever bypassed the fake, it would fail at once
FAKE_BASE_URL = "http://127.0.0.1:9/v1"


@dataclass
class FakeModel:
    """The model every client of a test answers from; `requests` holds each request body, in order."""

    standin: StandIn = field(default_factory=StandIn)
    requests: list[dict] = field(default_factory=list)
    clients: list["FakeClient"] = field(default_factory=list)
    base_url: str = FAKE_BASE_URL

    def client(self, settings, pause: bool = True) -> "FakeClient":
        """What `client_for(settings)` returns while the fake is in place."""
        made = FakeClient(self, concurrency=settings.concurrency, json_mode=settings.json_mode)
        self.clients.append(made)
        return made

    def reply(self, body: dict) -> dict:
        """The chat-completion body the stand-in would have sent for this request."""
        self.requests.append(body)
        text, finish = self.standin.finish(body, self.standin.answer(body))
        return chat_completion(body, text, finish, f"chatcmpl-fake-{len(self.requests)}")

    def answers_for(self, title_part: str) -> list[dict]:
        """The requests whose messages mention `title_part` (a paper's first answer and its repair)."""
        return [b for b in self.requests if title_part in json.dumps(b, ensure_ascii=False)]


class FakeClient:
    """The LLMClient methods and fields the pipeline uses: complete, calls, pacer, json_mode, stopping, close."""

    def __init__(self, model: FakeModel, concurrency: int = 8, json_mode: bool = True) -> None:
        self.model = model
        self.pacer = Pacer(concurrency)
        self.json_mode = json_mode
        self.calls = 0
        self.stopping = False
        self.closed = False

    async def complete(self, messages: list[dict[str, str]], model: str, parameters: dict,
                       json_object: bool = False, about: RequestAbout | None = None) -> Completion:
        """One answer, through the same pacer and the same completion parsing as a live call."""
        async with self.pacer:
            if self.stopping:
                raise EndpointUnusable("the run is stopping: no new request is sent")
            self.calls += 1
            extra = {"response_format": {"type": "json_object"}} if json_object and self.json_mode else {}
            body = {**parameters, **extra, "model": model, "messages": messages}
            answer = completion_of(self.model.reply(body), model, 0.0)
            self.pacer.answered(0.0)
            return answer

    async def close(self) -> None:
        self.closed = True


def install(monkeypatch, model: FakeModel) -> FakeModel:
    """Make every command of this test build its client from `model` (undone when the test ends)."""
    for name in CLIENT_USERS:
        module = importlib.import_module(name)
        if hasattr(module, "client_for"):
            monkeypatch.setattr(module, "client_for", model.client)
    return model


def sample_model() -> FakeModel:
    """A fake answering the sample papers as the `standin` fixture does (their recorded briefs and readings)."""
    import make_samples

    return FakeModel(standin=StandIn(replies={s.title: s.brief for s in make_samples.SAMPLES},
                                     readings=make_samples.readings()))
