"""Authentication backend: Django's ModelBackend, with the authentication-logic faults."""

from __future__ import annotations

import hashlib
import hmac
import re
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from tokenprobe.reference import config

# The classic tautology, with or without quotes and spaces: ' OR '1'='1, " or 1=1 --
SQL_TAUTOLOGY = re.compile(r"""['"]?\s*or\s*['"]?1['"]?\s*=\s*['"]?1""", re.IGNORECASE)
# unbounded-input: rounds of a naive PBKDF2 that re-keys HMAC with the whole password each
# round, as Django's own did before 1.5.4 (CVE-2013-1443): ~1 s for a megabyte, nothing for a
# normal password.
NAIVE_KDF_ROUNDS = 1500


class ReferenceModelBackend(ModelBackend):
    """Stock behaviour unless a fault says otherwise."""

    def authenticate(
        self, request: Any, username: Any = None, password: Any = None, **kwargs: Any
    ) -> Any:
        if username is None or password is None:
            return None
        cfg = config.current()
        if cfg.has("unbounded-input") and isinstance(password, str):
            _naive_kdf(password)
        user_model = get_user_model()
        try:
            user = user_model._default_manager.get_by_natural_key(username)
        except user_model.DoesNotExist:
            if not cfg.has("enumeration-timing"):
                # Django's defence (#20760): hash anyway so unknown users cost the same time.
                user_model().set_password(password)
            return None
        if self._password_matches(user, password, cfg) and self.user_can_authenticate(user):
            return user
        return None

    @staticmethod
    def _password_matches(user: Any, password: Any, cfg: config.ReferenceConfig) -> bool:
        if cfg.has("nosql-bypass") and isinstance(password, dict) and "$ne" in password:
            return True
        if not isinstance(password, str):
            return False
        matched = user.check_password(password)  # always pay the hash, as the real service does
        if matched:
            return True
        if cfg.has("injection-bypass") and SQL_TAUTOLOGY.search(password):
            return True
        if cfg.has("empty-password-accepted") and password == "":
            return True
        real = cfg.plaintext_passwords.get(user.get_username())
        if real is None:
            return False
        if cfg.has("case-insensitive-password") and password.casefold() == real.casefold():
            return True
        if cfg.has("password-truncation"):
            length = int(cfg.value("password-truncation"))
            return len(password) >= min(length, len(real)) and password[:length] == real[:length]
        return False


def _naive_kdf(password: str) -> bytes:
    """A key derivation whose cost grows with the password's length (the unbounded-input fault)."""
    key, block = password.encode("utf-8", "surrogatepass"), b"salt"
    for _ in range(NAIVE_KDF_ROUNDS):
        block = hmac.new(key, block, hashlib.sha256).digest()
    return block
