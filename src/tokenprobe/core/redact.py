"""Redaction: passwords and issued tokens never reach a log, a report or a cassette.

A `Redactor` learns every secret the run handles (configured passwords, every token seen in a
response) and scrubs them from any text before it is written. JWT-shaped strings are masked
even when they were not learnt, because a token issued by a faulty target may appear anywhere.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import quote, quote_plus

# header.payload.signature, base64url; headers of JSON objects start with "eyJ" ('{"').
JWT_PATTERN = re.compile(r"eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")
PASSWORD_MASK = "[REDACTED]"
MIN_SECRET_LENGTH = 4  # shorter strings would mask ordinary words


def mask_token(token: str) -> str:
    """Keep enough of a token to recognise its header, never enough to use it."""
    return f"{token[:10]}…[{len(token)} chars]" if token else token


class Redactor:
    """Thread-safe set of secrets, applied to text on the way out."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._lock = threading.Lock()
        self._secrets: set[str] = set()
        self.add(*secrets)

    def add(self, *secrets: str) -> None:
        with self._lock:
            self._secrets.update(s for s in secrets if s and len(s) >= MIN_SECRET_LENGTH)

    def add_password(self, password: str) -> None:
        """A password as written raw, inside JSON strings (escaped either way) and in a URL's
        query string (percent-encoded either way: a probe may send one there)."""
        self.add(
            password,
            json.dumps(password)[1:-1],
            json.dumps(password, ensure_ascii=False)[1:-1],
            quote_plus(password),
            quote(password, safe=""),
        )

    def __call__(self, text: str) -> str:
        text = JWT_PATTERN.sub(lambda m: mask_token(m.group(0)), text)
        with self._lock:
            # Longest first, so a secret that contains another is masked whole.
            secrets = sorted(self._secrets, key=len, reverse=True)
        for secret in secrets:
            text = text.replace(secret, PASSWORD_MASK)
        return text


def redact_data(value: Any, redact: Callable[[str], str]) -> Any:
    """Redact every string in a JSON-like value, keys included.

    Redact data *before* serialising it: JSON, XML and HTML escape characters such as ``"``
    and ``<``, so a secret containing them no longer matches once rendered.
    """
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, Mapping):
        return {redact_data(k, redact): redact_data(v, redact) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact_data(v, redact) for v in value]
    return value
