"""Where a 200 carries the token pair: the names of its access and refresh fields.

Only these two fields are tokens. Every other field of the answer (a ``user`` object, an echoed
``username``, ``token_type``, ``expires_in``, ``scope``) is data: never judged as a token, never
learnt as a secret. The names default to SimpleJWT's ``access`` and ``refresh``; a service that
differs (``access_token``) is described by ``[target] access-field`` / ``refresh-field`` or
``TOKENPROBE_ACCESS_FIELD`` / ``TOKENPROBE_REFRESH_FIELD``. The command line exports the
effective names (`export`), so the tools' own processes (``schemathesis run``, ``locust``) read
the same ones from their environment.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping, MutableMapping
from typing import Any

from tokenprobe.core import defaults

ACCESS_FIELD_ENV = "TOKENPROBE_ACCESS_FIELD"
REFRESH_FIELD_ENV = "TOKENPROBE_REFRESH_FIELD"
ROLES = ("access", "refresh")


@dataclasses.dataclass(frozen=True)
class TokenFields:
    """The answer's field name for each token role."""

    access: str = defaults.ACCESS_FIELD
    refresh: str = defaults.REFRESH_FIELD

    def by_role(self) -> dict[str, str]:
        return {"access": self.access, "refresh": self.refresh}

    def pair(self, body: object) -> dict[str, Any]:
        """Role → value of each token field ``body`` (a parsed 200) has, whatever its type."""
        if not isinstance(body, Mapping):
            return {}
        return {role: body[name] for role, name in self.by_role().items() if name in body}

    def strings(self, body: object) -> dict[str, str]:
        """Role → token string: the non-empty string values of the token fields."""
        return {role: v for role, v in self.pair(body).items() if isinstance(v, str) and v}

    def export(self, environ: MutableMapping[str, str] = os.environ) -> None:
        """Hand the names to child processes, which read them with `from_environment`."""
        environ[ACCESS_FIELD_ENV] = self.access
        environ[REFRESH_FIELD_ENV] = self.refresh


def from_environment(environ: Mapping[str, str] = os.environ) -> TokenFields:
    return TokenFields(
        access=environ.get(ACCESS_FIELD_ENV, "").strip() or defaults.ACCESS_FIELD,
        refresh=environ.get(REFRESH_FIELD_ENV, "").strip() or defaults.REFRESH_FIELD,
    )
