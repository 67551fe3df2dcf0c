"""An in-process fake model at the LLM client's interface (as simonw/llm's MockModel).

For tests that need only answers: no socket, no thread, no SDK. FakeModel is the stand-in server
never started: it answers with the stand-in's own logic (StandIn.answer and StandIn.finish), is
configured the same way (`replies`, `readings`, `raw_replies`, `always_off_template`, `sloppy`,
`by_position`, `usual_names`, `cut_off`) and logs each request as the stand-in does (`requests`,
`chat_requests()`, `completed`). Transport and fault tests (HTTP errors, hangs, drops, latency,
held requests, the Batch API, a command in a child process) keep the real stand-in: the fake
refuses those settings instead of ignoring them. One thing the fake does not do: count each paper's
requests (PaperResult.requests), whose counter is private to pipeline.llm; a test of those counts
keeps the stand-in.
"""

from __future__ import annotations

import importlib
import time
from dataclasses import dataclass, field

from support.standin import Faults, StandIn, chat_completion

from pipeline.llm import EndpointUnusable, Pacer, RequestAbout, completion_of
from pipeline.llm.about import note_sent
from pipeline.llm.formats import json_mode_of, response_format
from pipeline.models import Completion

# the modules that build a command's client: the fake replaces `client_for` where each imported it
CLIENT_USERS = ("pipeline.run.runner", "pipeline.run.rerun", "pipeline.run.flow", "pipeline.run.compare", "pipeline.run.regress")
# a base URL nothing listens on: a command that bypassed the fake fails at once instead of passing
FAKE_BASE_URL = "http://127.0.0.1:9/v1"


@dataclass
class FakeModel(StandIn):
    """The model every client of a test answers from."""

    clients: list["FakeClient"] = field(default_factory=list)

    @property
    def base_url(self) -> str:
        return FAKE_BASE_URL

    def start(self, port: int = 0) -> "StandIn":
        raise TypeError("the fake model has no server: a test that needs one uses the `standin` fixture")

    def client(self, settings, pause: bool = True) -> "FakeClient":
        """What `client_for(settings)` returns while the fake is installed."""
        made = FakeClient(self, concurrency=settings.concurrency, json_mode=settings.json_mode, api_key=settings.api_key)
        self.clients.append(made)
        return made

    def reply(self, body: dict, authorization: str = "") -> dict:
        """The chat-completion body the stand-in would have sent for this request, logged as it logs one."""
        self.refuse_transport()
        entry = {"path": "/v1/chat/completions", "body": body, "outcome": "ok", "status": 200,
                 "authorization": authorization, "at": time.time()}
        self.log(entry)
        text, finish = self.finish(body, self.answer(body))
        entry["finish_reason"] = finish
        return chat_completion(body, text, finish, f"chatcmpl-fake-{len(self.requests)}")

    def refuse_transport(self) -> None:
        """A fault, latency or held request set on the fake would be silently ignored: refuse it."""
        transport = {"faults": self.faults != Faults(), "latency": bool(self.latency), "script": bool(self.script),
                     "require_key": self.require_key is not None, "hold_after": self.hold_after is not None,
                     "single_slot": self.single_slot}
        used = [name for name, on in transport.items() if on]
        if used:
            raise AssertionError(f"the fake model has no transport ({', '.join(used)}): use the `standin` fixture")


class FakeClient:
    """The LLMClient methods and fields the pipeline uses: complete, calls, pacer, json_mode, stopping, close."""

    def __init__(self, model: FakeModel, concurrency: int = 8, json_mode: bool | str = True, api_key: str | None = None) -> None:
        self.model = model
        self.pacer = Pacer(concurrency)
        self.json_mode = json_mode_of(json_mode)  # the form a live client starts with
        self.authorization = f"Bearer {api_key}" if api_key else ""
        self.calls = 0
        self.stopping = False
        self.closed = False

    async def complete(self, messages: list[dict[str, str]], model: str, parameters: dict,
                       schema: dict | None = None, about: RequestAbout | None = None) -> Completion:
        """One answer, through the same pacer and the same completion parsing as a live call."""
        async with self.pacer:
            if self.stopping:
                raise EndpointUnusable("the run is stopping: no new request is sent")
            self.calls += 1
            note_sent()  # counted for its paper as the HTTP layer counts a live request that reached the endpoint
            form = response_format(self.json_mode if schema is not None else "off", schema)  # what a live client sends
            extra = {"response_format": form} if form else {}
            body = {**parameters, **extra, "model": model, "messages": messages}
            answer = completion_of(self.model.reply(body, self.authorization), model, 0.0)
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

    return FakeModel(replies={s.title: s.brief for s in make_samples.SAMPLES}, readings=make_samples.readings())
