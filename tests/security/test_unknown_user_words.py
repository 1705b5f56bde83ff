"""TP-SEC-020's reading of an unknown username's answer (no server: the words alone).

Generic failure messages of widely used login stacks pass: the same answer for a wrong password
and an unknown user reveals nothing. Messages that say the account does not exist are caught,
in prose or as codes. The probe's run against services is in test_probes and tests/servers.
"""

from __future__ import annotations

import pytest

from tokenprobe.security.client import Answer
from tokenprobe.security.enumeration import says_unknown

SENT = ("tokenprobe.nobody.abc123", "Wrong-xyzxyzxyz")

GENERIC = [
    '{"detail": "No active account found with the given credentials"}',  # SimpleJWT
    '{"non_field_errors": ["Unable to log in with provided credentials."]}',  # DRF, djoser
    '{"error": "invalid_grant", "error_description": "Invalid user credentials"}',  # Keycloak
    '{"msg": "Bad username or password"}',  # Flask-JWT-Extended's example
    '{"detail": "LOGIN_BAD_CREDENTIALS"}',  # FastAPI Users
    '{"message": "Bad credentials"}',  # Spring Security
    '{"error": "Wrong email or password."}',  # Auth0
    '{"detail": "Invalid login attempt."}',  # ASP.NET Identity
    '{"detail": "User not found or password incorrect"}',
    '{"username": ["Unknown field."]}',  # marshmallow, on an email-only login
    '{"detail": "Login failed: unknown error"}',
    '{"detail": "Not found."}',
    '{"detail": "Username/password not found"}',
    '{"detail": "User not found or wrong password"}',
    '{"detail": "Your login details were not recognised"}',
    '{"detail": "Unknown user agent"}',
]
SAYS_UNKNOWN = [
    '{"detail": "No account with this username"}',
    '{"username": ["User does not exist"]}',
    '{"username": ["does not exist"]}',  # the field's name says whose
    '{"error": "user not found"}',
    '{"message": "Unknown user"}',
    '{"error": {"message": "EMAIL_NOT_FOUND"}}',  # Firebase
    '{"code": "auth/user-not-found"}',
    '{"__type": "UserNotFoundException"}',  # Cognito
    '{"detail": "No User matches the given query."}',  # Django's get_object_or_404
    '{"message": "We can\\u2019t find a user with that email address."}',  # Laravel
    '{"detail": "User not found. Forgot your password?"}',
    '{"message": "No account found with this email"}',
]


@pytest.mark.parametrize("body", GENERIC)
def test_a_generic_rejection_says_nothing(body: str) -> None:
    assert says_unknown(Answer(400, {}, body, 0.0), SENT) == []


@pytest.mark.parametrize("body", SAYS_UNKNOWN)
def test_an_answer_that_says_the_account_does_not_exist_is_caught(body: str) -> None:
    assert says_unknown(Answer(400, {}, body, 0.0), SENT)
