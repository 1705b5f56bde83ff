"""Token-aware checks (TP-TOKEN-NNN): what a 200 from the token endpoint must carry.

Each check is a Schemathesis check ``(ctx, response, case)`` stating one rule; IDs, titles,
severities and standards are in `tokenprobe.core.catalogue`. A check returns `NOT_APPLICABLE`
for responses that carry no tokens, so "passed" always means "looked at tokens and found them
right".
"""

from __future__ import annotations

import hashlib
import re
import threading
import time

import schemathesis
from schemathesis import Case, CheckContext, Response

from tokenprobe.conformance import policy
from tokenprobe.conformance.failures import NOT_APPLICABLE, fail, note
from tokenprobe.conformance.tokens import (
    inspected_tokens,
    issued_tokens,
    json_body,
    submitted_password,
)
from tokenprobe.core import token_fields
from tokenprobe.core.jwt_inspect import COMPACT_JWS, NotAJWT, inspect_token

# Tolerated clock difference between the target and us when judging "exp is in the future".
CLOCK_SKEW_S = 60
SENSITIVE_CLAIM = re.compile(
    r"pass(word|wd)?|pwd|secret|hash|salt|private|credential|pin|ssn|card", re.IGNORECASE
)
# Django's and common password-hash encodings: algorithm$...$...
PASSWORD_HASH = re.compile(r"^(pbkdf2_sha(1|256)|argon2|bcrypt(_sha256)?|scrypt|md5|sha1)\$")
PERSONAL_CLAIMS = ("email", "phone", "phone_number", "address")


