"""The clean reference target answers like the documented service (issue 2), over real HTTP."""

from __future__ import annotations

import jwt
import pytest
import requests

from tokenprobe.core.credentials import load_csv
from tokenprobe.reference.config import ACCESS_LIFETIME_DAYS, REFRESH_LIFETIME_DAYS
from tokenprobe.reference.embedded import EmbeddedTarget

NO_ACCOUNT = {"detail": "No active account found with the given credentials"}
DAY = 86400


def login(target: EmbeddedTarget, body: object, **kwargs: object) -> requests.Response:
    return requests.post(target.url, json=body, timeout=10, **kwargs)


def valid_body(target: EmbeddedTarget, index: int = 0) -> dict[str, str]:
    return target.credentials[index].as_json()


def test_valid_credentials_get_a_jwt_pair_with_no_store(clean_target: EmbeddedTarget) -> None:
    response = login(clean_target, valid_body(clean_target))
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Pragma"] == "no-cache"
    assert set(response.json()) == {"access", "refresh"}


def test_tokens_are_hs256_with_documented_lifetimes(clean_target: EmbeddedTarget) -> None:
    pair = login(clean_target, valid_body(clean_target, 1)).json()
    for name, days in (("access", ACCESS_LIFETIME_DAYS), ("refresh", REFRESH_LIFETIME_DAYS)):
        assert jwt.get_unverified_header(pair[name])["alg"] == "HS256"
        claims = jwt.decode(pair[name], options={"verify_signature": False})
        assert claims["token_type"] == name
        assert claims["exp"] - claims["iat"] == days * DAY
        assert len(claims["jti"]) == 32
    assert pair["access"] != pair["refresh"]


def test_signing_key_is_random_per_start(clean_target: EmbeddedTarget) -> None:
    token = login(clean_target, valid_body(clean_target, 2)).json()["access"]
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(token, "secret", algorithms=["HS256"])


def test_refresh_endpoint_issues_a_new_access_token(clean_target: EmbeddedTarget) -> None:
    refresh = login(clean_target, valid_body(clean_target, 3)).json()["refresh"]
    response = requests.post(
        clean_target.base_url + "/api/v1/token/refresh/", json={"refresh": refresh}, timeout=10
    )
    assert response.status_code == 200
    assert "access" in response.json()


@pytest.mark.parametrize(
    "make_body",
    [
        pytest.param(
            lambda c: {"username": c.username, "password": c.password + "x"}, id="wrong-password"
        ),
        pytest.param(
            lambda c: {"username": "nobody.here", "password": c.password}, id="unknown-user"
        ),
    ],
)
def test_wrong_credentials_answer_the_documented_400(
    clean_target: EmbeddedTarget, make_body
) -> None:
    response = login(clean_target, make_body(clean_target.credentials[4]))
    assert response.status_code == 400
    assert response.json() == NO_ACCOUNT
    assert "WWW-Authenticate" not in response.headers


def test_inactive_user_answers_the_same_400(clean_target: EmbeddedTarget) -> None:
    inactive = load_csv(clean_target.inactive_credentials_file)[0]
    response = login(clean_target, inactive.as_json())
    assert (response.status_code, response.json()) == (400, NO_ACCOUNT)


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"username": "a"}, "password", "This field is required."),  # missing
        ({"username": "a", "password": ""}, "password", "This field may not be blank."),
        ({"username": "a", "password": None}, "password", "This field may not be null."),
        ({"username": "a", "password": ["x"]}, "password", "Not a valid string."),
        ({"username": "a" * 151, "password": "x"}, "username", None),  # over max_length
        ({"username": "a", "password": "x" * 5000}, "password", None),  # bounded hashing cost
    ],
)
def test_invalid_fields_get_drf_400s(clean_target: EmbeddedTarget, body, field, message) -> None:
    response = login(clean_target, body)
    assert response.status_code == 400
    errors = response.json()[field]
    assert isinstance(errors, list)
    if message:
        assert errors == [message]


def test_json_array_body_is_a_400(clean_target: EmbeddedTarget) -> None:
    response = login(clean_target, ["username", "password"])
    assert response.status_code == 400
    assert "non_field_errors" in response.json()


def test_malformed_json_is_a_json_400(clean_target: EmbeddedTarget) -> None:
    response = requests.post(
        clean_target.url,
        data=b'{"username":',
        headers={"Content-Type": "application/json"},
        timeout=10,
    )
    assert response.status_code == 400
    assert response.json()["detail"].startswith("JSON parse error")


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded"])
def test_non_json_bodies_are_415(clean_target: EmbeddedTarget, content_type: str) -> None:
    response = requests.post(
        clean_target.url,
        data="username=a&password=b",
        headers={"Content-Type": content_type},
        timeout=10,
    )
    assert response.status_code == 415
    assert "detail" in response.json()


@pytest.mark.parametrize("method", ["GET", "PUT", "PATCH", "DELETE"])
def test_other_methods_are_405_with_allow(clean_target: EmbeddedTarget, method: str) -> None:
    response = requests.request(method, clean_target.url, timeout=10)
    assert response.status_code == 405
    assert response.headers["Allow"] == "POST, OPTIONS"


def test_oversized_body_is_a_json_400_and_one_log_line(clean_target: EmbeddedTarget) -> None:
    body = {"username": "a", "password": "x" * 3_000_000}
    logged_before = clean_target.log_file.read_text(errors="replace")
    response = login(clean_target, body)
    assert response.status_code == 400
    assert response.headers["Content-Type"] == "application/json"
    # Django logs the refusal before answering: one line, no traceback (issue 11, item 8).
    log = clean_target.log_file.read_text(errors="replace")
    assert log[len(logged_before) :].splitlines() == [
        "refused request (django.security.RequestDataTooBig): "
        "Request body exceeded settings.DATA_UPLOAD_MAX_MEMORY_SIZE."
    ]
    assert "Traceback" not in log


def test_unknown_path_is_a_json_404(clean_target: EmbeddedTarget) -> None:
    response = requests.get(clean_target.base_url + "/nothing/", timeout=10)
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_repeated_logins_issue_distinct_tokens(clean_target: EmbeddedTarget) -> None:
    first = login(clean_target, valid_body(clean_target, 5)).json()
    second = login(clean_target, valid_body(clean_target, 5)).json()
    assert first["access"] != second["access"]
    assert first["refresh"] != second["refresh"]


def test_repeated_failures_lock_the_username_out_with_retry_after(target_factory) -> None:
    target = target_factory(owner="lockout", extra_args=("--lockout-after", "3"))  # locks account 0
    account = target.credentials[0]
    wrong = {"username": account.username, "password": account.password + "!"}
    statuses = [login(target, wrong).status_code for _ in range(4)]
    assert statuses == [400, 400, 400, 429]
    locked = login(target, account.as_json())
    assert locked.status_code == 429
    assert int(locked.headers["Retry-After"]) > 0
