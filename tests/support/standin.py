"""A stand-in OpenAI-compatible server on 127.0.0.1, for tests, benchmarks and recording samples.

It answers /v1/chat/completions with a brief built from the <paper> block of the request (or a
scripted reply per title), and can be slow, rate-limit (429 + Retry-After), fail (500), hang,
drop the connection or answer off-template, each with a probability, from a seeded generator.
Like a local model server it can serve one request at a time (`single_slot`: the others queue,
and one whose client went away is still worked through, as llama.cpp does) and cut its answers
off at max_tokens (`cut_off`, finish_reason "length"). Every request is logged when it arrives,
so tests can count exactly how many requests a command sent.
"""

from __future__ import annotations

import contextlib
import json
import random
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class _Server(ThreadingHTTPServer):
    request_queue_size = 1024  # the default backlog of 5 drops bursts of connects (1 s SYN retry)
    daemon_threads = True


@dataclass
class Faults:
    rate_limit: float = 0.0  # share of requests answered 429 with Retry-After
    server_error: float = 0.0  # 500
    hang: float = 0.0  # no answer for hang_s seconds (client timeout)
    drop: float = 0.0  # connection closed without a response
    off_template: float = 0.0  # a 200 whose text is not a brief
    retry_after: float = 0.05
    hang_s: float = 5.0
    rate_limit_first: int = 0  # answer each paper's first N requests with 429 (a rate-limited account)
    batch_delay: float = 0.2  # seconds before a batch completes (the provider's fleet at work)
    batch_failed: float = 0.0  # share of a batch's lines that fail (server_error in the error file)
    batch_expired: float = 0.0  # share of a batch's lines that expire (batch_expired in the error file)


