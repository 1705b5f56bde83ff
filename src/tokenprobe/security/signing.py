"""Token signing: issued JWTs must be signed, with a key no wordlist can guess.

All checks here are offline: they read the token pair of one successful login (shared through
the context) and cost no further requests. Weak HMAC secrets are tried with PyJWT against a
bundled wordlist of well-known secrets (the jwt_tool / hashcat approach, RFC 8725 §3.5).
Evidence names the wordlist entry's line and length, never the secret or the token.
"""

from __future__ import annotations

import warnings
from functools import cache
from importlib import resources

import jwt

from tokenprobe.core import catalogue
from tokenprobe.core.jwt_inspect import InspectedToken, NotAJWT, inspect_token
from tokenprobe.security.probe import (
    Probe,
    ProbeContext,
    ProbeResult,
    not_evaluated,
    passed,
    violated,
)

HMAC_ALGORITHMS = ("HS256", "HS384", "HS512")
KEY_LOCATION_HEADERS = ("jku", "x5u", "kid", "jwk", "x5c")
WORDLIST = "weak_jwt_secrets.txt"
# Offline checks: claims are not the question here, only the signature.
SIGNATURE_ONLY = {
    "verify_exp": False,
    "verify_nbf": False,
    "verify_iat": False,
    "verify_aud": False,
}


@cache
def weak_secrets() -> tuple[str, ...]:
    """The bundled wordlist: one secret per line; '#' lines are comments."""
    text = resources.files("tokenprobe.security").joinpath(WORDLIST).read_text("utf-8")
    return tuple(line for line in text.splitlines() if line and not line.startswith("#"))


def signature_verifies(token: str, key: str | bytes, algorithm: str) -> bool:
    with warnings.catch_warnings():
        # A short HMAC key is exactly what we are looking for; PyJWT warns about it.
        warnings.simplefilter("ignore", jwt.warnings.InsecureKeyLengthWarning)
        try:
            jwt.decode(token, key, algorithms=[algorithm], options=SIGNATURE_ONLY)
        except jwt.InvalidSignatureError:
            return False
        except jwt.InvalidKeyError:  # e.g. an empty key
            return False
    return True


Tokens = dict[str, tuple[str, InspectedToken]]  # name → (compact token, inspected)
NO_LOGIN = not_evaluated(
    "no successful login to take a token from (no usable credentials)", catalogue.CREDENTIALS
)


def _issued_tokens(ctx: ProbeContext) -> Tokens | ProbeResult:
    """The shared login's tokens that decode as JWTs, or why the probe cannot run."""
    pair = ctx.token_pair
    if not pair:
        return NO_LOGIN
    tokens: Tokens = {}
    for name, value in pair.items():
        try:
            tokens[name] = (value, inspect_token(value))
        except NotAJWT:
            continue
    # Opaque tokens carry no signature to judge here (TP-TOKEN-001 reports the contract).
    return tokens or passed("no JWT among the issued tokens: no signature to check")


def probe_weak_hmac_secret(ctx: ProbeContext) -> ProbeResult:
    """HMAC-signed tokens do not verify with any well-known weak secret (RFC 8725 §3.5)."""
    tokens = _issued_tokens(ctx)
    if isinstance(tokens, ProbeResult):
        return tokens
    hmac_tokens = {n: t for n, t in tokens.items() if t[1].algorithm in HMAC_ALGORITHMS}
    if not hmac_tokens:
        return passed("no HMAC-signed token: nothing to crack", tried=0)
    wordlist = weak_secrets()
    violations = []
    for name, (compact, token) in hmac_tokens.items():
        for line, secret in enumerate(wordlist, start=1):
            if signature_verifies(compact, secret, str(token.algorithm)):
                violations.append(
                    f"{name} token ({token.algorithm}) verifies with wordlist entry {line}"
                    f" ({len(secret)} characters)"
                )
                break
    details = {"wordlist_entries": len(wordlist), "tokens_tried": len(hmac_tokens)}
    if violations:
        return violated("the signing key is a well-known weak secret", violations, **details)
    return passed(f"no match among {len(wordlist)} weak secrets", **details)


def probe_unsigned_tokens(ctx: ProbeContext) -> ProbeResult:
    """Tokens are signed: alg is not 'none' and the signature is not empty (RFC 8725 §3.1)."""
    pair = ctx.token_pair
    if not pair:
        return NO_LOGIN
    violations, inspected = [], {}
    for name, value in pair.items():
        try:
            inspected[name] = inspect_token(value)
        except NotAJWT as exc:
            violations.append(f"{name}: {exc} (cannot check its signature)")
    for name, token in inspected.items():
        if str(token.algorithm).lower() == "none":
            violations.append(f"{name} token header alg {token.algorithm!r}")
        if not token.signature:
            violations.append(f"{name} token has an empty signature")
    algorithms = sorted({str(t.algorithm) for t in inspected.values()})
    if violations:
        return violated("tokens are not signed", violations, algorithms=algorithms)
    return passed(f"signed with {', '.join(algorithms)}", algorithms=algorithms)


def probe_key_location_headers(ctx: ProbeContext) -> ProbeResult:
    """Notes (as information) token headers that point at keys (jku, x5u, kid, jwk, x5c):
    verifiers must never fetch or trust keys named by the token itself (RFC 8725 §3.10)."""
    tokens = _issued_tokens(ctx)
    if isinstance(tokens, ProbeResult):
        return tokens
    notes = [
        f"{name} token header carries {header!r}"
        for name, (_, token) in tokens.items()
        for header in KEY_LOCATION_HEADERS
        if header in token.header
    ]
    if notes:
        return violated("tokens name their own keys", notes)
    return passed("no key-location headers")


def probe_signature_with_configured_key(ctx: ProbeContext) -> ProbeResult:
    """With the real verification key configured, every issued token verifies with it, using
    the algorithm its header names (ASVS 9.1.1)."""
    key = ctx.options.verify_key
    if key is None:
        return not_evaluated(
            "no verification key configured (--verify-key-file, [security] verify-key-file)",
            catalogue.KEY,
        )
    tokens = _issued_tokens(ctx)
    if isinstance(tokens, ProbeResult):
        return tokens
    violations = []
    for name, (compact, token) in tokens.items():
        algorithm = str(token.algorithm)
        try:
            ok = signature_verifies(compact, key, algorithm)
        except (jwt.InvalidAlgorithmError, NotImplementedError):
            return not_evaluated(f"cannot verify {algorithm} here (HMAC keys only)", catalogue.KEY)
        except jwt.PyJWTError as exc:
            violations.append(f"{name} token does not verify: {type(exc).__name__}")
            continue
        if not ok:
            violations.append(f"{name} token ({algorithm}): signature does not verify")
    if violations:
        return violated("tokens do not verify with the configured key", violations)
    return passed(f"{len(tokens)} tokens verify with the configured key")


PROBES = [
    Probe("weak HMAC secret", probe_weak_hmac_secret),
    Probe("unsigned tokens", probe_unsigned_tokens),
    Probe("key-location headers", probe_key_location_headers),
    Probe("signature with configured key", probe_signature_with_configured_key),
]
