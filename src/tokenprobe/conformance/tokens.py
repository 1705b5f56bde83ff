"""Reading what a response carries: the issued token pair and what the request submitted.

Shared by the checks; nothing here decides pass or fail.
"""

from __future__ import annotations

import json
from typing import Any

from schemathesis import Case, Response

from tokenprobe.core import token_fields
from tokenprobe.core.jwt_inspect import InspectedToken, NotAJWT, inspect_token


def json_body(response: Response) -> Any:
    """The body parsed as JSON whatever the Content-Type says, or None when it is not JSON."""
    try:
        return json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        return None


def issued_tokens(response: Response) -> dict[str, str]:
    """The token strings a 200 carries in its token fields, by role; empty when it carries
    none. Its other fields are data, never tokens."""
    if response.status_code != 200:
        return {}
    return token_fields.from_environment().strings(json_body(response))


def inspected_tokens(response: Response) -> dict[str, InspectedToken]:
    """The decodable tokens of a 200, by role (undecodable ones are TP-TOKEN-001's business)."""
    inspected = {}
    for role, token in issued_tokens(response).items():
        try:
            inspected[role] = inspect_token(token)
        except NotAJWT:
            continue
    return inspected


def submitted_password(case: Case) -> str | None:
    """The password string the case sent, if it sent one."""
    body = case.body
    if isinstance(body, dict) and isinstance(body.get("password"), str):
        return body["password"]
    return None


def header(response: Response, name: str) -> str | None:
    values = response.headers.get(name.lower())
    return ", ".join(values) if values else None


def media_type(response: Response) -> str:
    value = header(response, "Content-Type") or ""
    return value.split(";", 1)[0].strip().lower()
