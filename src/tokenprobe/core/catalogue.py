"""The catalogue: every finding ID tokenprobe can report, with its title, default severity,
the standard it comes from, the suite and check (or probe) that reports it, and what that check
needs to run. ``tokenprobe checks`` prints it; nothing else holds a title, a severity or a
standard, and a check or probe names only its ID.

ID families, never renumbered or reused:

* ``TP-TOKEN-0NN``: what is inside a 200 (the token pair), tokenprobe's conformance checks;
* ``TP-CONF-0NN``: how the endpoint answers, tokenprobe's conformance checks (TP-CONF-010/011:
  the run-level success-path check);
* ``TP-CONF-1NN``: Schemathesis' built-in checks, under IDs of ours so findings stay stable
  whichever tool found them; TP-CONF-199 for any other Schemathesis check;
* ``TP-SEC-0NN``: the security probes;
* ``TP-LOAD-0NN``: the load suite (SLO breaches, an unreliable generator, scenarios switched
  off for lack of credentials);
* ``TP-REG-0NN``: regression verdicts of ``--compare`` (this run's load numbers against a
  previous run's).

A check that can say two things of different weight (a lifetime above the maximum is an error,
above the recommended bound a warning) has one ID for each, so each can be re-graded alone.
The first entry listed for a check is the check's own ID, the one its `CheckResult` carries.

``needs`` says what a check needs to be evaluated at all:

* ``credentials``: a username and password that log in;
* ``accounts: N wrong passwords``: pool accounts (that log in) able to take N wrong passwords
  between them, each at most ``--failures-per-account``; ``N-M``: the probe is evaluated with N
  and covers more with up to M;
* ``canary``: a dedicated account that brute force may lock out;
* ``key``: the real signature verification key (``--verify-key-file``);
* ``login field values``: for a login field other than the username that the target accepts
  (an email), an account's value of it that logs in (the credentials file's ``email`` column);
* ``previous run``: a previous run folder with load results (``--compare``).

A check that could not be evaluated is never a pass: it reports a **not-evaluated** finding
(``not_evaluated=True`` below, one per kind of missing need, warning by default) naming what it
needed. ``--require-complete`` makes those errors.

Severity policy (docs/checks.md, "Severity"): *error* breaks the published contract or is an
exploitable defect (tokens where there should be none, secrets exposed, signature bypass,
account enumeration, 5xx, cost that grows with input); *warning* is hardening a correct
deployment may lack, or a verdict that may not hold (not evaluated, a saturated generator);
*info* is an observation.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Literal

from tokenprobe.core.findings import Finding, Severity, seen_again

Suite = Literal["conformance", "security", "load", "gate"]

CREDENTIALS = "credentials"
ACCOUNTS = "accounts"  # wrong-password budget of pool accounts (see `wrong_passwords`)
CANARY = "canary"
KEY = "key"
UNTHROTTLED = "unthrottled answers"  # a 429 in the way
FIELD_VALUES = "login field values"  # an account's email that logs in, for a field it accepts
PREVIOUS_RUN = "previous run"
PUBLISHED_SPEC = "Published spec specs/token.openapi.yaml, POST /api/v1/token/"
SUCCESS_PATH_RULE = (
    PUBLISHED_SPEC + " (200 'Tokens obtained successfully'); OWASP WSTG-ATHN: authentication is"
    " tested only through a login that succeeds"
)
# The check name under which any Schemathesis check missing from this catalogue is reported.
OTHER_SCHEMATHESIS_CHECK = "(other Schemathesis check)"


def wrong_passwords(least: int, most: int | None = None) -> str:
    """The need of a probe that spends ``least`` (up to ``most``) wrong-password attempts."""
    count = str(least) if most is None or most == least else f"{least}-{most}"
    return f"{ACCOUNTS}: {count} wrong password{'' if count == '1' else 's'}"


@dataclasses.dataclass(frozen=True)
class CatalogueEntry:
    id: str
    title: str  # what a violation means, as a finding title
    severity: Severity  # the default; [severities] in the configuration re-grades it
    standard: str
    suite: Suite
    check: str  # the Schemathesis check, the probe or the rule that reports it
    needs: tuple[str, ...] = ()
    # A finding that says a check could not run (``needs`` names what it lacked), not that the
    # target is wrong: counted apart in every verdict, an error under --require-complete.
    not_evaluated: bool = False

    def to_dict(self) -> dict[str, object]:
        """The ``tokenprobe checks --json`` form: id, title, severity, standard, suite, needs,
        not_evaluated."""
        return {
            "id": self.id,
            "title": self.title,
            "severity": str(self.severity),
            "standard": self.standard,
            "suite": self.suite,
            "needs": list(self.needs),
            "not_evaluated": self.not_evaluated,
        }


def _conformance(
    id: str,
    check: str,
    title: str,
    standard: str,
    severity: Severity = Severity.ERROR,
    needs: tuple[str, ...] = (),
) -> CatalogueEntry:
    return CatalogueEntry(id, title, severity, standard, "conformance", check, needs)


def _token(
    id: str, check: str, title: str, standard: str, severity: Severity = Severity.ERROR
) -> CatalogueEntry:
    """A token check looks at the tokens of a 200: without a login that succeeds, none."""
    return _conformance(id, check, title, standard, severity, (CREDENTIALS,))


# tokenprobe's conformance checks, in the order their results are listed.
CONFORMANCE_CHECKS: tuple[CatalogueEntry, ...] = (
    _token(
        "TP-TOKEN-001",
        "token_pair_well_formed",
        "200 body is not a JSON object with access and refresh compact JWS tokens",
        "RFC 7515 §7.1 (JWS compact serialization); SimpleJWT TokenObtainPairView",
    ),
    _token(
        "TP-TOKEN-002",
        "token_algorithm_allowed",
        "Token signed with an algorithm outside the allowlist",
        "RFC 8725 §3.1-3.2; OWASP ASVS 5.0 9.1.1, 9.1.2",
    ),
    _token(
        "TP-TOKEN-003",
        "token_expiry_valid",
        "Token expiry (exp) missing, past, or not after iat",
        "RFC 7519 §4.1.4; OWASP ASVS 5.0 9.2.1",
    ),
    _token(
        "TP-TOKEN-004",
        "token_lifetime_within_policy",
        "Token lifetime exceeds policy",
        "Service documentation (access 7 days, refresh 30 days); OWASP ASVS 5.0 9.2.1",
    ),
    _token(
        "TP-TOKEN-009",
        "token_lifetime_within_policy",
        "Token lifetime above the recommended bound",
        "OWASP ASVS 5.0 9.2.1 (short-lived tokens); policy access/refresh warn lifetime",
        Severity.WARNING,
    ),
    _token(
        "TP-TOKEN-005",
        "token_type_matches",
        "token_type claim does not match the token's role",
        "RFC 8725 §3.11 (explicit typing); SimpleJWT token_type claim",
    ),
    _token(
        "TP-TOKEN-006",
        "TokenIdUnique",
        "jti claim missing or reused across tokens",
        "RFC 7519 §4.1.7 (jti unique per token)",
    ),
    _token(
        "TP-TOKEN-007",
        "tokens_distinct",
        "Access and refresh tokens are identical",
        "RFC 6749 §1.5 (refresh token distinct from access token); RFC 8725 §2.8",
    ),
    _token(
        "TP-TOKEN-008",
        "no_sensitive_claims",
        "Token carries sensitive data (password, hash, secret)",
        "RFC 7519 §12 (claims are readable by anyone holding the token); CWE-312",
    ),
    _token(
        "TP-TOKEN-010",
        "no_sensitive_claims",
        "Token carries personal data (email, phone, address)",
        "RFC 7519 §12 (claims are readable by anyone holding the token); CWE-359",
        Severity.WARNING,
    ),
    _conformance(
        "TP-CONF-001",
        "json_responses_are_json",
        "Response is not JSON with Content-Type application/json",
        PUBLISHED_SPEC + " (responses 200, 400: application/json)",
    ),
    _conformance(
        "TP-CONF-002",
        "no_debug_output",
        "Response carries a stack trace or a debug page",
        "CWE-209; CWE-215; OWASP API Security Top 10 2023 API8 (Security Misconfiguration)",
    ),
    _conformance(
        "TP-CONF-003",
        "password_not_echoed",
        "Error response repeats the submitted password",
        "CWE-209 (sensitive information in error messages)",
    ),
    _conformance(
        "TP-CONF-004",
        "wrong_credentials_answer_400",
        "Rejected credentials answered with a status the published spec does not document",
        PUBLISHED_SPEC + " (400 'Invalid credentials'); RFC 6749 §5.2 (invalid_grant is 400)",
    ),
    _token(
        "TP-CONF-005",
        "tokens_not_cacheable",
        "Response carrying tokens lacks Cache-Control: no-store",
        "RFC 6749 §5.1; OWASP ASVS 5.0 14.3.2",
    ),
    _token(
        "TP-CONF-007",
        "tokens_not_cacheable",
        "Response carrying tokens lacks Pragma: no-cache",
        "RFC 6749 §5.1 (for HTTP/1.0 caches)",
        Severity.INFO,
    ),
    _token(
        "TP-CONF-012",
        "no_second_credential",
        "Login also issues cookies: a session or CSRF credential beside the token pair",
        PUBLISHED_SPEC + " (200: a JWT pair); OWASP ASVS 5.0 3.3.1 and 3.5.1 (cookie sessions"
        " need CSRF defences a bearer-token API does not)",
        Severity.WARNING,
    ),
    _conformance(
        "TP-CONF-006",
        "protocol_answer_well_formed",
        "Protocol answer (405, 429) lacks its required header",
        "RFC 9110 §15.5.6 (405 + Allow); RFC 6585 §4 and RFC 9110 §10.2.3 (429 + Retry-After)",
    ),
    _conformance(
        "TP-CONF-008",
        "protocol_answer_well_formed",
        "429 answer without Retry-After",
        "RFC 6585 §4; RFC 9110 §10.2.3",
        Severity.WARNING,
    ),
    _token(
        "TP-CONF-010",
        "SuccessPathExercised",
        "Valid credentials were given but no login succeeded",
        SUCCESS_PATH_RULE,
    ),
    # Not evaluated: every token check needs a 200, and without credentials there is none.
    CatalogueEntry(
        "TP-CONF-011",
        "Success path not exercised: no credentials given",
        Severity.WARNING,
        SUCCESS_PATH_RULE,
        "conformance",
        "SuccessPathExercised",
        (CREDENTIALS,),
        not_evaluated=True,
    ),
)

# Schemathesis' built-in checks, as findings of ours (their failure goes into the evidence).
SCHEMATHESIS_CHECKS: tuple[CatalogueEntry, ...] = (
    _conformance("TP-CONF-101", "not_a_server_error", "Server error (5xx)", "RFC 9110 §15.6"),
    _conformance(
        "TP-CONF-102",
        "status_code_conformance",
        "Status code not documented in the spec",
        PUBLISHED_SPEC + " (responses)",
    ),
    _conformance(
        "TP-CONF-103",
        "content_type_conformance",
        "Content type not documented in the spec",
        PUBLISHED_SPEC + " (response media types)",
    ),
    _conformance(
        "TP-CONF-104",
        "response_schema_conformance",
        "Response body does not match the response schema",
        "OpenAPI 3.1 Response Object (schema); strict spec specs/token.strict.openapi.yaml",
    ),
    _conformance(
        "TP-CONF-105",
        "positive_data_acceptance",
        "Schema-valid request answered with an unexpected status",
        PUBLISHED_SPEC + " (200 or 400 for any well-formed request)",
    ),
    _conformance(
        "TP-CONF-106",
        "negative_data_rejection",
        "Schema-invalid request accepted",
        "OpenAPI 3.1 Request Body Object (schema-invalid input must be rejected)",
    ),
    _conformance(
        "TP-CONF-107",
        "unsupported_method",
        "Undocumented method not answered with 405",
        "RFC 9110 §15.5.6",
    ),
    _conformance(
        "TP-CONF-108",
        "allow_header_conformance",
        "Allow header does not list the documented methods",
        "RFC 9110 §10.2.1",
    ),
    _conformance(
        "TP-CONF-109",
        "response_headers_conformance",
        "Documented response header missing or malformed",
        PUBLISHED_SPEC + " (response headers)",
    ),
    _conformance(
        "TP-CONF-110",
        "missing_required_header",
        "Missing required header not rejected",
        "OpenAPI 3.1 Parameter Object (required headers)",
    ),
    _conformance(
        "TP-CONF-111",
        "max_response_time",
        "Response slower than the configured maximum",
        "schemathesis.toml [checks] max-response-time",
    ),
    _conformance(
        "TP-CONF-112",
        "use_after_free",
        "Deleted resource still accessible",
        "Schemathesis stateful checks",
    ),
    _conformance(
        "TP-CONF-113",
        "ensure_resource_availability",
        "Created resource not available",
        "Schemathesis stateful checks",
    ),
    _conformance(
        "TP-CONF-114",
        "ignored_auth",
        "Declared authentication not enforced",
        "OpenAPI 3.1 Security Requirement Object",
    ),
    _conformance(
        "TP-CONF-115",
        "object_level_authorization",
        "Object accessible to another identity",
        "OWASP API Security Top 10 2023 API1",
    ),
    _conformance(
        "TP-CONF-199",
        OTHER_SCHEMATHESIS_CHECK,
        "Schemathesis check failed",
        "Schemathesis check catalogue",
    ),
)


def _probe(
    id: str, probe: str, title: str, severity: Severity, standard: str, *needs: str
) -> CatalogueEntry:
    return CatalogueEntry(id, title, severity, standard, "security", probe, needs)


# The security probes, in run order. The wrong-password counts are the probes' own demands
# (tests/security check them against the probe modules): the least evaluates the probe, the
# most covers every variant.
SECURITY_PROBES: tuple[CatalogueEntry, ...] = (
    _probe(
        "TP-SEC-001",
        "enumeration by answer",
        "Login answers reveal whether a username exists",
        Severity.ERROR,
        "OWASP ASVS 5.0 6.3.8; OWASP API Top 10 2023 API2",
        wrong_passwords(1),
    ),
    _probe(
        "TP-SEC-002",
        "enumeration by timing",
        "Login response time reveals whether a username exists",
        Severity.ERROR,
        "OWASP ASVS 5.0 6.3.8; OWASP API Top 10 2023 API2",
        wrong_passwords(6, 100),
    ),
    _probe(
        "TP-SEC-003",
        "near-miss passwords",
        "A password that is not the account's password logs in",
        Severity.ERROR,
        "NIST SP 800-63B §5.1.1.2; OWASP API Top 10 2023 API2",
        wrong_passwords(3, 11),
    ),
    _probe(
        "TP-SEC-004",
        "injection strings",
        "An injection string in the credentials logs in or crashes the endpoint",
        Severity.ERROR,
        "OWASP ASVS 5.0 V1 (injection prevention); OWASP API Top 10 2023 API2",
        wrong_passwords(2, 12),
    ),
    _probe(
        "TP-SEC-005",
        "type-confused credentials",
        "Credentials of the wrong JSON type log in or crash the endpoint",
        Severity.ERROR,
        "OWASP ASVS 5.0 V2 (input validation); OWASP API Top 10 2023 API2",
        wrong_passwords(1, 5),
    ),
    _probe(
        "TP-SEC-006",
        "whitespace trimming",
        "Leading and trailing whitespace is stripped from passwords",
        Severity.INFO,
        "NIST SP 800-63B §5.1.1.2 (all printing characters, including spaces)",
        wrong_passwords(1),
    ),
    _probe(
        "TP-SEC-007",
        "weak HMAC secret",
        "Tokens are signed with a guessable HMAC secret",
        Severity.ERROR,
        "RFC 8725 §3.5; OWASP ASVS 5.0 9.1.1",
        CREDENTIALS,
    ),
    _probe(
        "TP-SEC-008",
        "unsigned tokens",
        "Tokens are unsigned (alg none or empty signature)",
        Severity.ERROR,
        "RFC 8725 §3.1, §3.2; OWASP ASVS 5.0 9.1.2",
        CREDENTIALS,
    ),
    _probe(
        "TP-SEC-009",
        "key-location headers",
        "Token headers name their own verification key",
        Severity.INFO,
        "RFC 8725 §3.10; OWASP ASVS 5.0 9.1.3",
        CREDENTIALS,
    ),
    _probe(
        "TP-SEC-010",
        "signature with configured key",
        "Tokens do not verify with the configured key",
        Severity.ERROR,
        "OWASP ASVS 5.0 9.1.1; RFC 8725 §3.1",
        CREDENTIALS,
        KEY,
    ),
    _probe(
        "TP-SEC-011",
        "credentials in the URL",
        "The token endpoint reads credentials from the query string",
        Severity.ERROR,
        "OWASP ASVS 5.0 14.2.1; RFC 6749 §2.3.1",
    ),
    _probe(
        "TP-SEC-012",
        "Cache-Control no-store",
        "Token responses lack Cache-Control: no-store",
        Severity.ERROR,
        "RFC 6749 §5.1; OWASP ASVS 5.0 14.3.2",
        CREDENTIALS,
    ),
    _probe(
        "TP-SEC-013",
        "Pragma no-cache",
        "Token responses lack Pragma: no-cache",
        Severity.INFO,
        "RFC 6749 §5.1",
        CREDENTIALS,
    ),
    _probe(
        "TP-SEC-014",
        "strict request Content-Type",
        "Credentials are accepted in a body that is not application/json",
        Severity.WARNING,
        "OWASP ASVS 4.0.3 13.2.5",
        CREDENTIALS,
    ),
    _probe(
        "TP-SEC-015",
        "brute-force protection",
        "Consecutive wrong passwords for one account are not throttled",
        Severity.WARNING,
        "OWASP ASVS 5.0 6.3.1; ASVS 4.0.3 2.2.1; NIST SP 800-63B §5.2.2;"
        " OWASP API Top 10 2023 API2",
        CANARY,
    ),
    _probe(
        "TP-SEC-016",
        "costly input",
        "Megabyte credentials crash the endpoint, hang it, log in, or cost more with size",
        Severity.ERROR,
        "OWASP API Top 10 2023 API4; CWE-400; CVE-2013-1443 (Django: cost grew with password"
        " length)",
    ),
    # Hardening, not a defect: the probe measured that the cost does not grow with the size.
    _probe(
        "TP-SEC-017",
        "costly input",
        "Megabyte credentials are checked like any login (no length limit)",
        Severity.INFO,
        "OWASP ASVS 5.0 V2 (input validation); OWASP API Top 10 2023 API4",
    ),
    # TP-SEC-001/002 for each login field besides the username that the target accepts (an
    # email, as dj-rest-auth's LoginView takes): a defect of its own, with a fix of its own.
    _probe(
        "TP-SEC-018",
        "enumeration by answer, other login fields",
        "Login answers by another login field (email) reveal whether an account exists",
        Severity.ERROR,
        "OWASP ASVS 5.0 6.3.8; OWASP API Top 10 2023 API2",
        wrong_passwords(1),
        FIELD_VALUES,
    ),
    _probe(
        "TP-SEC-019",
        "enumeration by timing, other login fields",
        "Login response time by another login field (email) reveals whether an account exists",
        Severity.ERROR,
        "OWASP ASVS 5.0 6.3.8; OWASP API Top 10 2023 API2",
        wrong_passwords(3, 30),
        FIELD_VALUES,
    ),
    # TP-SEC-001 judged with unknown usernames alone (the production profile's): narrower, it
    # reads what the answer says, but spends no wrong password on a real account.
    _probe(
        "TP-SEC-020",
        "enumeration by answer, unknown users",
        "An unknown username's answer says that the account does not exist",
        Severity.ERROR,
        "OWASP ASVS 5.0 6.3.8; OWASP API Top 10 2023 API2",
        CREDENTIALS,
    ),
)


def _not_evaluated(id: str, title: str, need: str, standard: str) -> CatalogueEntry:
    return CatalogueEntry(
        id, title, Severity.WARNING, standard, "security", "not evaluated", (need,), True
    )


NOT_EVALUATED_RULE = "Severity policy: a check that could not run is never a pass (docs/checks.md)"

# A probe that could not be evaluated reports one of these, by what it lacked; the evidence names
# the probe and what it needed. Warnings by default: the verdict holds only for what was looked at.
SECURITY_NOT_EVALUATED: tuple[CatalogueEntry, ...] = (
    _not_evaluated(
        "TP-SEC-101",
        "Security probe not evaluated: no account that logs in",
        CREDENTIALS,
        NOT_EVALUATED_RULE,
    ),
    _not_evaluated(
        "TP-SEC-102",
        "Security probe not evaluated: the accounts' wrong-password budget is too small",
        ACCOUNTS,
        NOT_EVALUATED_RULE + "; --failures-per-account, [security] failures-per-account",
    ),
    _not_evaluated(
        "TP-SEC-103",
        "Brute-force protection not evaluated: no canary account, or brute force disabled",
        CANARY,
        NOT_EVALUATED_RULE + "; --canary-username, [security] canary-username-env",
    ),
    _not_evaluated(
        "TP-SEC-104",
        "Signature not verified: no usable verification key configured",
        KEY,
        NOT_EVALUATED_RULE + "; --verify-key-file, [security] verify-key-file",
    ),
    _not_evaluated(
        "TP-SEC-105",
        "Security probe not evaluated: the target answered 429 (throttled)",
        UNTHROTTLED,
        NOT_EVALUATED_RULE + "; RFC 6585 §4",
    ),
    _not_evaluated(
        "TP-SEC-106",
        "Enumeration by another login field (email) not evaluated: the target accepts it, or may,"
        " and no account's value of it that logs in is known",
        FIELD_VALUES,
        NOT_EVALUATED_RULE + "; the credentials file's email column, TOKENPROBE_EMAIL",
    ),
)

LOAD_RULES: tuple[CatalogueEntry, ...] = (
    CatalogueEntry(
        "TP-LOAD-001",
        "SLO breached",
        Severity.ERROR,
        "Service-level objectives: configuration [slo] or --slo",
        "load",
        "slo",
    ),
    CatalogueEntry(
        "TP-LOAD-002",
        "Load generator CPU-saturated: latencies are inflated",
        Severity.WARNING,
        "Locust: a CPU-bound generator delays sends (≥10 % of samples at ≥90 % CPU)",
        "load",
        "generator_cpu",
    ),
    # Not evaluated: without credentials the scenarios that log in as real accounts, or fail
    # logins for them (valid_login, login_storm, wrong_password), are switched off.
    CatalogueEntry(
        "TP-LOAD-003",
        "Load scenarios not run: no credentials for the scenarios that need accounts",
        Severity.WARNING,
        NOT_EVALUATED_RULE + "; TOKENPROBE_CREDENTIALS or TOKENPROBE_USERNAME/_PASSWORD",
        "load",
        "account_scenarios",
        (CREDENTIALS,),
        not_evaluated=True,
    ),
)

BOOTSTRAP = "Bootstrap percentile interval (Efron & Tibshirani 1993) over blocks of seconds"
REGRESSION_RULES: tuple[CatalogueEntry, ...] = (
    CatalogueEntry(
        "TP-REG-001",
        "Latency regressed since the previous run",
        Severity.ERROR,
        f"{BOOTSTRAP} (Carlstein 1986); [regression] tolerance",
        "gate",
        "latency_regression",
        (PREVIOUS_RUN,),
    ),
    CatalogueEntry(
        "TP-REG-002",
        "Error ratio regressed since the previous run",
        Severity.ERROR,
        "Ratio of proportions, log interval (Katz et al. 1978); [regression] tolerance",
        "gate",
        "error_ratio_regression",
        (PREVIOUS_RUN,),
    ),
    CatalogueEntry(
        "TP-REG-003",
        "Capacity regressed since the previous run",
        Severity.ERROR,
        "Capacity search bracket: the highest level that held, the lowest that broke;"
        " [regression] tolerance",
        "gate",
        "capacity_regression",
        (PREVIOUS_RUN,),
    ),
    # Compared, but undecided: an observation about the runs' resolution, not a check that
    # could not run (short runs leave p99 undecided every time).
    CatalogueEntry(
        "TP-REG-004",
        "Regression verdict inconclusive: too few samples or too noisy",
        Severity.INFO,
        f"{BOOTSTRAP}; [regression] min-tail-samples",
        "gate",
        "regression_inconclusive",
        (PREVIOUS_RUN,),
    ),
    CatalogueEntry(
        "TP-REG-005",
        "Regression not evaluated: no load results or latency histograms to compare",
        Severity.WARNING,
        NOT_EVALUATED_RULE + "; --compare",
        "gate",
        "regression_not_evaluated",
        (PREVIOUS_RUN,),
        not_evaluated=True,
    ),
)

ENTRIES: tuple[CatalogueEntry, ...] = (
    *CONFORMANCE_CHECKS,
    *SCHEMATHESIS_CHECKS,
    *SECURITY_PROBES,
    *SECURITY_NOT_EVALUATED,
    *LOAD_RULES,
    *REGRESSION_RULES,
)
BY_ID: dict[str, CatalogueEntry] = {entry.id: entry for entry in ENTRIES}
IDS: frozenset[str] = frozenset(BY_ID)
NOT_EVALUATED_IDS: frozenset[str] = frozenset(e.id for e in ENTRIES if e.not_evaluated)


def entry(finding_id: str) -> CatalogueEntry:
    """The catalogue entry of ``finding_id``; an ID missing here is a bug, never user input."""
    return BY_ID[finding_id]


def entries_of(suite: Suite, check: str) -> tuple[CatalogueEntry, ...]:
    """Every entry a check (or probe, or rule) of ``suite`` reports, its own ID first."""
    found = tuple(e for e in ENTRIES if e.suite == suite and e.check == check)
    if not found:
        raise KeyError(f"no {suite} check {check!r} in the catalogue")
    return found


def entry_of(suite: Suite, check: str) -> CatalogueEntry:
    """The one entry of a probe or rule that reports a single finding."""
    (only,) = entries_of(suite, check)
    return only


def not_evaluated_entry(suite: Suite, need: str) -> CatalogueEntry:
    """The not-evaluated entry of ``suite`` for a missing ``need`` (credentials, accounts,
    canary, key, unthrottled answers); an unknown need is a bug, never user input."""
    for candidate in ENTRIES:
        if candidate.not_evaluated and candidate.suite == suite and candidate.needs == (need,):
            return candidate
    raise KeyError(f"no {suite} not-evaluated entry for {need!r}")


def is_not_evaluated(finding_id: str) -> bool:
    """True for a finding that says a check could not run, not that the target is wrong."""
    return finding_id in NOT_EVALUATED_IDS


def conformance_check(check_name: str) -> CatalogueEntry:
    """The entry a Schemathesis check's results go under: its first listed (its own ID), or
    TP-CONF-199 for a check this catalogue does not know."""
    for candidate in (*CONFORMANCE_CHECKS, *SCHEMATHESIS_CHECKS):
        if candidate.check == check_name:
            return candidate
    return entry("TP-CONF-199")


def conformance_check_id(check_name: str) -> str:
    """The ID of a Schemathesis check's result: its entry's, or for a check this catalogue does
    not know, TP-CONF-199 with its name (``TP-CONF-199:<name>``), one check each."""
    known = conformance_check(check_name)
    return known.id if known.check != OTHER_SCHEMATHESIS_CHECK else f"{known.id}:{check_name}"


# Check results of SLO thresholds are named ``slo:<threshold name>``; a breach of one of them is
# finding TP-LOAD-001 of that check.
SLO_CHECK_PREFIX = "slo:"
# Check results of regression verdicts are named ``regression:<metric>[<scope>]``, each the
# check of its metric's regression finding; ``regression:load`` is the comparison as a whole,
# the check of its inconclusive and not-evaluated findings.
REGRESSION_CHECK_PREFIX = "regression:"
REGRESSION_OVERALL_CHECK = REGRESSION_CHECK_PREFIX + "load"
REGRESSION_CHECKS = {
    "error_ratio": "error_ratio_regression",
    "capacity_rps": "capacity_regression",
}  # every other metric is a latency percentile


def regression_rule(metric: str) -> CatalogueEntry:
    """The entry a regressed ``metric`` (``p95_ms``, ``error_ratio``, ``capacity_rps``) reports."""
    return entry_of("gate", REGRESSION_CHECKS.get(metric, "latency_regression"))


# Findings two checks make of one cause (in one suite, or the gate's two): the second is
# folded into the first (`fold_same_causes`), whose ``seen_by`` then names the second's check.
SAME_CAUSE = {
    "TP-SEC-012": "TP-CONF-005",
    "TP-SEC-013": "TP-CONF-007",
    "TP-SEC-020": "TP-SEC-001",  # an unknown user's own message: the answers differ too
}


def fold_same_causes(findings: Sequence[Finding]) -> list[Finding]:
    """One cause, one finding across suites: a finding whose cause another suite's finding in
    ``findings`` already names is counted in that one (its first) instead of standing apart."""
    present = {f.id for f in findings}
    absorbed: dict[str, list[Finding]] = {}
    for found in findings:
        if SAME_CAUSE.get(found.id) in present:
            absorbed.setdefault(SAME_CAUSE[found.id], []).append(found)
    kept: list[Finding] = []
    for found in findings:
        if SAME_CAUSE.get(found.id) in present:
            continue
        for other in absorbed.pop(found.id, ()):
            found = seen_again(found, other)
        kept.append(found)
    return kept


def check_of(known: CatalogueEntry) -> str:
    """The ID of the check that reports ``known``: its check's first entry."""
    return entries_of(known.suite, known.check)[0].id


def finding(
    finding_id: str,
    evidence: str,
    *,
    expected: str = "",
    received: str = "",
    source: str | None = None,
    count: int = 1,
    check: str | None = None,
) -> Finding:
    """The finding ``finding_id`` with its catalogue title, severity and standard.

    ``source`` defaults to the entry's suite (the gate may say which stage it came from);
    ``check`` to the check that reports the entry (`check_of`), for the findings of checks
    that are not one per entry (an SLO threshold, a probe not evaluated) their own.
    """
    known = entry(finding_id)
    return Finding(
        id=known.id,
        severity=known.severity,
        title=known.title,
        evidence=evidence,
        reference=known.standard,
        source=known.suite if source is None else source,
        expected=expected,
        received=received,
        count=count,
        check=check_of(known) if check is None else check,
    )
