"""Batch transport: the same requests, run by the provider within 24 hours at about half the price.

Upload a file of requests, create its batch once (with a client-side key, looked up before another
is made), follow its state, cancel it, and read its result files line by line under limits."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import AsyncIterator

from ..models import BatchState
from .answers import BatchLine, LineSplitter, batch_state_of, field_of
from .errors import DownloadCut, LLMError, Unconfirmed
from .retry import describe

log = logging.getLogger("paperbrief.llm")

BATCH_KEY = "paperbrief_key"  # the batch metadata field holding the client-side key of its intent
FIND_PAGES = 10  # pages of 100 batches searched for a batch whose create answer never came


class BatchTransport:
    """The Batch API half of LLMClient: every call goes through the client's `_call` (its retry
    policy and pacing) on its SDK client `_client`."""

    async def upload_batch_file(self, path: Path) -> str:
        """Upload a JSONL file of requests; returns its file id (no overall deadline: files can be large)."""
        async def upload():
            with path.open("rb") as fh:
                return field_of(await self._client.files.create(file=(path.name, fh), purpose="batch"), "id")
        return await self._call(upload, deadline=False)

    async def create_batch(self, file_id: str, key: str) -> BatchState:
        """Create the batch of `file_id` once. `key` goes into the batch's metadata (and the
        Idempotency-Key header); a create that fails in a way that may have reached the provider
        (timeout, 5xx, dropped connection) is looked up by key or input file before another is made."""
        async def create():
            return batch_state_of(await self._client.batches.create(
                input_file_id=file_id, endpoint="/v1/chat/completions", completion_window="24h",
                metadata={BATCH_KEY: key}, extra_headers={"Idempotency-Key": key}))

        last = ""
        for attempt in range(1, self.attempts + 1):
            try:
                return await self._call(create, idempotent=False)
            except Unconfirmed as exc:
                last = str(exc)
                log.warning("the batch create got no answer (%s); looking for the batch before creating another", exc)
            await self.sleep(min(0.5 * 2 ** (attempt - 1), self.max_wait))  # a late create lands meanwhile
            found = await self.find_batch(key, file_id)
            if found is not None:
                return found
        raise LLMError(f"the batch could not be created ({last}); its intent is kept: the next run looks it up first")

    async def find_batch(self, key: str, file_id: str) -> BatchState | None:
        """The batch whose metadata holds `key`, or whose input file is `file_id`, among the newest
        FIND_PAGES pages of the provider's list, or None."""
        after = None
        for _ in range(FIND_PAGES):
            page = await self._call(lambda after=after: self._client.batches.list(limit=100, **({"after": after} if after else {})))
            batches = list(getattr(page, "data", None) or [])
            for batch in batches:
                metadata = getattr(batch, "metadata", None)
                if (isinstance(metadata, dict) and metadata.get(BATCH_KEY) == key) or getattr(batch, "input_file_id", None) == file_id:
                    return batch_state_of(batch)
            if not batches or not getattr(page, "has_more", False):
                return None
            after = getattr(batches[-1], "id", None)
        return None

    async def batch_state(self, batch_id: str) -> BatchState:
        async def retrieve():
            return batch_state_of(await self._client.batches.retrieve(batch_id))
        return await self._call(retrieve)

    async def cancel_batch(self, batch_id: str) -> BatchState:
        async def cancel():
            return batch_state_of(await self._client.batches.cancel(batch_id))
        return await self._call(cancel)

    async def batch_lines(self, file_id: str, line_limit: int, deadline_s: float) -> AsyncIterator["BatchLine"]:
        """The lines of a result or error file, streamed, each as a BatchLine: never held whole in
        memory, each line at most `line_limit` bytes (a longer one is that request's failure), the
        file decompressed up to the client's file limit, the whole download within `deadline_s`
        seconds. A download cut short raises DownloadCut after the lines that came."""
        stop = asyncio.get_running_loop().time() + deadline_s
        try:
            async with asyncio.timeout_at(stop):
                stream = await self._call(lambda: self._client.files.with_streaming_response.content(file_id).__aenter__())
        except TimeoutError:
            raise DownloadCut(f"the batch file {file_id} did not start within {deadline_s:g} s") from None
        lines = LineSplitter(line_limit)
        chunks = stream.iter_bytes().__aiter__()
        try:
            while True:
                try:
                    async with asyncio.timeout_at(stop):
                        chunk = await anext(chunks, None)
                except TimeoutError:
                    raise DownloadCut(f"the batch file {file_id} did not arrive within {deadline_s:g} s "
                                      "(batch_download_timeout)") from None
                except Exception as exc:  # past the file limit, damaged, a dropped connection
                    raise DownloadCut(f"the batch file {file_id} was cut: {describe(exc)}") from None
                for line in lines.feed(chunk) if chunk is not None else lines.end():
                    yield line
                if chunk is None:
                    return
        finally:
            await stream.close()
