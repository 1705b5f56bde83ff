"""JWT inspection: read a token's header and claims without trusting it.

Decoding is PyJWT's; this module only turns its outcomes into a small, typed result that
checks and probes can reason about (is it a compact JWS at all, which algorithm, which claims).
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import jwt

COMPACT_JWS = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$")


class NotAJWT(ValueError):
    """The string is not a decodable JWS compact serialization."""


@dataclasses.dataclass(frozen=True)
class InspectedToken:
    header: dict[str, Any]
    claims: dict[str, Any]
    signature: str

    @property
    def algorithm(self) -> str | None:
        alg = self.header.get("alg")
        return alg if isinstance(alg, str) else None


def inspect_token(token: object) -> InspectedToken:
    """Decode header and claims without verifying the signature; raise `NotAJWT` if impossible."""
    if not isinstance(token, str) or not COMPACT_JWS.match(token):
        raise NotAJWT("not in JWS compact form (three base64url parts)")
    try:
        # One pass over the token: the load suite validates every 200 it receives.
        decoded = jwt.decode_complete(
            token,
            options={"verify_signature": False, "verify_exp": False, "verify_iat": False},
            algorithms=None,
        )
    except jwt.PyJWTError as exc:
        raise NotAJWT(f"undecodable: {exc}") from None
    claims = decoded["payload"]
    if not isinstance(claims, dict):
        raise NotAJWT("claims are not a JSON object")
    return InspectedToken(
        header=decoded["header"], claims=claims, signature=token.rsplit(".", 1)[1]
    )
