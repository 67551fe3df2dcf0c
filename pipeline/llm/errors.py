"""The errors a call to the LLM endpoint can end in, each a one-line LLMError."""

from __future__ import annotations


class LLMError(Exception):
    """The endpoint could not give an answer; the message says why in one line."""


class EndpointUnusable(LLMError):
    """No paper can succeed against this endpoint (bad key, unknown model, endpoint down): stop the run.

    `partial` carries a brief already paid for when the stop came during its repair request, so
    the runner can store it before the run ends."""

    partial = None


class RetryBudgetExceeded(EndpointUnusable):
    """Too many retries in this run: the endpoint looks down, so stop asking."""


class MalformedAnswer(LLMError):
    """A 200 whose body is not what was asked for (HTML, a list, wrong types): retried like a 5xx."""


class NotRecorded(LLMError):
    """A replay: the cassette holds no answer to this request (the prompt or the paper changed)."""


class CallTimedOut(LLMError):
    """The whole call (headers and body) overran its deadline: retried like any timeout."""


class Unconfirmed(LLMError):
    """A call that may have taken effect though no good answer came (timeout, 5xx, dropped connection):
    never retried blindly."""


class DownloadCut(LLMError):
    """A batch file whose download ran out of time or past its limit: the lines not read stay unanswered."""


class BodyTooLarge(LLMError):
    """An answer larger than its limit once decompressed: that paper's failure, never retried (the
    same request would get the same answer)."""


class Refused(LLMError):
    """The model declined to answer (a refusal, or a content filter): not retried."""


class QuotaSpent(EndpointUnusable):
    """The account's quota is used up (insufficient_quota): no paper can succeed, nothing is retried."""


class RedirectRefused(EndpointUnusable):
    """The endpoint redirected to another host: the paper's text is not sent there."""

