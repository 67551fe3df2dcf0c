"""The stand-in, turned hostile at the HTTP layer and in its Batch API (issue 27), for tests.

Chat answers: for a request whose body holds a key of `chat`, the mode named: `bomb` (a gzip body
of about 1 MB that inflates to 1 GiB), `redirect` (307 to the same server under another host
name), `quota_429`, `quota_200` (an insufficient_quota error in a status-200 body), `refusal`.
Batch API: a create call that creates the batch at once but answers `create_late` seconds later,
a batch already `completed` in its create answer (`create_terminal`), a batch list (looked up by
metadata), and result files that drip (`drip_s` between lines), stall after their first line
(`stall`), come gzip-encoded (`gzip_files`), carry one line inflating to 1 GiB (`bomb_title`), or
inflate to 1 GiB after their last line (`bomb_tail`).
"""

from __future__ import annotations

import json
import struct
import time
import zlib
from dataclasses import dataclass, field

from support.standin import StandIn, _handler_for, paper_blocks

MIB = 1 << 20


def gzip_bomb(prefix: bytes, filler_mib: int, suffix: bytes, filler: bytes = b" ") -> bytes:
    """A valid gzip stream of prefix + filler_mib MiB of `filler` + suffix, about 1 KB per MiB: one
    compressed MiB, flushed so it stands alone, repeated (quick to build, whatever its size)."""
    block_in = filler * MIB
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = compressor.compress(prefix) + compressor.flush(zlib.Z_FULL_FLUSH)
    block = compressor.compress(block_in) + compressor.flush(zlib.Z_FULL_FLUSH)
    tail = compressor.compress(suffix) + compressor.flush(zlib.Z_FINISH)
    crc = zlib.crc32(prefix)
    for _ in range(filler_mib):
        crc = zlib.crc32(block_in, crc)
    crc = zlib.crc32(suffix, crc)
    size = (len(prefix) + filler_mib * MIB + len(suffix)) & 0xFFFFFFFF
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
    return header + head + block * filler_mib + tail + struct.pack("<II", crc & 0xFFFFFFFF, size)


@dataclass
class HostileApi(StandIn):
    chat: dict[str, str] = field(default_factory=dict)  # body substring -> chat mode
    bomb_mib: int = 1024
    create_late: float = 0.0
    create_terminal: bool = False
    drip_s: float = 0.0
    stall: bool = False
    gzip_files: bool = False
    bomb_title: str | None = None
    bomb_tail: bool = False  # every line, then 1 GiB of blanks: the whole file is a gzip bomb
    drop_creates: int = 0  # create calls dropped (connection closed, nothing created) before one is served
    lists: int = 0  # batch list calls received
    creates: int = 0  # create calls received
    modes: list[str] = field(default_factory=list)  # the chat modes answered, in order

    def start(self, port: int = 0) -> "HostileApi":
        import threading

        from support.standin import _Server

        self._server = _Server(("127.0.0.1", port), _hostile_handler(self))
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def batch_list(self) -> dict:
        with self._lock:
            ids = list(self.batches)
        views = [self.batch_view(i) for i in reversed(ids)]
        return {"object": "list", "data": views, "has_more": False,
                "first_id": views[0]["id"] if views else None, "last_id": views[-1]["id"] if views else None}

    def content(self, file_id: str) -> bytes:
        """A file as served: with bomb_title, that paper's output line inflates to 1 GiB."""
        data = self.files[file_id]
        if self.bomb_tail:
            return gzip_bomb(data, self.bomb_mib, b"\n")
        if self.bomb_title is None:
            return data
        lines = data.split(b"\n")
        for number, line in enumerate(lines):
            if line and self.bomb_title.encode() in json.dumps(json.loads(line), ensure_ascii=False).encode():
                item = json.loads(line)
                rest = [other for other in lines[:number] + lines[number + 1:] if other]
                prefix = b"".join(other + b"\n" for other in rest)  # the bomb comes last: the file limit cuts it
                prefix += json.dumps({"id": item["id"], "custom_id": item["custom_id"]})[:-1].encode() + b', "pad": "'
                return gzip_bomb(prefix, self.bomb_mib, b'"}\n')
        return data