@dataclass
class StandIn:
    latency: float = 0.0
    faults: Faults = field(default_factory=Faults)
    replies: dict[str, str] = field(default_factory=dict)  # title -> the brief sentence its answers carry
    readings: dict[str, dict] = field(default_factory=dict)  # title -> its header as read: title, authors, institutions
    raw_replies: dict[str, str] = field(default_factory=dict)  # title -> the whole answer, verbatim (broken contracts)
    always_off_template: set[str] = field(default_factory=set)  # titles whose brief is off-template every time
    sloppy: bool = False  # every paper's first answer carries one reading error (see plant_error)
    by_position: bool = False  # read every header as a small model does, line by line (see read_by_position)
    single_slot: bool = False  # serve one chat request at a time, the rest queued (a llama.cpp server with one slot)
    cut_off: bool = False  # first answers run long and are cut at max_tokens, finish_reason "length" (a small model)
    topics: dict[str, str] = field(default_factory=dict)  # title -> the topic its answers name, when asked for one
    off_theme: dict[str, str] = field(default_factory=dict)  # title -> why it is off the digest's theme, when asked
    usual_names: str = ""  # "en": institutions in their usual full forms ("Full Name (ACR)"); "zh": Chinese names where known
    seed: int = 7
    script: list[str] = field(default_factory=list)  # outcomes forced on the first requests, in order
    require_key: str | None = None  # answer 401 invalid_api_key to any other Authorization
    hold_after: int | None = None  # answer this many chat requests, then hold each later one until release()
    answer_forms: set[str] = field(default_factory=lambda: {"json_schema", "json_object"})  # response_format types taken; others get 400
    requests: list[dict] = field(default_factory=list)
    in_flight: int = 0
    max_in_flight: int = 0  # the most requests open at once: what a concurrency bound is tested against
    seen: dict[str, int] = field(default_factory=dict)  # requests per paper title so far
    files: dict[str, bytes] = field(default_factory=dict)  # uploaded and produced files, by id
    batches: dict[str, dict] = field(default_factory=dict)  # batch objects, by id

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)
        self._lock = threading.Lock()
        self._slot = threading.Lock()  # held while a single-slot server works on a request
        self._server: ThreadingHTTPServer | None = None
        self.holding = threading.Event()  # set once a request is being held (hold_after): a run is mid-call
        self._released = threading.Event()

    # -- lifecycle -------------------------------------------------------------------------
    def start(self, port: int = 0) -> "StandIn":
        handler = _handler_for(self)
        self._server = _Server(("127.0.0.1", port), handler)
        self._server.daemon_threads = True
        # a short poll: stop() returns within 50 ms instead of serve_forever's default 0.5 s
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def release(self) -> None:
        """Answer the held requests, and every later one at once."""
        self._released.set()

    def stop(self) -> None:
        self.release()  # a held handler thread ends instead of waiting forever
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self) -> "StandIn":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    @property
    def completed(self) -> int:
        """Requests answered 200 (what a paid API would bill)."""
        return sum(1 for r in self.requests if r["status"] == 200)

    # -- behaviour -------------------------------------------------------------------------
    def draw(self) -> str:
        with self._lock:
            if self.script:
                return self.script.pop(0)
            roll = self._rng.random()
        f, edge = self.faults, 0.0
        for name in ("drop", "hang", "rate_limit", "server_error", "off_template"):
            edge += getattr(f, name)
            if roll < edge:
                return name
        return "ok"

    # -- files and batches (the Batch API) ---------------------------------------------------
    def upload(self, content: bytes) -> dict:
        with self._lock:
            file_id = f"file-standin-{len(self.files) + 1}"
            self.files[file_id] = content
        return {"id": file_id, "object": "file", "bytes": len(content), "created_at": int(time.time()),
                "filename": "batch.jsonl", "purpose": "batch", "status": "processed"}

    def create_batch(self, body: dict) -> dict:
        lines = [json.loads(line) for line in self.files.get(body.get("input_file_id", ""), b"").splitlines() if line.strip()]
        with self._lock:
            batch_id = f"batch_standin_{len(self.batches) + 1}"
            self.batches[batch_id] = {
                "id": batch_id, "object": "batch", "endpoint": body.get("endpoint"), "errors": None,
                "input_file_id": body.get("input_file_id"), "completion_window": body.get("completion_window", "24h"),
                "status": "in_progress", "output_file_id": None, "error_file_id": None, "created_at": int(time.time()),
                "request_counts": {"total": len(lines), "completed": 0, "failed": 0},
                "_started": time.monotonic(), "_lines": lines,
            }
        return self.batch_view(batch_id)

    def batch_view(self, batch_id: str) -> dict:
        """The batch as the API shows it; it finishes once `batch_delay` has passed."""
        with self._lock:
            batch = self.batches[batch_id]
            if batch["status"] == "in_progress":
                share = min(1.0, (time.monotonic() - batch["_started"]) / max(self.faults.batch_delay, 1e-6))
                batch["request_counts"]["completed"] = int(share * len(batch["_lines"]) * 0.99)
                if share >= 1.0:
                    self._finish(batch)
            return {k: v for k, v in batch.items() if not k.startswith("_")}

    def cancel_batch(self, batch_id: str) -> dict:
        with self._lock:
            batch = self.batches[batch_id]
            if batch["status"] == "in_progress":
                batch["status"] = "cancelled"
        return self.batch_view(batch_id)

    def _finish(self, batch: dict) -> None:
        out, errors = [], []
        for number, line in enumerate(batch["_lines"]):
            roll = self._rng.random()
            request_id = f"{batch['id']}-req-{number}"
            if roll < self.faults.batch_failed + self.faults.batch_expired:
                code = "server_error" if roll < self.faults.batch_failed else "batch_expired"
                errors.append({"id": request_id, "custom_id": line["custom_id"], "response": None,
                               "error": {"code": code, "message": code.replace("_", " ")}})
                continue
            body = line["body"]
            completion = chat_completion(body, *self.finish(body, self.answer(body)), f"chatcmpl-{request_id}")
            out.append({"id": request_id, "custom_id": line["custom_id"], "error": None,
                        "response": {"status_code": 200, "request_id": request_id, "body": completion}})
        for name, rows in (("output_file_id", out), ("error_file_id", errors)):
            if rows:
                file_id = f"file-standin-{len(self.files) + 1}"
                self.files[file_id] = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode("utf-8")
                batch[name] = file_id
        batch["request_counts"] = {"total": len(batch["_lines"]), "completed": len(out), "failed": len(errors)}
        batch["status"] = "completed"

    def answer(self, body: dict) -> str:
        """The answer a model gives: one JSON object reading the header and briefing the paper."""
        messages = body.get("messages", [])
        header, abstract = paper_blocks(messages)
        title = self.scripted_title(header)
        repair = len(messages) > 2
        if title in self.raw_replies:
            return self.raw_replies[title]
        if title in self.always_off_template:
            return json.dumps({**self.reading_of(header, title), "brief": "这篇论文很有意思，值得一读。"}, ensure_ascii=False)
        reading = self.reading_of(header, title)
        brief = self.replies.get(title) or brief_for(reading, variant=1 if repair else 0, byline=byline_team(header))
        if self.sloppy and not repair:
            reading = plant_error(reading, header)
        if self.usual_names:
            reading = in_usual_names(reading, header, chinese=self.usual_names == "zh")
            brief = self.replies.get(title) or brief_for(reading, variant=1 if repair else 0, byline=byline_team(header))
        return json.dumps({**reading, "brief": brief, **self.digest_keys(messages, title, header + "\n" + abstract)},
                          ensure_ascii=False)

    def digest_keys(self, messages: list[dict], title: str, text: str) -> dict:
        """The digest's keys the system text asks for: a topic from its JSON list (the scripted one,
        else the first the paper's text names, else 其他), and whether the paper is on the theme."""
        system = next((m.get("content", "") for m in messages if isinstance(m, dict)), "")
        system = system if isinstance(system, str) else ""
        keys: dict = {}
        listed = re.search(r'"topic"[^\n]*?(\[[^\n\]]*\])', system)
        if listed:
            topics = json.loads(listed.group(1))
            keys["topic"] = self.topics.get(title) or next((t for t in topics if t.casefold() in text.casefold()), "其他")
        if '"relevant"' in system:
            keys["relevant"] = title not in self.off_theme
            keys["reason"] = self.off_theme.get(title) or "论文内容与本期主题相关"
        return keys

    def scripted_title(self, header: str) -> str:
        """The scripted paper whose title the header prints (the longest such title), or ''."""
        page = _fold(header)
        scripted = {*self.replies, *self.readings, *self.raw_replies, *self.always_off_template, *self.topics, *self.off_theme}
        titles = [t for t in scripted if _fold(t) and _fold(t) in page]
        return max(titles, key=len, default="")

    def reading_of(self, header: str, title: str) -> dict:
        if title in self.readings:
            return {"title": title, "authors": [], "institutions": [], **self.readings[title]}
        return read_by_position(header) if self.by_position else read_header(header)

    def chat_requests(self) -> list[dict]:
        """The chat-completion requests received so far, answered or not (what a command sent)."""
        with self._lock:
            return [r for r in self.requests if r["path"].endswith("/chat/completions")]

    def finish(self, body: dict, text: str) -> tuple[str, str]:
        """(text, finish_reason): in `cut_off` mode a first answer rambles and is cut at max_tokens."""
        if not self.cut_off or len(body.get("messages", [])) > 2 or any(
                m.get("role") == "assistant" for m in body.get("messages", [])):
            return text, "stop"
        limit = int(body.get("max_tokens") or body.get("max_completion_tokens") or 700)
        answer = json.loads(text)
        long = json.dumps({**answer, "brief": answer.get("brief", "") + "此外，" + "该方法在多个基准上进行了详细的实验与分析，" * 80},
                          ensure_ascii=False, indent=2)
        cut = ""
        for ch in long:
            if estimate_tokens(cut + ch) > limit:
                break
            cut += ch
        return cut, "length"

    def log(self, entry: dict) -> None:
        with self._lock:
            self.requests.append(entry)