@schemathesis.check
def token_pair_well_formed(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """A 200 to POST is a JSON object whose token fields (``access`` and ``refresh`` unless
    configured) each hold a compact JWS; its other fields are the service's business."""
    if response.status_code != 200 or case.method.upper() != "POST":
        return NOT_APPLICABLE
    body = json_body(response)
    if not isinstance(body, dict):
        fail("token_pair_well_formed", case, "a JSON object", f"{type(body).__name__} body")
    fields = token_fields.from_environment().by_role()
    problems = []
    for name in fields.values():
        value = body.get(name)
        if not isinstance(value, str):
            problems.append(f"{name}: {'missing' if value is None else type(value).__name__}")
        elif not COMPACT_JWS.match(value):
            problems.append(f"{name}: not header.payload.signature")
        else:
            try:
                inspect_token(value)
            except NotAJWT as exc:
                problems.append(f"{name}: {exc}")
    if problems:
        fail(
            "token_pair_well_formed",
            case,
            " and ".join(fields.values()) + ", each a JWS compact string",
            "; ".join(problems) + f" (keys: {', '.join(sorted(map(str, body))) or 'none'})",
        )
    return None


@schemathesis.check
def token_algorithm_allowed(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """Every issued token's ``alg`` is in the allowlist; ``none`` never is (RFC 8725 §3.2)."""
    tokens = inspected_tokens(response)
    if not tokens:
        return NOT_APPLICABLE
    allowed = policy.algorithms(ctx.config)
    for role, token in tokens.items():
        if token.algorithm not in allowed:
            fail(
                "token_algorithm_allowed",
                case,
                f"alg in {', '.join(sorted(allowed))}",
                f"{role} token alg {token.algorithm!r}, signature of {len(token.signature)} chars",
            )
    return None


@schemathesis.check
def token_expiry_valid(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """Every issued token has a numeric ``exp`` in the future and after ``iat``."""
    tokens = inspected_tokens(response)
    if not tokens:
        return NOT_APPLICABLE
    now = time.time()
    for role, token in tokens.items():
        exp, iat = token.claims.get("exp"), token.claims.get("iat")
        if not isinstance(exp, int | float):
            fail("token_expiry_valid", case, f"{role} token with a numeric exp", f"exp={exp!r}")
        if exp <= now - CLOCK_SKEW_S:
            fail(
                "token_expiry_valid",
                case,
                f"{role} token exp in the future",
                f"expired {now - exp:.0f} s before it was received",
            )
        if isinstance(iat, int | float) and exp <= iat:
            fail(
                "token_expiry_valid",
                case,
                f"{role} token exp after iat",
                f"exp - iat = {exp - iat:g} s",
            )
    return None


@schemathesis.check
def token_lifetime_within_policy(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """Token lifetime (exp - iat) stays within the policy; above the warning bound is a warning."""
    tokens = inspected_tokens(response)
    if not tokens:
        return NOT_APPLICABLE
    limits = policy.lifetimes(ctx.config)
    for role, token in tokens.items():
        maximum, warning = limits.bounds(role)
        exp, iat = token.claims.get("exp"), token.claims.get("iat", time.time())
        if not isinstance(exp, int | float) or not isinstance(iat, int | float):
            fail(
                "token_lifetime_within_policy",
                case,
                f"{role} token lifetime at most {_duration(maximum)}",
                "no exp claim: the token never expires",
            )
        lifetime = exp - iat
        if lifetime > maximum:
            fail(
                "token_lifetime_within_policy",
                case,
                f"{role} token lifetime at most {_duration(maximum)}",
                f"{_duration(lifetime)}",
            )
        if lifetime > warning:
            note(
                "token_lifetime_within_policy",
                case,
                f"{role} token lifetime at most {_duration(warning)} (recommended)",
                f"{_duration(lifetime)} (within the {_duration(maximum)} maximum)",
            )
    return None


@schemathesis.check
def token_type_matches(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """Each token's ``token_type`` claim names its role (access or refresh)."""
    tokens = inspected_tokens(response)
    if not tokens:
        return NOT_APPLICABLE
    for role, token in tokens.items():
        claimed = token.claims.get("token_type")
        if claimed != role:
            fail(
                "token_type_matches", case, f"{role} token with token_type {role!r}", repr(claimed)
            )
    return None


@schemathesis.check
class TokenIdUnique:
    """Every issued token carries a ``jti``, and no two different tokens share one."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        # jti -> digest of the token that carried it. A digest, because a replayed response
        # (shrinking, `st replay`) shows the same token again, which is not a reuse.
        self._seen: dict[str, str] = {}

    def after_response(self, ctx: CheckContext, response: Response, case: Case) -> bool | None:
        tokens = inspected_tokens(response)
        if not tokens:
            return NOT_APPLICABLE
        raw = issued_tokens(response)
        for role, token in tokens.items():
            jti = token.claims.get("jti")
            if not isinstance(jti, str) or not jti:
                fail("TokenIdUnique", case, f"{role} token with a jti", repr(jti))
            digest = hashlib.sha256(raw[role].encode()).hexdigest()
            with self._lock:
                first = self._seen.setdefault(jti, digest)
            if first != digest:
                fail(
                    "TokenIdUnique",
                    case,
                    "a jti used by one token only",
                    f"{role} token reuses jti {jti[:8]}… of an earlier token",
                )
        return None


@schemathesis.check
def tokens_distinct(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """The access token and the refresh token are different strings."""
    tokens = issued_tokens(response)
    if len(tokens) < 2:
        return NOT_APPLICABLE
    if tokens["access"] == tokens["refresh"]:
        fail("tokens_distinct", case, "access != refresh", "the same token twice")
    return None


@schemathesis.check
def no_sensitive_claims(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """No token carries a password, a password hash, a secret, or the submitted password."""
    tokens = inspected_tokens(response)
    if not tokens:
        return NOT_APPLICABLE
    password = submitted_password(case)
    raw = issued_tokens(response)
    for role, token in tokens.items():  # personal data first: a failure ends the check
        for name in PERSONAL_CLAIMS:
            if name in token.claims:
                note(
                    "no_sensitive_claims",
                    case,
                    "no personal data in a readable token",
                    f"{role} claim {name!r}",
                )
    for role, token in tokens.items():
        for name, value in token.claims.items():
            if SENSITIVE_CLAIM.search(name) or (
                isinstance(value, str) and PASSWORD_HASH.match(value)
            ):
                fail("no_sensitive_claims", case, "no secrets in claims", f"{role} claim {name!r}")
        if password and len(password) >= 4 and _contains(token, raw[role], password):
            fail("no_sensitive_claims", case, "no password in the token", f"{role} token")
    return None


def _contains(token: object, raw: str, secret: str) -> bool:
    return secret in raw or secret in repr(token)


def _duration(seconds: float) -> str:
    for unit, size in (("day", 86_400), ("hour", 3_600)):
        if seconds >= size:
            amount = seconds / size
            return f"{amount:.4g} {unit}{'' if amount == 1 else 's'}"
    return f"{seconds:.4g} s"
