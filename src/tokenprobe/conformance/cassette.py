"""The HAR cassette, made safe to keep: passwords and tokens redacted, huge bodies shortened.

Schemathesis records every request and response verbatim, so its HAR holds the passwords the
run sent and the tokens the target issued. This module rewrites it through the run's
`Redactor` (which also masks any JWT-shaped string) before it reaches the report directory.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tokenprobe.core import token_fields
from tokenprobe.core.files import write_text_atomic
from tokenprobe.core.redact import Redactor

# Boundary cases send megabyte bodies; a reader needs their start, not all of them.
MAX_TEXT = 4096


def redact_har(source: Path, target: Path, redactor: Redactor) -> Path:
    """Write a redacted copy of the HAR file ``source`` to ``target``; the tokens its 200s
    issued are learnt first, so they are masked wherever they appear, JWTs or not."""
    har = json.loads(source.read_text(encoding="utf-8"))
    redactor.add(*issued_tokens(har))
    redact = redactor
    for entry in har.get("log", {}).get("entries", []):
        _scrub_body(entry.get("request", {}).get("postData"), redact)
        _scrub_body(entry.get("response", {}).get("content"), redact)
    text = json.dumps(har, indent=1, ensure_ascii=False)
    return write_text_atomic(target, redact(text))


def issued_tokens(har: dict[str, Any]) -> list[str]:
    """The values of the token fields of every 200 the cassette recorded."""
    fields = token_fields.from_environment()
    tokens: list[str] = []
    for entry in har.get("log", {}).get("entries", []):
        response = entry.get("response", {})
        if response.get("status") == 200:
            tokens += fields.strings(_json_or_none(response.get("content") or {})).values()
    return tokens


def _json_or_none(content: dict[str, Any]) -> Any:
    text = content.get("text")
    if not isinstance(text, str):
        return None
    if content.get("encoding") == "base64":
        try:
            text = base64.b64decode(text).decode("utf-8")
        except (binascii.Error, ValueError):
            return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def _scrub_body(body: dict[str, Any] | None, redact: Callable[[str], str]) -> None:
    """Decode base64 bodies (so redaction sees them), redact, then shorten long ones."""
    if not body or not isinstance(body.get("text"), str):
        return
    text = body["text"]
    if body.get("encoding") == "base64":
        try:
            text = base64.b64decode(text).decode("utf-8", "replace")
        except (binascii.Error, ValueError):
            text = "[undecodable body removed]"
        body.pop("encoding")
    text = redact(text)  # before shortening, so no secret is cut where redaction misses it
    if len(text) > MAX_TEXT:
        text = f"{text[:MAX_TEXT]}…[{len(text) - MAX_TEXT} more characters]"
    body["text"] = text
