"""A misbehaving OpenAI-compatible endpoint on 127.0.0.1, for tests: each mode is one way a proxy,
gateway or provider has been seen to answer. Requests whose body holds `target` (all of them when
`target` is None) get the mode's answer; the others get a good chat completion. Every request is
logged, and stop() returns at once, even while a dripping body is being sent.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MODES = ("good", "html", "list", "choices_str", "429_zero", "429_negative_ms", "429_huge", "drip", "key_error",
         "echo", "no_json_mode", "huge_usage", "deep_body", "surrogate_body", "deep_answer", "long_line",
         "escaped_answer")
DEPTH = 990  # levels of [[[[: about 2 KB, deeper than Python's decoder recurses


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False


@dataclass
class Hostile:
    mode: str = "good"
    key: str = ""  # the API key an echoing gateway sends back
    status: int = 401  # key_error's status: 400, 401 or 422
    target: str | None = None  # only requests whose body contains this get the mode
    targets: dict[str, str] = field(default_factory=dict)  # body substring -> its own mode (several bad papers at once)
    readings: dict[str, dict] = field(default_factory=dict)  # title -> header as read, for papers beyond the samples
    replies: dict[str, str] = field(default_factory=dict)  # title -> brief, for the good answers
    drip_bytes: int = 60  # a dripping body stops after this many bytes, whether or not anyone listens
    requests: list[dict] = field(default_factory=list)

    def __post_init__(self) -> None:
        assert self.mode in MODES and set(self.targets.values()) <= set(MODES), (self.mode, self.targets)
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def start(self) -> "Hostile":
        self._server = _Server(("127.0.0.1", 0), _handler_for(self))
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self) -> "Hostile":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def good_text(self, body: str) -> str:
        """A capable model's answer (the project's stand-in answers the contract from the request)."""
        from make_samples import readings
        from support.standin import StandIn

        if "<header>" not in body:  # a bare client call, not a paper's brief request
            return next((brief for title, brief in self.replies.items() if title in body), "好的。")
        try:
            request = json.loads(body)
        except ValueError:
            return "好的。"
        return StandIn(replies=self.replies, readings={**readings(), **self.readings}).answer(
            request if isinstance(request, dict) else {})

    def completion(self, text: str) -> dict:
        return {"id": "chatcmpl-1", "object": "chat.completion", "created": 0, "model": "hostile-model",
                "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}}


def _handler_for(server: Hostile):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args) -> None:  # quiet
            pass

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("content-length") or 0)).decode("utf-8", "replace")
            chosen = [m for target, m in server.targets.items() if target in raw]
            hit = not server.targets and (server.target is None or server.target in raw)
            mode = chosen[0] if chosen else server.mode if hit else "good"
            if mode == "no_json_mode":
                mode = "json_rejected" if '"response_format"' in raw else "good"
            server.requests.append({"at": time.monotonic(), "path": self.path, "mode": mode, "body": raw,
                                    "headers": dict(self.headers)})
            getattr(self, "_" + mode)(raw)

        def _send(self, status: int, body: bytes, content_type: str = "application/json", headers=()) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in headers:
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def _json(self, status: int, value, headers=()) -> None:
            self._send(status, json.dumps(value, ensure_ascii=False).encode("utf-8"), headers=headers)

        def _good(self, raw: str) -> None:
            self._json(200, server.completion(server.good_text(raw)))

        def _html(self, raw: str) -> None:
            self._send(200, b"<html><body><h1>Down for maintenance</h1></body></html>", "text/html; charset=utf-8")

        def _list(self, raw: str) -> None:
            self._json(200, [{"choices": []}])

        def _choices_str(self, raw: str) -> None:
            self._json(200, {"choices": "x"})

        def _rate_limited(self, header: tuple[str, str]) -> None:
            self._json(429, {"error": {"message": "rate limited", "type": "rate_limit"}}, headers=[header])

        def _429_zero(self, raw: str) -> None:
            self._rate_limited(("Retry-After", "0"))

        def _429_negative_ms(self, raw: str) -> None:
            self._rate_limited(("retry-after-ms", "-5"))

        def _429_huge(self, raw: str) -> None:
            self._rate_limited(("Retry-After", "999999"))

        def _key_error(self, raw: str) -> None:
            self._json(server.status, {"error": {"message": f"bad key {server.key}", "type": "invalid_request_error",
                                                 "code": server.key}})

        def _echo(self, raw: str) -> None:
            text = server.good_text(raw)
            body = server.completion(text)
            body["echo"] = {"authorization": f"Bearer {server.key}"}
            self._json(200, body, headers=[("X-Echo-Key", server.key), ("X-Debug", f"key={server.key}")])

        def _json_rejected(self, raw: str) -> None:
            self._json(400, {"error": {"message": "response_format is not supported", "type": "invalid_request_error",
                                       "code": "unsupported_parameter"}})

        def _huge_usage(self, raw: str) -> None:
            body = server.completion(server.good_text(raw))
            body["usage"] = {"prompt_tokens": 10**23, "completion_tokens": -5, "total_tokens": 1e300}
            self._json(200, body)

        def _deep_body(self, raw: str) -> None:
            self._send(200, b'{"choices": ' + b"[" * DEPTH + b"]" * DEPTH + b"}")

        def _surrogate_body(self, raw: str) -> None:
            """A good answer whose body escapes lone UTF-16 halves (ASCII JSON, as json.dumps writes them)."""
            answer = json.loads(server.good_text(raw))
            answer["brief"] = answer["brief"].replace("使用", "使用\ud835\udc3a-\ud835", 1)
            answer["authors"] = [*answer["authors"], "\udfff"]
            self._send(200, json.dumps(server.completion(json.dumps(answer, ensure_ascii=False))).encode("ascii"))

        def _escaped_answer(self, raw: str) -> None:
            """A good answer whose own JSON escapes lone UTF-16 halves: "\\ud835" decodes into a lone surrogate."""
            answer = json.loads(server.good_text(raw))
            answer["brief"] = answer["brief"].replace("使用", "使用\ud835\udc3a-\udfff", 1)
            self._json(200, server.completion(json.dumps(answer)))

        def _deep_answer(self, raw: str) -> None:
            self._json(200, server.completion('{"title": ' + "[" * DEPTH + "]" * DEPTH + "}"))

        def _long_line(self, raw: str) -> None:
            """An answer that is one line of a megabyte."""
            self._json(200, server.completion(server.good_text(raw).replace("使用", "使用" + "长" * (1 << 20), 1)))

        def _drip(self, raw: str) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(server.drip_bytes))
            self.end_headers()
            try:
                for _ in range(server.drip_bytes):
                    if server._stopping.wait(1.0):
                        return
                    self.wfile.write(b" ")
                    self.wfile.flush()
            except OSError:  # the client gave up: that is the point
                return

    return Handler
