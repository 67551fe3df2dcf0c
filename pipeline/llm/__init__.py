"""The only package that talks to the LLM endpoint (and the only one that imports the openai SDK).

The `openai` SDK's AsyncOpenAI reaches any OpenAI-compatible server. Its own retries are off:
tenacity drives them, with the policy built from tenacity's stop and wait objects (retry.py). A 429
is pacing, not failure: the call waits what Retry-After asks, never less than a floor (1 s, doubled
each time the hint is missing or below it, so `Retry-After: 0` cannot spin), up to
`rate_limit_wait` seconds actually slept and `MAX_RATE_LIMITS` answers, and the client lowers the
number of calls in flight until answers come back (pacing.py). A timeout is pacing too (a local
server that serves one request at a time is slow, not dead). 5xx, timeouts, dropped connections and
answers that are not chat completions (a proxy's HTML page) are failures: retried with a jittered
exponential backoff up to `attempts` tries per call, and a run-wide budget makes a dead endpoint
fail fast (timeouts and 5xx count toward that stop only until the endpoint has answered once).
`timeout` is a deadline for the whole HTTP call, body included. Every string that leaves this
package is scrubbed of the API key by value (secrets.py).

Modules, by concern: errors, secrets, pacing, retry (the policy), http (body limits, redirects),
about (request headers and counts), formats (the answer's JSON schema and JSON mode), answers
(parsing), batch (the Batch API transport), client (LLMClient and its factory).
"""

from ..settings import DEFAULT_ANSWER_LIMIT_MB, DEFAULT_ATTEMPTS, DEFAULT_FILE_LIMIT_MB, DEFAULT_RATE_LIMIT_WAIT
from .about import ATTEMPT_HEADER, PAPER_HEADER, PROMPT_HEADER, RequestAbout, counting, request_about
from .answers import MAX_RAW, MAX_TEXT, MAX_TOKENS, BatchLine, LineSplitter, answer_body, batch_line, completion_of
from .batch import BATCH_KEY, FIND_PAGES
from .client import LLMClient, client_for
from .errors import (
                     BodyTooLarge,
                     CallTimedOut,
                     DownloadCut,
                     EndpointUnusable,
                     LLMError,
                     MalformedAnswer,
                     NotRecorded,
                     QuotaSpent,
                     RedirectRefused,
                     Refused,
                     RetryBudgetExceeded,
                     Unconfirmed,
)
from .formats import JSON_MODES, JsonMode, json_mode_of, response_format
from .http import INFLATE_STEP, LimitedStream, guarded_http_client
from .pacing import Pacer, RetryBudget
from .retry import MAX_RATE_LIMITS, RATE_LIMIT_CEILING, RATE_LIMIT_FLOOR
from .secrets import _SECRETS, RedactingFilter, add_secret, redact, scrub

# the names the tests knew before the package was split
_answer_body, _LineSplitter, _LimitedStream = answer_body, LineSplitter, LimitedStream

__all__ = [
    "ATTEMPT_HEADER", "BATCH_KEY", "DEFAULT_ANSWER_LIMIT_MB", "DEFAULT_ATTEMPTS", "DEFAULT_FILE_LIMIT_MB",
    "DEFAULT_RATE_LIMIT_WAIT", "FIND_PAGES", "INFLATE_STEP", "JSON_MODES", "MAX_RATE_LIMITS", "MAX_RAW", "MAX_TEXT",
    "MAX_TOKENS", "PAPER_HEADER", "PROMPT_HEADER", "RATE_LIMIT_CEILING", "RATE_LIMIT_FLOOR", "_SECRETS",
    "BatchLine", "BodyTooLarge", "CallTimedOut", "DownloadCut", "EndpointUnusable", "JsonMode", "LLMClient",
    "LLMError", "MalformedAnswer", "NotRecorded", "Pacer", "QuotaSpent", "RedactingFilter", "RedirectRefused",
    "Refused", "RequestAbout", "RetryBudget", "RetryBudgetExceeded", "Unconfirmed", "add_secret", "answer_body",
    "batch_line", "client_for", "completion_of", "counting", "guarded_http_client",
    "json_mode_of", "redact", "request_about", "response_format", "scrub",
]
