"""JWT inspection: read a token's header and claims without trusting it.

Decoding is PyJWT's; this module only turns its outcomes into a small, typed result that
checks and probes can reason about (is it a compact JWS at all, which algorithm, which claims).
"""

from __future__ import annotations

import binascii
import dataclasses
import json
import re
from typing import Any

import jwt
import jwt.utils

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


class ClaimsReader:
    """`inspect_token(token).claims` for a stream of tokens from one issuer, at a fraction of
    the cost.

    The load suite validates every 200 it receives, so this runs once per token on the load
    generator's hot path. It raises `NotAJWT` for exactly the tokens `inspect_token` rejects.
    Everything PyJWT checks in a header (JSON object, ``kid``, ``crit``, ``b64``) depends on
    the header segment alone, so a header segment is trusted once PyJWT has accepted a whole
    token that carries it: an issuer uses a handful of headers, and after the first token each
    one costs a dictionary look-up. The claims differ in every token and are decoded every
    time; the regular expression has already rejected any character outside the base64url
    alphabet, which PyJWT would check again one character at a time.
    """

    MAX_HEADERS = 64  # header segments remembered; tokens with others take PyJWT's full path

    def __init__(self) -> None:
        self._accepted_headers: set[str] = set()

    def claims(self, token: object) -> dict[str, Any]:
        """The token's claims, unverified; raise `NotAJWT` where `inspect_token` would."""
        if not isinstance(token, str) or not COMPACT_JWS.match(token):
            raise NotAJWT("not in JWS compact form (three base64url parts)")
        header, payload, signature = token.split(".")
        if header not in self._accepted_headers:
            claims = inspect_token(token).claims  # PyJWT, all of it
            if len(self._accepted_headers) < self.MAX_HEADERS:
                self._accepted_headers.add(header)
            return claims
        _canonical_base64url(signature, "crypto")
        try:
            claims = json.loads(_canonical_base64url(payload, "payload"))
        except (ValueError, RecursionError) as exc:
            raise NotAJWT(f"undecodable: Invalid payload string: {exc}") from None
        if not isinstance(claims, dict):
            raise NotAJWT("claims are not a JSON object")
        return claims


def _canonical_base64url(segment: str, name: str) -> bytes:
    """Decode a segment the regular expression accepted, as strictly as PyJWT does: a length
    that no encoding has, or trailing bits that a canonical encoder would not set, is refused."""
    try:
        decoded = jwt.utils.base64url_decode(segment) if len(segment) % 4 != 1 else None
    except binascii.Error:
        decoded = None
    if decoded is None or jwt.utils.base64url_encode(decoded).decode("ascii") != segment:
        raise NotAJWT(f"undecodable: Invalid {name} padding")
    return decoded