def _fold(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.casefold())


def paper_blocks(messages: list[dict]) -> tuple[str, str]:
    """(header, abstract) from the first user message's <header> and <abstract> blocks."""
    text = next((m.get("content", "") for m in messages if isinstance(m, dict) and m.get("role") == "user"), "")
    text = text if isinstance(text, str) else ""
    header = re.search(r"<header>\n?(.*?)\n?</header>", text, re.S)
    abstract = re.search(r"<abstract>\n?(.*?)\n?</abstract>", text, re.S)
    return (header.group(1) if header else ""), (abstract.group(1) if abstract else "")


_ORG_WORDS = re.compile(r"University|Universit|Institute|Laborator|Labs?\b|Inc\.|Ltd\.|College|Academy|Corporation|大学|研究院|公司")
_MARKS = re.compile(r"[\d*†‡§¶,]+$")


def read_header(header: str) -> dict:
    """A plain reader of the header, as a model that was told nothing else would read it: the first
    line is the title, the next the authors, and the parts with an organisation word the institutions."""
    lines = [line.strip() for line in header.splitlines() if line.strip()]
    title = lines[0] if lines else ""
    authors: list[str] = []
    for part in re.split(r",|\band\b|\s{3}", lines[1] if len(lines) > 1 else ""):
        name = _MARKS.sub("", part.strip()).strip()
        if 2 <= len(name.split()) <= 4 and not _ORG_WORDS.search(name) and all(w[:1].isupper() for w in name.split()):
            authors.append(name)
    institutions: list[str] = []
    for line in lines[2:] if authors else lines[1:]:
        for part in re.split(r"\s{3}|;", re.sub(r"^[\d*†‡a-z]{1,2}\s+", "", line)):
            part = re.split(r"[<\[{]|https?:", re.sub(r"^[\d*†‡]+\s*", "", part.strip()))[0].strip(" .,;")
            pieces = [p.strip() for p in part.split(",")]
            named = [p for p in pieces if _ORG_WORDS.search(p)]
            if named and len(named[-1].split()) <= 10 and "@" not in named[-1]:
                institutions.append(named[-1])
    return {"title": title, "authors": authors, "institutions": list(dict.fromkeys(institutions))}


