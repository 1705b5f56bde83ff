"""Password hashers: ``fast`` for demos and tests, ``production`` for the real cost."""

from django.contrib.auth.hashers import PBKDF2PasswordHasher


class FastPBKDF2PasswordHasher(PBKDF2PasswordHasher):
    """Django's PBKDF2-SHA256 at 1% of its iterations (~2 ms instead of ~230 ms).

    Still a real hash, so the dummy hash for unknown users keeps costing time and the
    ``enumeration-timing`` fault stays measurable.
    """

    iterations = 10_000


HASHERS = {
    "fast": ["tokenprobe.reference.hashers.FastPBKDF2PasswordHasher"],
    "production": ["django.contrib.auth.hashers.PBKDF2PasswordHasher"],
}
