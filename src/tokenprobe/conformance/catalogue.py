"""The conformance check catalogue: stable IDs, titles and the standards they come from.

Every check that can produce a finding has one entry here, ours and Schemathesis' own:

* ``TP-TOKEN-0NN``: what is inside a 200 (the token pair), tokenprobe's checks.
* ``TP-CONF-0NN``: how the endpoint answers (status, content type, error bodies, caching),
  tokenprobe's checks, including the run-level success-path check.
* ``TP-CONF-1NN``: Schemathesis' built-in checks, under IDs of ours so findings stay stable
  whichever tool found them.

IDs are never renumbered or reused.
"""

from __future__ import annotations

import dataclasses

from tokenprobe.core.findings import Severity

SOURCE = "conformance"
PUBLISHED_SPEC = "Published spec specs/token.openapi.yaml, POST /api/v1/token/"


@dataclasses.dataclass(frozen=True)
class CheckSpec:
    id: str
    name: str  # the Schemathesis check name (function or class)
    title: str
    reference: str
    severity: Severity = Severity.ERROR


TOKENPROBE_CHECKS: tuple[CheckSpec, ...] = (
    CheckSpec(
        "TP-TOKEN-001",
        "token_pair_well_formed",
        "200 body is not a JSON object with access and refresh compact JWS tokens",
        "RFC 7515 §7.1 (JWS compact serialization); SimpleJWT TokenObtainPairView",
    ),
    CheckSpec(
        "TP-TOKEN-002",
        "token_algorithm_allowed",
        "Token signed with an algorithm outside the allowlist",
        "RFC 8725 §3.1-3.2; OWASP ASVS 5.0 9.1.1, 9.1.2",
    ),
    CheckSpec(
        "TP-TOKEN-003",
        "token_expiry_valid",
        "Token expiry (exp) missing, past, or not after iat",
        "RFC 7519 §4.1.4; OWASP ASVS 5.0 9.2.1",
    ),
    CheckSpec(
        "TP-TOKEN-004",
        "token_lifetime_within_policy",
        "Token lifetime exceeds policy",
        "Service documentation (access 7 days, refresh 30 days); OWASP ASVS 5.0 9.2.1",
    ),
    CheckSpec(
        "TP-TOKEN-005",
        "token_type_matches",
        "token_type claim does not match the token's role",
        "RFC 8725 §3.11 (explicit typing); SimpleJWT token_type claim",
    ),
    CheckSpec(
        "TP-TOKEN-006",
        "TokenIdUnique",
        "jti claim missing or reused across tokens",
        "RFC 7519 §4.1.7 (jti unique per token)",
    ),
    CheckSpec(
        "TP-TOKEN-007",
        "tokens_distinct",
        "Access and refresh tokens are identical",
        "RFC 6749 §1.5 (refresh token distinct from access token); RFC 8725 §2.8",
    ),
    CheckSpec(
        "TP-TOKEN-008",
        "no_sensitive_claims",
        "Token carries sensitive data (password, hash, secret)",
        "RFC 7519 §12 (claims are readable by anyone holding the token); CWE-312",
    ),
    CheckSpec(
        "TP-CONF-001",
        "json_responses_are_json",
        "Response is not JSON with Content-Type application/json",
        PUBLISHED_SPEC + " (responses 200, 400: application/json)",
    ),
    CheckSpec(
        "TP-CONF-002",
        "no_debug_output",
        "Response carries a stack trace or a debug page",
        "CWE-209; CWE-215; OWASP API Security Top 10 2023 API8 (Security Misconfiguration)",
    ),
    CheckSpec(
        "TP-CONF-003",
        "password_not_echoed",
        "Error response repeats the submitted password",
        "CWE-209 (sensitive information in error messages)",
    ),
    CheckSpec(
        "TP-CONF-004",
        "wrong_credentials_answer_400",
        "Rejected credentials answered with a status the published spec does not document",
        PUBLISHED_SPEC + " (400 'Invalid credentials'); RFC 6749 §5.2 (invalid_grant is 400)",
    ),
    CheckSpec(
        "TP-CONF-005",
        "tokens_not_cacheable",
        "Response carrying tokens lacks Cache-Control: no-store",
        "RFC 6749 §5.1; OWASP ASVS 5.0 14.3.2",
    ),
    CheckSpec(
        "TP-CONF-006",
        "protocol_answer_well_formed",
        "Protocol answer (405, 429) lacks its required header",
        "RFC 9110 §15.5.6 (405 + Allow); RFC 6585 §4 and RFC 9110 §10.2.3 (429 + Retry-After)",
    ),
    CheckSpec(
        "TP-CONF-010",
        "SuccessPathExercised",
        "Valid credentials were given but no login succeeded",
        "Issue #3: the 200 path must be exercised when credentials are configured",
    ),
)

