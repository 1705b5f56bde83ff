"""The reference target's run configuration, fixed at start and read by every Django component."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from django.conf import settings

# Where `tokenprobe serve` writes the seeded accounts, unless told otherwise.
DEFAULT_CREDENTIALS_OUT = Path(".tokenprobe/credentials.csv")

Hasher = Literal["fast", "production"]
# Documented lifetimes of the real service (REFERENCE §1).
ACCESS_LIFETIME_DAYS = 7
REFRESH_LIFETIME_DAYS = 30


@dataclasses.dataclass(frozen=True)
class ReferenceConfig:
    database: Path
    secret_key: str = dataclasses.field(repr=False)
    faults: Mapping[str, float | None] = dataclasses.field(default_factory=dict)
    hasher: Hasher = "fast"
    # Failed logins per username per window before 429 (ASVS 6.3.1); 0 disables it.
    lockout_after: int = 20
    lockout_window_s: int = 300
    # Seeded users' passwords, kept only for faults that must compare plaintext
    # (case-insensitive-password, password-truncation). Never printed.
    plaintext_passwords: Mapping[str, str] = dataclasses.field(default_factory=dict, repr=False)

    def has(self, fault: str) -> bool:
        return fault in self.faults

    def value(self, fault: str) -> float:
        value = self.faults.get(fault)
        if value is None:
            raise KeyError(f"fault {fault!r} is not active or takes no value")
        return value

    @property
    def lockout_enabled(self) -> bool:
        return self.lockout_after > 0 and not self.has("no-lockout")


def current() -> ReferenceConfig:
    """The configuration of the running target (set in Django settings at start)."""
    return settings.TOKENPROBE_TARGET