_LIST_SEPARATORS = re.compile(r",|;|\s+and\s+|\s&\s|\s{3,}|·")


def read_by_position(header: str) -> dict:
    """The header as a small model reads it by position, markers and running heads included: the
    first line is the title, the next line's comma-separated parts the authors, and the first later
    line with an organisation word (else the third line) the one institution, whole."""
    lines = [line.strip() for line in header.splitlines() if line.strip()]
    title = lines[0] if lines else ""
    authors = [part.strip() for part in _LIST_SEPARATORS.split(lines[1])] if len(lines) > 1 else []
    later = lines[2:]
    institution = next((line for line in later if _ORG_WORDS.search(line)), later[0] if later else "")
    return {"title": title, "authors": [a for a in authors if a], "institutions": [institution] if institution else []}


def plant_error(reading: dict, header: str) -> dict:
    """One reading error of a sloppy model, chosen by the paper: a department, an author given as an
    institution, an organisation page 1 does not print, an invented author, or another paper's title."""
    kind = sum(map(ord, reading.get("title", ""))) % 5
    wrong = {**reading, "authors": list(reading.get("authors", [])), "institutions": list(reading.get("institutions", []))}
    if kind == 0:
        wrong["institutions"].append("Department of Computer Science")
    elif kind == 1 and wrong["authors"]:
        wrong["institutions"].append(wrong["authors"][0])
    elif kind in (1, 2):  # an organisation page 1 does not print (also for a paper with no author to misplace)
        wrong["institutions"].append("Quillfeather Institute of Advanced Study")
    elif kind == 3:
        wrong["authors"].append("Morwenna Pelletier-Oduya")
    else:
        wrong["title"] = "Attention Is Not What You Need: A Different Paper Entirely"
    return wrong


def byline_team(header: str) -> str:
    """The team a byline signs with ('Kimi Team'), or ''."""
    match = re.search(r"\b(?:[A-Z][\w.-]*[ \t]+){1,3}Team\b", header)
    return match.group(0) if match else ""


def in_usual_names(reading: dict, header: str, chinese: bool = False) -> dict:
    """The reading as a capable model writes it: each institution in its usual form rather than
    as printed (the spelt-out name with the printed short form in brackets, the name with its
    acronym, a system campus spelt out), or, with `chinese`, its usual Chinese name where one is known."""
    from pipeline.names import registry

    context = registry.Context(header)
    names = [usual_name(name, context, chinese) for name in reading.get("institutions") or []]
    return {**reading, "institutions": names}


def usual_name(name: str, context, chinese: bool = False) -> str:
    """One printed institution in the form a capable model writes it (see in_usual_names)."""
    from pipeline.names import institutions as inst
    from pipeline.names import registry

    row, org = inst.known(name), registry.identify(name, context)
    if chinese:
        zh = next(iter(row.chinese), "") if row is not None else ""
        if zh or (org is not None and org.zh):
            return zh or org.zh
    spelt = next((f for f in inst.usual_forms(name) if len(f) > len(name) and "," in f), "")
    full = spelt or (org.name if org is not None and org.type != "company" else "") or (row.name if row is not None else "")
    full = re.sub(r"\s*\([^()]*\)$", "", full)  # the registry's '(United States)'
    if full and _fold(full) != _fold(name) and len(name) < len(full):
        return f"{full} ({name})"  # 'University of California, Berkeley (UC Berkeley)'
    acronym = next((k.upper() for k in (org.keys(registry.ACRONYM) if org is not None else []) if k.isascii() and k.isalpha()), "")
    if acronym and "(" not in name and registry.identify(acronym, context) == org:
        return f"{name} ({acronym})"  # 'Tsinghua University (THU)'
    return name


