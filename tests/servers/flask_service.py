"""A token service on Flask, flask-jwt-extended and werkzeug's password hashing.

Written from the documented contract, not from tokenprobe: JSON ``{"username", "password"}``
in; 200 ``{"refresh", "access"}`` (flask-jwt-extended HS256 JWTs, with the ``token_type`` claim
the contract's clients read); 400 with a JSON ``detail`` (or DRF-style field errors) for wrong
credentials and bad input; 415 for a body that is not JSON; 405 with ``Allow`` for other methods;
``Cache-Control: no-store`` on token answers; a dummy hash for unknown usernames. Unlike the
FastAPI service it sets no length limit on the fields (werkzeug's PBKDF2 pre-hashes a long
password, so its cost does not grow with the length).

Run: ``python -m tests.servers.flask_service`` with ``TOKEN_SERVICE_USERS`` (a CSV
``username,password``) and ``TOKEN_SERVICE_SECRET``; it listens on a free port of 127.0.0.1 and
prints ``Listening on http://127.0.0.1:PORT``.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import secrets
from typing import Any

from flask import Flask, Response, jsonify, request
from flask_jwt_extended import JWTManager, create_access_token, create_refresh_token
from werkzeug.exceptions import HTTPException
from werkzeug.security import check_password_hash, generate_password_hash
from werkzeug.serving import make_server

TOKEN_PATH = "/api/v1/token/"
NO_ACCOUNT = "No active account found with the given credentials"
# A cheaper PBKDF2 than werkzeug's default keeps a test suite fast.
HASH_METHOD = os.environ.get("WERKZEUG_HASH_METHOD", "pbkdf2:sha256:20000")

app = Flask(__name__)
app.config.update(
    JWT_SECRET_KEY=os.environ["TOKEN_SERVICE_SECRET"],
    JWT_ALGORITHM="HS256",
    JWT_ACCESS_TOKEN_EXPIRES=dt.timedelta(hours=1),
    JWT_REFRESH_TOKEN_EXPIRES=dt.timedelta(days=7),
)
JWTManager(app)


def load_users(path: str) -> dict[str, tuple[int, str]]:
    """username → (user id, password hash)."""
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return {
        row["username"]: (index, generate_password_hash(row["password"], method=HASH_METHOD))
        for index, row in enumerate(rows, start=1)
    }


USERS = load_users(os.environ["TOKEN_SERVICE_USERS"])
DUMMY_HASH = generate_password_hash(secrets.token_urlsafe(16), method=HASH_METHOD)


def field_errors(body: Any) -> dict[str, list[str]] | None:
    if not isinstance(body, dict):
        return {"non_field_errors": ["Expected a JSON object."]}
    errors = {}
    for field in ("username", "password"):
        value = body.get(field)
        if value is None:
            errors[field] = ["This field is required."]
        elif not isinstance(value, str):
            errors[field] = ["Not a valid string."]
        elif not value:
            errors[field] = ["This field may not be blank."]
    return errors or None


@app.post(TOKEN_PATH)
def obtain() -> Any:
    if not request.is_json:
        return jsonify(detail="Send the credentials as application/json."), 415
    body = request.get_json(silent=True)
    if body is None:
        return jsonify(detail="JSON parse error."), 400
    if errors := field_errors(body):
        return jsonify(errors), 400
    user_id, stored = USERS.get(body["username"], (None, DUMMY_HASH))
    if not check_password_hash(stored, body["password"]) or user_id is None:
        return jsonify(detail=NO_ACCOUNT), 400
    identity = str(user_id)
    return jsonify(
        refresh=create_refresh_token(identity, additional_claims={"token_type": "refresh"}),
        access=create_access_token(identity, additional_claims={"token_type": "access"}),
    )


@app.after_request
def no_store(response: Response) -> Response:
    """RFC 6749 §5.1: answers of the token endpoint are never cached."""
    if request.path == TOKEN_PATH:
        response.headers["Cache-Control"] = "no-store"
        response.headers["Pragma"] = "no-cache"
    return response


@app.errorhandler(HTTPException)
def http_error(exc: HTTPException) -> Response:
    """JSON for every HTTP error (404, 405 with its Allow header, ...)."""
    response = exc.get_response()
    response.set_data(jsonify(detail=exc.description).get_data())
    response.content_type = "application/json"
    return response


@app.errorhandler(Exception)
def server_error(exc: Exception) -> Any:
    return jsonify(detail="Internal server error."), 500


def main() -> None:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    print(f"Listening on http://127.0.0.1:{server.server_port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
