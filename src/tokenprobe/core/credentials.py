"""Credentials: where valid accounts come from, and how they are kept out of sight.

Sources: ``TOKENPROBE_USERNAME`` + ``TOKENPROBE_PASSWORD`` (one account; ``TOKENPROBE_EMAIL``
its email, optional), and a CSV file with the header ``username,password`` or
``username,password,email`` (``--credentials``, ``[target] credentials`` or
``TOKENPROBE_CREDENTIALS``). Given both, the run's pool is their union, the one account first,
in every command alike (`pool`). An account's email is optional: the security probes use it to
log in by email where the target accepts that (`tokenprobe.security.login_fields`); every other
use sends the username.
A `Credential` never shows its password in ``repr``/``str``, so it cannot leak into a log or
an exception message by accident.
"""

from __future__ import annotations

import csv
import dataclasses
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from tokenprobe.core.errors import ConfigError, CredentialsError

ENV_USERNAME = "TOKENPROBE_USERNAME"
ENV_PASSWORD = "TOKENPROBE_PASSWORD"
ENV_CREDENTIALS = "TOKENPROBE_CREDENTIALS"
ENV_EMAIL = "TOKENPROBE_EMAIL"
CSV_HEADER = ("username", "password")
# The optional third column: another identifier the account logs in with (dj-rest-auth's
# LoginView takes an email instead of the username).
EMAIL_COLUMN = "email"


@dataclasses.dataclass(frozen=True)
class Credential:
    username: str
    password: str = dataclasses.field(repr=False)
    # Not part of the account's identity: the same username and password from two sources are
    # one account, whichever of them knew its email (`pool` keeps the email).
    email: str = dataclasses.field(default="", compare=False)

    def __str__(self) -> str:
        return self.username

    def as_json(self) -> dict[str, str]:
        return {"username": self.username, "password": self.password}


def load_csv(path: str | os.PathLike[str]) -> list[Credential]:
    """Read a ``username,password[,email]`` CSV; raise `CredentialsError` with a one-line
    reason."""
    file = Path(path)
    try:
        with file.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.reader(handle))
    except OSError as exc:
        raise CredentialsError(f"cannot read credentials file {file}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise CredentialsError(f"credentials file {file} is not UTF-8 text") from None
    except csv.Error as exc:
        raise CredentialsError(f"credentials file {file} is not valid CSV: {exc}") from None
    return _parse_rows(rows, file)


def _parse_rows(rows: Sequence[Sequence[str]], file: Path) -> list[Credential]:
    header = tuple(cell.strip().lower() for cell in rows[0]) if rows else ()
    if header not in (CSV_HEADER, (*CSV_HEADER, EMAIL_COLUMN)):
        raise CredentialsError(
            f"credentials file {file} must start with the header username,password"
            f" (or username,password,{EMAIL_COLUMN})"
        )
    credentials = []
    for line_number, row in enumerate(rows[1:], start=2):
        if not row or all(not cell.strip() for cell in row):
            continue
        if len(row) != len(header) or not row[0] or not row[1]:
            # Never echo the row: it holds a password.
            raise CredentialsError(
                f"credentials file {file}, line {line_number}: expected {len(header)} fields,"
                " the username and password non-empty"
            )
        email = row[2].strip() if len(row) > 2 else ""  # an empty email: not known
        credentials.append(Credential(username=row[0], password=row[1], email=email))
    if not credentials:
        raise CredentialsError(f"credentials file {file} has no accounts")
    return credentials


def write_csv(path: str | os.PathLike[str], credentials: Sequence[Credential]) -> Path:
    """Write credentials readable by the owner only (mode 0600), creating parent folders; the
    email column only when an account has an email (the two-column file stays as it was)."""
    file = Path(path)
    file.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.chmod(file, 0o600)  # O_CREAT's mode does not apply to an existing file
    with os.fdopen(descriptor, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        if any(c.email for c in credentials):
            writer.writerow((*CSV_HEADER, EMAIL_COLUMN))
            writer.writerows((c.username, c.password, c.email) for c in credentials)
        else:
            writer.writerow(CSV_HEADER)
            writer.writerows((c.username, c.password) for c in credentials)
    return file


def read_verify_key(path: str | os.PathLike[str]) -> bytes:
    """The HMAC verification key in ``path`` (one trailing newline dropped); a `ConfigError`
    with one line when it cannot be read or is empty. The key never appears in a message."""
    file = Path(path)
    try:
        key = file.read_bytes().removesuffix(b"\n").removesuffix(b"\r")
    except OSError as exc:
        raise ConfigError(f"cannot read verification key {file}: {exc.strerror}") from None
    if not key:
        raise ConfigError(f"verification key file {file} is empty")
    return key


def from_environment(environ: Mapping[str, str] | None = None) -> list[Credential]:
    """The pool the environment names (``TOKENPROBE_USERNAME``/``_PASSWORD`` and the file of
    ``TOKENPROBE_CREDENTIALS``, together); an empty list when none are given."""
    env = os.environ if environ is None else environ
    return pool(env.get(ENV_CREDENTIALS) or None, env)


def pool(
    credentials_file: str | os.PathLike[str] | None, environ: Mapping[str, str] | None = None
) -> list[Credential]:
    """The run's accounts: ``TOKENPROBE_USERNAME``/``_PASSWORD`` (if set) and the accounts of
    ``credentials_file`` (if given), the one account first, each account once (with the email
    either source knew)."""
    env = os.environ if environ is None else environ
    accounts = single_account(env)
    if credentials_file:
        accounts += load_csv(credentials_file)
    return _once_each(accounts)


def _once_each(accounts: Sequence[Credential]) -> list[Credential]:
    """The first of each account (username and password), with the first email given for it."""
    unique: dict[Credential, Credential] = {}
    for account in accounts:
        kept = unique.setdefault(account, account)
        if not kept.email and account.email:
            unique[account] = dataclasses.replace(kept, email=account.email)
    return list(unique.values())


def single_account(env: Mapping[str, str]) -> list[Credential]:
    """The account of ``TOKENPROBE_USERNAME`` + ``TOKENPROBE_PASSWORD`` (with the email of
    ``TOKENPROBE_EMAIL``, if set)."""
    username, password = env.get(ENV_USERNAME, ""), env.get(ENV_PASSWORD, "")
    if not (username or password):
        return []
    if not (username and password):
        raise CredentialsError(f"set both {ENV_USERNAME} and {ENV_PASSWORD}, or neither")
    return [Credential(username, password, env.get(ENV_EMAIL, "").strip())]
