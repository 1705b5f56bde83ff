"""What a client of the token endpoint does, and what a correct answer to each looks like.

Each scenario sends one kind of request under its own request entry name, so Locust keeps its
statistics apart, and judges the answer inside a ``catch_response`` block: a response that
breaks the contract is a failure whose message says why. Messages never quote a response body
that could carry a token, nor any password.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from typing import Any

from tokenprobe.core import fast_json, token_fields
from tokenprobe.core.jwt_inspect import ClaimsReader, NotAJWT

JSON_HEADERS = {"Content-Type": "application/json", "Accept": "application/json"}

# Negative bodies: (label, request keyword arguments). Every one must get a 4xx.
MALFORMED_BODIES: list[tuple[str, dict[str, Any]]] = [
    ("malformed JSON", {"data": '{"username": "x", "password": ', "headers": JSON_HEADERS}),
    ("missing password", {"json": {"username": "probe.load"}}),
    ("blank fields", {"json": {"username": "", "password": ""}}),
    ("null password", {"json": {"username": "probe.load", "password": None}}),
    ("list as password", {"json": {"username": "probe.load", "password": ["x"]}}),
    ("JSON array body", {"json": [{"username": "probe.load", "password": "x"}]}),
    (
        "text/plain body",
        {"data": "username=x&password=y", "headers": {"Content-Type": "text/plain"}},
    ),
    ("over-long username", {"json": {"username": "u" * 5000, "password": "x"}}),
]
# Answers that reject wrong credentials: the documented 400, and the 401/403 many services send.
CREDENTIAL_REJECTIONS = frozenset({400, 401, 403})
# The pair's field names, read once: the Locust process gets them in its environment at start,
# and every 200 is judged on this hot path.
TOKEN_FIELDS = token_fields.from_environment()
# Every 200 is validated; the reader only remembers which token headers PyJWT accepted.
TOKENS = ClaimsReader()


def token_pair_problem(response: Any, now: float | None = None) -> str | None:
    """A 200 must carry a decodable, unexpired JWT access token and a decodable refresh token
    in its token fields (`tokenprobe.core.token_fields`); other fields are not judged.

    Returns why the answer breaks that rule, or None when it holds.
    """
    try:
        body = fast_json.loads(response.content)
    except (ValueError, TypeError):
        return "200 body is not JSON"
    if not isinstance(body, dict):
        return "200 body is not a JSON object"
    now = time.time() if now is None else now
    for kind, field in TOKEN_FIELDS.by_role().items():
        if field not in body:
            return f"200 without a {kind} token ({field!r})"
        try:
            claims = TOKENS.claims(body[field])
        except NotAJWT as exc:
            return f"{kind} token is not a JWT ({exc})"
        exp = claims.get("exp")
        if not isinstance(exp, (int, float)):
            return f"{kind} token has no numeric exp claim"
        if exp <= now:
            expired = dt.datetime.fromtimestamp(exp, dt.UTC).isoformat(timespec="seconds")
            return f"{kind} token already expired (exp {expired})"
    return None


def judge_valid_login(response: Any) -> str | None:
    """Valid credentials get 200 with a valid token pair."""
    if response.status_code == 200:
        return token_pair_problem(response)
    if response.status_code == 429:
        return "valid account throttled (429): another scenario locked it out?"
    return f"valid credentials answered {_status(response)}, expected 200"


def judge_rejected_credentials(response: Any) -> str | None:
    """Wrong or unknown credentials must be rejected (429 is judged by the caller).

    The documented rejection is a 400; a 401 or 403 (stock SimpleJWT's 401) still rejects
    them, and is a contract finding that conformance reports once, not a load error at every
    request: `rejected_credentials_deviation` records it as information. Any other 4xx (a 404
    from a wrong path, a 405, a 415) is no rejection of credentials: an error.
    """
    if response.status_code in CREDENTIAL_REJECTIONS:
        return None
    if 200 <= response.status_code < 300:
        return f"bad credentials accepted ({response.status_code})"
    return f"bad credentials answered {_status(response)}, expected 400"


def rejected_credentials_deviation(response: Any) -> str | None:
    """How a rejection of bad credentials differs from the documented 400, if it does."""
    if response.status_code == 400:
        return None
    return f"answered {response.status_code} where the spec documents 400"


def judge_malformed(label: str) -> Callable[[Any], str | None]:
    """A malformed or negative body gets a 4xx; a 5xx or a 2xx breaks the contract."""

    def judge(response: Any) -> str | None:
        if 400 <= response.status_code < 500:
            return None
        if 200 <= response.status_code < 300:
            return f"{label} accepted ({response.status_code}), expected 4xx"
        return f"{label} answered {_status(response)}, expected 4xx"

    return judge


def _status(response: Any) -> str:
    if not response.status_code:
        return f"nothing ({_why_no_answer(getattr(response, 'error', None))})"
    if response.status_code >= 500:
        return f"server error {response.status_code}"
    return str(response.status_code)


def _why_no_answer(error: BaseException | None) -> str:
    """The cause of a missing answer, in words that carry no body or credential: a timeout's
    own message (ours: "no complete answer within 30 s"), else the error's type.

    geventhttpclient reports a failed attempt as `RetriesExceeded` and keeps the failure
    itself as ``original``: that is the cause worth naming.
    """
    cause = getattr(error, "original", None) or error
    if isinstance(cause, TimeoutError) and str(cause):
        return str(cause)
    return type(cause).__name__