def _hostile_handler(api: HostileApi):
    base = _handler_for(api)

    class Handler(base):
        def do_GET(self) -> None:
            parts = self.path.split("?")[0].rstrip("/").split("/")
            if parts[-1] == "batches":
                with api._lock:
                    api.lists += 1
                return self._json(200, api.batch_list())
            if len(parts) >= 4 and parts[-1] == "content" and parts[-2] in api.files:
                return self._file(parts[-2])
            return super().do_GET()

        def _file(self, file_id: str) -> None:
            data = api.content(file_id)
            bombed = data is not api.files[file_id]
            gzipped = bombed or api.gzip_files
            if api.gzip_files and not bombed:
                compressor = zlib.compressobj(6, zlib.DEFLATED, 31)
                data = compressor.compress(data) + compressor.flush()
            self.send_response(200)
            self.send_header("content-type", "application/jsonl")
            self.send_header("content-length", str(len(data)))
            if gzipped:
                self.send_header("content-encoding", "gzip")
            self.end_headers()
            pieces = [data] if not (api.drip_s or api.stall) else [data[i:i + 200] for i in range(0, len(data), 200)]
            try:
                for number, piece in enumerate(pieces):
                    self.wfile.write(piece)
                    self.wfile.flush()
                    if api.stall and number == 0:
                        api._released.wait(60)  # until the test ends
                        return
                    if api.drip_s and api._released.wait(api.drip_s):
                        return
            except OSError:
                return

        def _batch_api(self) -> bool:
            path = self.path.rstrip("/")
            if not path.endswith("/batches"):
                return super()._batch_api()
            body = json.loads(self.rfile.read(int(self.headers.get("content-length", 0))) or b"{}")
            with api._lock:
                api.creates += 1
                drop = api.drop_creates > 0
                api.drop_creates -= drop
            if drop:  # the request arrived; the connection drops before anything is created
                self.close_connection = True
                self.connection.shutdown(2)
                return True
            view = api.create_batch(body)
            with api._lock:
                api.batches[view["id"]]["metadata"] = body.get("metadata")
            if api.create_terminal:
                with api._lock:
                    api._finish(api.batches[view["id"]])
            view = api.batch_view(view["id"])
            if api.create_late and api._released.wait(api.create_late):
                return True
            try:
                self._json(200, view)
            except OSError:
                pass
            return True

        def do_POST(self) -> None:
            if self.path.rstrip("/").endswith("/chat/completions") and api.chat:
                length = int(self.headers.get("content-length", 0))
                raw = self.rfile.read(length)
                mode = next((m for key, m in api.chat.items() if key in raw.decode("utf-8", "replace")), None)
                if mode is not None:
                    api.modes.append(mode)
                    return getattr(self, "_" + mode)(json.loads(raw))
                self.rfile = _Replay(raw, self.rfile)
                self.headers.replace_header("content-length", str(length))
            return super().do_POST()

        def _send_raw(self, status: int, data: bytes, headers: dict) -> None:
            self.send_response(status)
            self.send_header("content-length", str(len(data)))
            for key, value in headers.items():
                self.send_header(key, value)
            self.end_headers()
            try:
                self.wfile.write(data)
            except OSError:
                pass

        def _bomb(self, body: dict) -> None:
            prefix = (b'{"id": "chatcmpl-bomb", "object": "chat.completion", "model": "m", "choices": [{"index": 0, '
                      b'"finish_reason": "stop", "message": {"role": "assistant", "content": "')
            data = gzip_bomb(prefix, api.bomb_mib, b'"}}]}')
            self._send_raw(200, data, {"content-type": "application/json", "content-encoding": "gzip"})

        def _redirect(self, body: dict) -> None:
            port = api._server.server_address[1]
            self._send_raw(307, b"", {"location": f"http://localhost:{port}/v1/chat/completions"})

        def _quota_429(self, body: dict) -> None:
            self._json(429, {"error": {"message": "You exceeded your current quota", "type": "insufficient_quota",
                                       "code": "insufficient_quota"}})

        def _quota_200(self, body: dict) -> None:
            self._json(200, {"error": {"message": "You exceeded your current quota", "type": "insufficient_quota",
                                       "code": "insufficient_quota"}})

        def _refusal(self, body: dict) -> None:
            title = paper_blocks(body.get("messages", []))[0][:40]
            self._json(200, {"id": "chatcmpl-r", "object": "chat.completion", "created": int(time.time()), "model": "m",
                             "choices": [{"index": 0, "finish_reason": "stop",
                                          "message": {"role": "assistant", "content": None,
                                                      "refusal": f"I can't help with {title}."}}]})

    return Handler


class _Replay:
    """The request body already read, served again to the stand-in's own handler."""

    def __init__(self, data: bytes, rest) -> None:
        self.data, self.rest = data, rest

    def read(self, n: int = -1) -> bytes:
        if not self.data:  # the next request on this connection
            return self.rest.read(n)
        out, self.data = (self.data, b"") if n < 0 else (self.data[:n], self.data[n:])
        return out

    def __getattr__(self, name):
        return getattr(self.rest, name)
