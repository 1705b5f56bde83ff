"""JWT inspection: read a token's header and claims without trusting it.

Decoding is PyJWT's; this module only turns its outcomes into a small, typed result that
checks and probes can reason about (is it a compact JWS at all, which algorithm, which claims).
"""

from __future__ import annotations

import binascii
import dataclasses
import re
import string
from typing import Any

import jwt
import jwt.utils

from tokenprobe.core import fast_json

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
        _check_canonical_tail(signature, "crypto")
        _check_canonical_tail(payload, "payload")
        try:
            claims = fast_json.loads(jwt.utils.base64url_decode(payload))
        except (ValueError, RecursionError, binascii.Error) as exc:
            raise NotAJWT(f"undecodable: Invalid payload string: {exc}") from None
        if not isinstance(claims, dict):
            raise NotAJWT("claims are not a JSON object")
        return claims


def _check_canonical_tail(segment: str, name: str) -> None:
    """Refuse a segment the regular expression accepted, as strictly as PyJWT does: a length
    that no encoding has, or trailing bits that a canonical encoder would not set.

    PyJWT decodes the whole segment and encodes it again. base64 works in independent groups
    of four characters and a whole group always survives that round trip; in a last, partial
    group only the last character carries bits no byte uses, so that character alone decides.
    """
    partial = len(segment) % 4
    if partial and segment[-1] not in _CANONICAL_LAST[partial]:
        raise NotAJWT(f"undecodable: Invalid {name} padding")


def _canonical_last_characters(partial: int) -> frozenset[str]:
    """The characters that end a canonical partial group of ``partial`` characters, found by
    PyJWT's own round trip (none for 1: no encoding leaves a single character)."""
    if partial == 1:
        return frozenset()
    prefix = "A" * (partial - 1)
    return frozenset(
        char
        for char in BASE64URL_ALPHABET
        if jwt.utils.base64url_encode(jwt.utils.base64url_decode(prefix + char)).decode()
        == prefix + char
    )


BASE64URL_ALPHABET = string.ascii_letters + string.digits + "-_"
_CANONICAL_LAST = {partial: _canonical_last_characters(partial) for partial in (1, 2, 3)}