# Schemathesis' built-in checks, as findings of ours (their failure title goes into the evidence).
SCHEMATHESIS_CHECKS: tuple[CheckSpec, ...] = (
    CheckSpec("TP-CONF-101", "not_a_server_error", "Server error (5xx)", "RFC 9110 §15.6"),
    CheckSpec(
        "TP-CONF-102",
        "status_code_conformance",
        "Status code not documented in the spec",
        PUBLISHED_SPEC + " (responses)",
    ),
    CheckSpec(
        "TP-CONF-103",
        "content_type_conformance",
        "Content type not documented in the spec",
        PUBLISHED_SPEC + " (response media types)",
    ),
    CheckSpec(
        "TP-CONF-104",
        "response_schema_conformance",
        "Response body does not match the response schema",
        "OpenAPI 3.1 Response Object (schema); strict spec specs/token.strict.openapi.yaml",
    ),
    CheckSpec(
        "TP-CONF-105",
        "positive_data_acceptance",
        "Schema-valid request answered with an unexpected status",
        PUBLISHED_SPEC + " (200 or 400 for any well-formed request)",
    ),
    CheckSpec(
        "TP-CONF-106",
        "negative_data_rejection",
        "Schema-invalid request accepted",
        "OpenAPI 3.1 Request Body Object (schema-invalid input must be rejected)",
    ),
    CheckSpec(
        "TP-CONF-107",
        "unsupported_method",
        "Undocumented method not answered with 405",
        "RFC 9110 §15.5.6",
    ),
    CheckSpec(
        "TP-CONF-108",
        "allow_header_conformance",
        "Allow header does not list the documented methods",
        "RFC 9110 §10.2.1",
    ),
    CheckSpec(
        "TP-CONF-109",
        "response_headers_conformance",
        "Documented response header missing or malformed",
        PUBLISHED_SPEC + " (response headers)",
    ),
    CheckSpec(
        "TP-CONF-110",
        "missing_required_header",
        "Missing required header not rejected",
        "OpenAPI 3.1 Parameter Object (required headers)",
    ),
    CheckSpec(
        "TP-CONF-111",
        "max_response_time",
        "Response slower than the configured maximum",
        "schemathesis.toml [checks] max-response-time",
    ),
    CheckSpec(
        "TP-CONF-112",
        "use_after_free",
        "Deleted resource still accessible",
        "Schemathesis stateful checks",
    ),
    CheckSpec(
        "TP-CONF-113",
        "ensure_resource_availability",
        "Created resource not available",
        "Schemathesis stateful checks",
    ),
    CheckSpec(
        "TP-CONF-114",
        "ignored_auth",
        "Declared authentication not enforced",
        "OpenAPI 3.1 Security Requirement Object",
    ),
    CheckSpec(
        "TP-CONF-115",
        "object_level_authorization",
        "Object accessible to another identity",
        "OWASP API Security Top 10 2023 API1",
    ),
)
OTHER_SCHEMATHESIS_CHECK = CheckSpec(
    "TP-CONF-199", "other", "Schemathesis check failed", "Schemathesis check catalogue"
)

BY_NAME: dict[str, CheckSpec] = {c.name: c for c in (*TOKENPROBE_CHECKS, *SCHEMATHESIS_CHECKS)}
BY_ID: dict[str, CheckSpec] = {c.id: c for c in (*TOKENPROBE_CHECKS, *SCHEMATHESIS_CHECKS)}


def spec_for(check_name: str) -> CheckSpec:
    """The catalogue entry of a Schemathesis check name; unknown names share TP-CONF-199."""
    return BY_NAME.get(check_name, dataclasses.replace(OTHER_SCHEMATHESIS_CHECK, name=check_name))
