"""Seeding: the database schema and the accounts the harness logs in with."""

from __future__ import annotations

import os
import secrets
import string
from concurrent.futures import ProcessPoolExecutor

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management import call_command

from tokenprobe.core.credentials import Credential

USERNAME_FORMAT = "probe.user.{:04d}"
INACTIVE_USERNAME = "probe.inactive"
PASSWORD_ALPHABET = string.ascii_letters + string.digits + "!@#$%^&*-_=+"
PASSWORD_LENGTH = 20


def strong_password() -> str:
    """A random password with lower and upper case, a digit and a symbol.

    Both cases are needed: the case-changing bypass probes must change something.
    """
    while True:
        password = "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(PASSWORD_LENGTH))
        if (
            any(c.islower() for c in password)
            and any(c.isupper() for c in password)
            and any(c.isdigit() for c in password)
            and any(not c.isalnum() for c in password)
        ):
            return password


def create_schema() -> None:
    call_command("migrate", run_syncdb=True, verbosity=0, interactive=False)
    call_command("createcachetable", verbosity=0)


def _hash(password: str) -> str:
    return make_password(password)


def _hash_all(passwords: list[str]) -> list[str]:
    """Hash in parallel: the production hasher costs ~230 ms a password."""
    if len(passwords) < 8 or "Fast" in settings.PASSWORD_HASHERS[0]:
        return [_hash(p) for p in passwords]
    # fork: children inherit the configured Django settings.
    with ProcessPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        return list(pool.map(_hash, passwords, chunksize=4))


def seed_users(count: int) -> tuple[list[Credential], Credential]:
    """Create ``count`` active accounts and one inactive one; return their credentials."""
    active = [Credential(USERNAME_FORMAT.format(i), strong_password()) for i in range(1, count + 1)]
    inactive = Credential(INACTIVE_USERNAME, strong_password())
    everyone = [*active, inactive]
    hashes = _hash_all([c.password for c in everyone])
    user_model = get_user_model()
    user_model.objects.bulk_create(
        user_model(
            username=c.username,
            password=hashed,
            email=f"{c.username}@example.invalid",
            is_active=c is not inactive,
        )
        for c, hashed in zip(everyone, hashes, strict=True)
    )
    return active, inactive
