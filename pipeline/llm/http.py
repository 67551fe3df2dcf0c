"""The HTTP layer: every body decompressed under a limit, no redirect to another host."""

from __future__ import annotations

import functools
import zlib

from .about import wire
from .errors import BodyTooLarge, MalformedAnswer, RedirectRefused
from .secrets import printable

INFLATE_STEP = 64 * 1024  # bytes decompressed at a time: a bomb never inflates past the limit in memory


def guarded_http_client(timeout: float, answer_limit: int, file_limit: int):
    """The SDK's default HTTP client, but every response body is decompressed here, a bounded step
    at a time, up to its limit (a file's content up to `file_limit`, any other answer up to
    `answer_limit`), and a redirect to another host is refused (RedirectRefused names both)."""
    return _guarded_client_class()(timeout=timeout, headers={"Accept-Encoding": "gzip, deflate"},
                                   answer_limit=answer_limit, file_limit=file_limit)


@functools.lru_cache(maxsize=1)
def _guarded_client_class():
    import httpx2
    import openai

    class AsyncLimitedStream(LimitedStream, httpx2.AsyncByteStream):
        """What the HTTP library accepts as an async body."""

    class GuardedClient(openai.DefaultAsyncHttpxClient):
        def __init__(self, answer_limit: int, file_limit: int, **kwargs) -> None:
            super().__init__(**kwargs)
            self.answer_limit, self.file_limit = answer_limit, file_limit

        async def _send_single_request(self, request):
            sent = wire()
            if sent is not None:  # the count of requests sent is what reached the endpoint (client._attempt)
                sent.tracing = True
                request.extensions["trace"] = sent.trace
            response = await super()._send_single_request(request)
            try:
                _refuse_other_host(request, response)
                limit = self.file_limit if request.url.path.endswith("/content") else self.answer_limit
                encodings = [e.strip().lower() for e in response.headers.get("content-encoding", "").split(",")
                             if e.strip() and e.strip().lower() != "identity"]
                response.stream = AsyncLimitedStream(response.stream, limit, encodings)
                if encodings:  # decoded here, under the limit: the HTTP library must not decode it again
                    del response.headers["content-encoding"]
            except BaseException:
                await response.aclose()
                raise
            return response

    return GuardedClient


def _refuse_other_host(request, response) -> None:
    if not response.has_redirect_location:
        return
    target = request.url.join(response.headers["location"])
    if (target.host or "").lower() != (request.url.host or "").lower():
        raise RedirectRefused(f"the endpoint {printable(request.url.host)} redirected to another host, "
                              f"{printable(target.host[:100])} (HTTP {response.status_code}); the paper's text "
                              f"is not sent there: set the base URL to the host that answers")


class LimitedStream:
    """A response body, decompressed (gzip or deflate) in steps of INFLATE_STEP bytes and stopped
    with BodyTooLarge past `limit` bytes; the HTTP library reads it as plain bytes."""

    def __init__(self, raw, limit: int, encodings: list[str]) -> None:
        self.raw, self.limit, self.seen = raw, limit, 0
        if len(encodings) > 1 or (encodings and encodings[0] not in ("gzip", "x-gzip", "deflate")):
            raise MalformedAnswer(f"the endpoint's answer is compressed as {printable(', '.join(encodings)[:40])}, "
                                  "which was not asked for")
        self.inflater = _inflater() if encodings else None

    @property
    def elapsed(self):
        return getattr(self.raw, "elapsed", None)

    async def __aiter__(self):
        async for chunk in self.raw:
            for piece in self._decoded(chunk):
                self.seen += len(piece)
                if self.seen > self.limit:
                    raise BodyTooLarge(f"the endpoint's answer is larger than {self.limit >> 20} MB "
                                       f"(the limit; see answer_limit_mb and batch_file_limit_mb)")
                yield piece

    def _decoded(self, chunk: bytes):
        if self.inflater is None:
            yield chunk
            return
        data = chunk
        while data and not self.inflater.eof:
            try:
                piece = self.inflater.decompress(data, INFLATE_STEP)
            except zlib.error:
                raise MalformedAnswer("the endpoint's compressed answer is damaged") from None
            if piece:
                yield piece
            data = self.inflater.unconsumed_tail

    async def aclose(self) -> None:
        await self.raw.aclose()


def _inflater():
    """gzip, or deflate with its zlib header (the header is detected, so a mislabelled one reads too)."""
    return zlib.decompressobj(zlib.MAX_WBITS | 32)
