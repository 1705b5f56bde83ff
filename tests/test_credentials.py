"""Where the accounts come from: the one account and the credentials file make one pool, the
same in every command (issue 11)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tokenprobe.core.credentials import (
    ENV_CREDENTIALS,
    ENV_PASSWORD,
    ENV_USERNAME,
    Credential,
    from_environment,
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