def brief_for(reading: dict, variant: int = 0, byline: str = "") -> str:
    """A template-shaped brief naming the paper's first institution (else the team its byline
    signs with, else the generic 研究团队) and its short title, no numbers."""
    from pipeline.names.institutions import is_placeholder

    names = [n for n in reading.get("institutions") or [] if not is_placeholder(n)]  # 'No Institute Given' names nobody
    institution = names[0] if names else (byline or "研究团队")
    title = reading.get("title", "")
    short = title.split(":")[0].strip() if ":" in title else title
    method = "论文提出的新方法" if variant == 0 else "论文所提出的方法"
    return f"{institution}发布了{short}论文，使用{method}，解决了该领域中的关键问题，达成了优于现有方法的效果。"


def answer_form_taken(form: object, taken: set[str]) -> bool:
    """Whether a request's response_format is one this server takes: none, or a known type the
    server was told to take; a json_schema form must carry its schema as an object."""
    if form is None:
        return True
    if not isinstance(form, dict) or form.get("type") not in taken:
        return False
    if form["type"] == "json_schema":
        spec = form.get("json_schema")
        return isinstance(spec, dict) and isinstance(spec.get("name"), str) and isinstance(spec.get("schema"), dict)
    return True


def chat_completion(body: dict, text: str, finish: str, completion_id: str) -> dict:
    """The chat-completion body answering `body` with `text` (live, in a batch line, or in-process)."""
    prompt_tokens = sum(estimate_tokens(m.get("content", "")) + 4 for m in body.get("messages", []))
    completion_tokens = estimate_tokens(text)
    return {"id": completion_id, "object": "chat.completion", "created": 0, "model": body.get("model", "standin"),
            "choices": [{"index": 0, "finish_reason": finish, "message": {"role": "assistant", "content": text}}],
            "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                      "total_tokens": prompt_tokens + completion_tokens}}


def estimate_tokens(text: str) -> int:
    """A BPE-like count: one token per CJK character, one per four other characters."""
    cjk = len(re.findall(r"[\u3000-\u9fff\uff00-\uffef]", text))
    return cjk + (len(text) - cjk + 3) // 4


def _multipart_file(data: bytes, content_type: str) -> bytes:
    """The uploaded file's bytes from a multipart/form-data body."""
    boundary = content_type.split("boundary=")[-1].strip('"').encode()
    for part in data.split(b"--" + boundary):
        head, _, body = part.partition(b"\r\n\r\n")
        if b'name="file"' in head:
            return body[:-2] if body.endswith(b"\r\n") else body
    return b""


def _handler_for(standin: StandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go out at once: no 40 ms delayed-ACK stall
        wbufsize = 1 << 16

        def log_message(self, *args) -> None:  # quiet
            pass

        def do_GET(self) -> None:
            parts = self.path.rstrip("/").split("/")
            if len(parts) >= 4 and parts[-2] == "batches" and parts[-1] in standin.batches:
                return self._json(200, standin.batch_view(parts[-1]))
            if len(parts) >= 4 and parts[-1] == "content" and parts[-2] in standin.files:
                data = standin.files[parts[-2]]
                self.send_response(200)
                self.send_header("content-type", "application/jsonl")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                return
            self._json(404, {"error": {"message": "not found"}})

        def _batch_api(self) -> bool:
            """Files and batches endpoints; False when the request is a chat completion."""
            path = self.path.rstrip("/")
            if path.endswith("/files"):
                data = self.rfile.read(int(self.headers.get("content-length", 0)))
                self._json(200, standin.upload(_multipart_file(data, self.headers.get("content-type", ""))))
                return True
            if path.endswith("/batches"):
                body = json.loads(self.rfile.read(int(self.headers.get("content-length", 0))) or b"{}")
                self._json(200, standin.create_batch(body))
                return True
            if path.endswith("/cancel") and path.split("/")[-2] in standin.batches:
                self.rfile.read(int(self.headers.get("content-length", 0)))
                self._json(200, standin.cancel_batch(path.split("/")[-2]))
                return True
            return False

        def do_POST(self) -> None:
            if self._batch_api():
                return
            with standin._lock:
                standin.in_flight += 1
                standin.max_in_flight = max(standin.max_in_flight, standin.in_flight)
            try:
                self._answer()
            finally:
                with standin._lock:
                    standin.in_flight -= 1

        def _answer(self) -> None:
            length = int(self.headers.get("content-length", 0))
            raw = self.rfile.read(length)
            try:
                body = json.loads(raw or b"{}")
            except json.JSONDecodeError:
                body = {}
            outcome = standin.draw() if self.path.endswith("/chat/completions") else "not_found"
            if outcome == "ok" and standin.faults.rate_limit_first:
                title = paper_blocks(body.get("messages", []))[0][:200]
                with standin._lock:
                    standin.seen[title] = standin.seen.get(title, 0) + 1
                    if standin.seen[title] <= standin.faults.rate_limit_first:
                        outcome = "rate_limit"
            if standin.require_key and self.headers.get("authorization") != f"Bearer {standin.require_key}":
                outcome = "unauthorized"
            if outcome != "not_found" and not answer_form_taken(body.get("response_format"), standin.answer_forms):
                outcome = "form_refused"
            entry = {"path": self.path, "body": body, "outcome": outcome, "status": 0,
                     "authorization": self.headers.get("authorization", ""), "at": time.time()}
            standin.log(entry)  # on arrival: a request queued or abandoned was still sent
            if standin.hold_after is not None and len(standin.chat_requests()) > standin.hold_after:
                standin.holding.set()
                standin._released.wait()
            slot = standin._slot if standin.single_slot else contextlib.nullcontext()
            with slot:
                try:
                    self._outcome(entry, body, outcome)
                except (BrokenPipeError, ConnectionResetError):  # the client went away; the work was done anyway
                    self.close_connection = True

        def _outcome(self, entry: dict, body: dict, outcome: str) -> None:
            if standin.latency:
                time.sleep(standin.latency)
            if outcome == "drop":
                self.close_connection = True
                self.connection.shutdown(2)
                return
            if outcome == "hang":
                time.sleep(standin.faults.hang_s)
                self.close_connection = True
                return
            if outcome == "rate_limit":
                entry["status"] = 429
                return self._json(429, {"error": {"message": "rate limited", "type": "rate_limit"}},
                                  {"Retry-After": str(standin.faults.retry_after)})
            if outcome == "form_refused":
                entry["status"] = 400
                return self._json(400, {"error": {"message": "response_format is not supported", "param": "response_format",
                                                  "type": "invalid_request_error", "code": None}})
            if outcome == "unauthorized":
                entry["status"] = 401
                return self._json(401, {"error": {"message": "Incorrect API key provided: wr***ey",
                                                  "type": "invalid_request_error", "code": "invalid_api_key"}})
            if outcome in ("server_error", "not_found"):
                entry["status"] = 500 if outcome == "server_error" else 404
                return self._json(entry["status"], {"error": {"message": outcome}})
            text, finish = ("我无法按要求回答。", "stop") if outcome == "off_template" else standin.finish(body, standin.answer(body))
            entry["status"] = 200
            entry["finish_reason"] = finish
            self._json(200, chat_completion(body, text, finish, f"chatcmpl-standin-{len(standin.requests)}"))

        def _json(self, status: int, payload: dict, headers: dict | None = None) -> None:
            data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)

    return Handler


def main() -> None:
    """`python -m support.standin --latency S`: serve until killed; prints the base URL first."""
    import argparse

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--batch-delay", type=float, default=0.2, help="seconds before a batch completes")
    parser.add_argument("--single-slot", action="store_true", help="serve one request at a time, like a llama.cpp server")
    parser.add_argument("--cut-off", action="store_true", help="cut first answers off at max_tokens (finish_reason length)")
    parser.add_argument("--readings", help="a JSON file: title -> the header as read (title, authors, institutions)")
    parser.add_argument("--by-position", action="store_true", help="read each header line by line, as a small model does")
    args = parser.parse_args()
    readings = json.loads(open(args.readings, encoding="utf-8").read()) if args.readings else {}
    server = StandIn(latency=args.latency, faults=Faults(batch_delay=args.batch_delay), readings=readings,
                     single_slot=args.single_slot, cut_off=args.cut_off, by_position=args.by_position).start(args.port)
    print(server.base_url, flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
