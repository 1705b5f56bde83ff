"""A token service on FastAPI + uvicorn, PyJWT and argon2-cffi: POST /api/v1/token/.

Written from the documented contract, not from tokenprobe: JSON ``{"username", "password"}``
in; 200 ``{"refresh", "access"}`` (HS256 JWTs with ``token_type``, ``exp``, ``iat``, ``jti``);
400 with a JSON ``detail`` for wrong credentials and bad input; 415 for a body that is not JSON;
405 with ``Allow`` for other methods; ``Cache-Control: no-store`` on every answer; a dummy hash
for unknown usernames so that timing tells nothing; fields bounded in length.

Run: ``python -m tests.servers.fastapi_service`` with ``TOKEN_SERVICE_USERS`` (a CSV
``username,password`` of the accounts to create) and ``TOKEN_SERVICE_SECRET`` (the HMAC key);
it listens on a free port of 127.0.0.1 and prints ``Listening on http://127.0.0.1:PORT``.

``TOKEN_SERVICE_DEFECT`` switches on one deliberate defect (`DEFECTS`), so tests can show that
tokenprobe catches it on a server it did not build.

``TOKEN_SERVICE_EMAIL_LOGIN=1`` also accepts ``{"email", "password"}`` (as dj-rest-auth's
LoginView does), with the users CSV's ``email`` column; an unknown email costs the dummy hash
too. The ``email-…`` defects switch it on. ``TOKEN_SERVICE_EMAIL_LOGIN=generic`` answers a body
without a username or an email as dj-rest-auth does, like wrong credentials.
"""

from __future__ import annotations

import csv
import os
import secrets
import socket
import time
import uuid
from typing import Any

import jwt
import uvicorn
from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

DEFECTS = {
    "enumeration-message": "unknown usernames get their own 400 message",
    "no-store-missing": "no Cache-Control: no-store on token responses",
    "alg-none": "tokens are unsigned (alg none)",
    "password-echo": "the 400 for wrong credentials repeats the password",
    "case-insensitive-password": "passwords are compared case-insensitively",
    "get-query-login": "GET with the right credentials in the query string issues tokens "
    "(wrong ones get the usual 405)",
    "wrong-type-500": "a field of the wrong JSON type crashes the service (500)",
    "email-enumeration-timing": "an unknown email is rejected without verifying any hash",
    "email-enumeration-message": "unknown emails get their own 400 message",
}
DEFECT = os.environ.get("TOKEN_SERVICE_DEFECT", "")  # empty: the correct service
if DEFECT and DEFECT not in DEFECTS:
    raise SystemExit(f"unknown TOKEN_SERVICE_DEFECT {DEFECT!r}; known: {', '.join(DEFECTS)}")
EMAIL_LOGIN_MODE = os.environ.get("TOKEN_SERVICE_EMAIL_LOGIN", "")
EMAIL_LOGIN = EMAIL_LOGIN_MODE in ("1", "generic") or DEFECT.startswith("email-")
MUST_INCLUDE = 'Must include either "username" or "email" and "password".'

TOKEN_PATH = "/api/v1/token/"
ACCESS_LIFETIME_S = 15 * 60
REFRESH_LIFETIME_S = 24 * 3600
NO_ACCOUNT = "No active account found with the given credentials"
SECRET = os.environ["TOKEN_SERVICE_SECRET"]
# Cheap argon2id parameters keep a test suite fast; production would use the library's defaults.
HASHER = PasswordHasher(
    time_cost=int(os.environ.get("ARGON2_TIME_COST", "1")),
    memory_cost=int(os.environ.get("ARGON2_MEMORY_KIB", "8192")),
    parallelism=1,
)


def _normalise(password: str) -> str:
    return password.lower() if DEFECT == "case-insensitive-password" else password


def load_users(path: str) -> dict[str, tuple[int, str]]:
    """username → (user id, argon2 hash)."""
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return {
        row["username"]: (index, HASHER.hash(_normalise(row["password"])))
        for index, row in enumerate(rows, start=1)
    }


def load_emails(path: str) -> dict[str, str]:
    """email (lower case) → username, for the users CSV rows with an email."""
    with open(path, newline="", encoding="utf-8") as handle:
        return {
            row["email"].lower(): row["username"]
            for row in csv.DictReader(handle)
            if row.get("email")
        }


USERS = load_users(os.environ["TOKEN_SERVICE_USERS"])
USERNAMES_BY_EMAIL = load_emails(os.environ["TOKEN_SERVICE_USERS"])
# Verified against when the username is unknown, so both paths cost one argon2 verification.
DUMMY_HASH = HASHER.hash(secrets.token_urlsafe(16))

app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)


class Credentials(BaseModel):
    username: str = Field(min_length=1, max_length=150)
    password: str = Field(min_length=1, max_length=1024)


class EmailOrUsernameCredentials(BaseModel):
    """dj-rest-auth's shape: a username or an email, with the password."""

    username: str | None = Field(None, min_length=1, max_length=150)
    email: str | None = Field(None, min_length=3, max_length=254)
    password: str = Field(min_length=1, max_length=1024)


def authenticate(username: str, password: str) -> int | None:
    """The user's id when the password matches; the same work for unknown usernames."""
    user_id, stored = USERS.get(username, (None, DUMMY_HASH))
    try:
        HASHER.verify(stored, _normalise(password))
    except VerificationError:
        return None
    return user_id


