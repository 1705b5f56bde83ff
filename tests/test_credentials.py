"""Where the accounts come from: the one account and the credentials file make one pool, the
same in every command (issue 11)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tokenprobe.core.credentials import (
    ENV_CREDENTIALS,
    ENV_EMAIL,
    ENV_PASSWORD,
    ENV_USERNAME,
    Credential,
    from_environment,
    load_csv,
    pool,
    write_csv,
)
from tokenprobe.core.errors import CredentialsError

ONE = Credential("qa.engineer", "Qa-Password-1")
FILE_ACCOUNTS = [Credential("pool.a", "Pool-Password-A"), Credential("pool.b", "Pool-Password-B")]


@pytest.fixture
def credentials_file(tmp_path: Path) -> Path:
    return write_csv(tmp_path / "pool.csv", [*FILE_ACCOUNTS, ONE])  # ONE listed twice


def one_account_env(**extra: str) -> dict[str, str]:
    return {ENV_USERNAME: ONE.username, ENV_PASSWORD: ONE.password, **extra}


def test_both_sources_make_one_pool_the_one_account_first(credentials_file: Path) -> None:
    env = one_account_env(**{ENV_CREDENTIALS: str(credentials_file)})
    assert from_environment(env) == [ONE, *FILE_ACCOUNTS]  # each account once
    # An explicit file (--credentials, [target] credentials) joins the one account the same way.
    assert pool(credentials_file, one_account_env()) == [ONE, *FILE_ACCOUNTS]


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        (one_account_env(), [ONE]),  # the usual case on staging
        ({}, []),  # nothing given: an empty pool, never a guess
    ],
)
def test_either_source_alone(env: dict[str, str], expected: list[Credential]) -> None:
    assert from_environment(env) == expected


def test_the_file_alone(credentials_file: Path) -> None:
    assert pool(credentials_file, {}) == [*FILE_ACCOUNTS, ONE]


def test_half_an_account_is_a_one_line_error() -> None:
    with pytest.raises(CredentialsError, match="set both TOKENPROBE_USERNAME and"):
        from_environment({ENV_USERNAME: ONE.username})


def test_an_email_column_is_optional_and_kept(tmp_path: Path) -> None:
    """Issue 19: ``username,password,email`` gives the accounts' emails (the security probes log
    in by email where the target takes it); an empty cell is an email not known."""
    path = tmp_path / "with-email.csv"
    path.write_text("username,password,email\npool.a,Pool-Password-A,a@example.test\npool.b,P-B,\n")
    accounts = load_csv(path)
    assert [(a.username, a.email) for a in accounts] == [
        ("pool.a", "a@example.test"),
        ("pool.b", ""),
    ]
    # Written back with the column; a pool without any email keeps the two-column file.
    assert load_csv(write_csv(tmp_path / "again.csv", accounts))[0].email == "a@example.test"
    assert (tmp_path / "again.csv").read_text().splitlines()[0] == "username,password,email"
    two = write_csv(tmp_path / "two.csv", FILE_ACCOUNTS).read_text()
    assert two.splitlines()[0] == "username,password"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("username,email\nu,e\n", "must start with the header username,password"),
        ("username,password,email\nu,secret-pw\n", "line 2: expected 3 fields"),
    ],
)
def test_a_bad_email_file_is_a_one_line_error(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises(CredentialsError, match=message) as error:
        load_csv(path)
    assert "secret-pw" not in str(error.value)


def test_an_account_keeps_the_email_either_source_gives(tmp_path: Path) -> None:
    with_email = Credential(ONE.username, ONE.password, "qa@example.test")
    path = write_csv(tmp_path / "pool.csv", [with_email, *FILE_ACCOUNTS])
    (merged, *_) = pool(path, one_account_env())
    assert merged.email == "qa@example.test"  # one account, its email from the file
    (one,) = from_environment(one_account_env(**{ENV_EMAIL: "one@example.test"}))
    assert one.email == "one@example.test"
