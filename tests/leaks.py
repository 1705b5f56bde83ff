"""What a test's captured output gives away: passwords and JWT-shaped strings.

Findings name what leaked without repeating it, so a failing assertion prints no secret.
"""

from __future__ import annotations

from collections.abc import Iterable

from tokenprobe.core.redact import JWT_PATTERN


def leaks(text: str, passwords: Iterable[str]) -> list[str]:
    """Every password found in ``text`` (by its position in ``passwords``) and every string
    shaped like a JWT (`tokenprobe.core.redact.JWT_PATTERN`: a masked token is not)."""
    found = [f"password #{index}" for index, password in enumerate(passwords) if password in text]
    found += [f"JWT-shaped string at {match.start()}" for match in JWT_PATTERN.finditer(text)]
    return found