def token_pair(user_id: int) -> dict[str, str]:
    now = int(time.time())

    def token(kind: str, lifetime_s: int) -> str:
        claims = {
            "token_type": kind,
            "exp": now + lifetime_s,
            "iat": now,
            "jti": uuid.uuid4().hex,
            "user_id": str(user_id),
        }
        if DEFECT == "alg-none":
            return jwt.encode(claims, None, algorithm="none")
        return jwt.encode(claims, SECRET, algorithm="HS256")

    return {
        "refresh": token("refresh", REFRESH_LIFETIME_S),
        "access": token("access", ACCESS_LIFETIME_S),
    }


def authenticate_by_email(email: str, password: str) -> int | None:
    """The email's user's id when the password matches; an unknown email costs the dummy hash
    (its empty username is no user), except with the timing defect."""
    username = USERNAMES_BY_EMAIL.get(email.lower())
    if username is None and DEFECT == "email-enumeration-timing":
        return None  # the defect: nothing verified, so an unknown email is answered at once
    return authenticate(username or "", password)


def rejection(username: str, password: str, email: str | None = None) -> JSONResponse:
    detail = NO_ACCOUNT
    if DEFECT == "enumeration-message" and username not in USERS:
        detail = "User not found"  # the reference target's words differ: no probe learns one
    if DEFECT == "email-enumeration-message" and email and email.lower() not in USERNAMES_BY_EMAIL:
        detail = "No account with this email"
    if DEFECT == "password-echo":
        detail = f"{detail} (password: {password})"
    return JSONResponse({"detail": detail}, status_code=400)


def login(username: str, password: str) -> JSONResponse:
    user_id = authenticate(username, password)
    if user_id is None:
        return rejection(username, password)
    return JSONResponse(token_pair(user_id))


if DEFECT == "wrong-type-500":

    @app.post(TOKEN_PATH)
    async def obtain_unchecked(request: Request) -> JSONResponse:
        """The defect: fields used without checking their type."""
        body = await request.json()
        username, password = body["username"], body["password"]
        return login(username.strip(), password.strip())

elif EMAIL_LOGIN:

    @app.post(TOKEN_PATH)
    def obtain_by_email_or_username(credentials: EmailOrUsernameCredentials) -> JSONResponse:
        """The email, when given, names the account (as in dj-rest-auth)."""
        if not (credentials.username or credentials.email):
            if EMAIL_LOGIN_MODE == "generic":
                return rejection("", credentials.password)
            return JSONResponse({"detail": MUST_INCLUDE}, status_code=400)
        if not credentials.email:
            return login(credentials.username or "", credentials.password)
        user_id = authenticate_by_email(credentials.email, credentials.password)
        if user_id is None:
            return rejection("", credentials.password, credentials.email)
        return JSONResponse(token_pair(user_id))

else:

    @app.post(TOKEN_PATH)
    def obtain(credentials: Credentials) -> JSONResponse:
        return login(credentials.username, credentials.password)


if DEFECT == "get-query-login":

    @app.get(TOKEN_PATH)
    def obtain_from_query(username: str = "", password: str = "") -> JSONResponse:
        """The defect: the query string is read as credentials; wrong ones look unsupported."""
        user_id = authenticate(username, password) if username and password else None
        if user_id is None:
            return JSONResponse(
                {"detail": "Method Not Allowed"}, status_code=405, headers={"Allow": "POST"}
            )
        return JSONResponse(token_pair(user_id))


@app.middleware("http")
async def no_store(request: Request, call_next: Any) -> Any:
    """RFC 6749 §5.1: answers that may carry tokens are never cached."""
    response = await call_next(request)
    if DEFECT != "no-store-missing":
        response.headers["Cache-Control"] = "no-store"
        response.headers["Pragma"] = "no-cache"
    return response


@app.exception_handler(RequestValidationError)
async def bad_request(request: Request, exc: RequestValidationError) -> JSONResponse:
    """The contract documents 400 (not FastAPI's 422); 415 for a body that is not JSON. The
    message names the field and the rule, never the value sent."""
    content_type = request.headers.get("content-type", "")
    if content_type.split(";")[0].strip().lower() != "application/json":
        return JSONResponse({"detail": "Send the credentials as application/json."}, 415)
    if any(error["type"] == "json_invalid" for error in exc.errors()):
        return JSONResponse({"detail": "JSON parse error."}, 400)
    problems = [
        f"{'.'.join(str(part) for part in error['loc'][1:]) or 'body'}: {error['msg']}"
        for error in exc.errors()
    ]
    return JSONResponse({"detail": "; ".join(problems) or "Invalid request."}, 400)


@app.exception_handler(Exception)
async def server_error(request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse({"detail": "Internal server error."}, 500)


def main() -> None:
    # IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY only on sockets that say they are TCP.
    # Without it every answer on a kept-alive connection waited 40 ms for a delayed ACK.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    host, port = sock.getsockname()
    print(f"Listening on http://{host}:{port}", flush=True)
    config = uvicorn.Config(app, log_level="warning", access_log=False)
    uvicorn.Server(config).run(sockets=[sock])


if __name__ == "__main__":
    main()
