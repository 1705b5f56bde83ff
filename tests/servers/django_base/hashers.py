"""A password hasher with Django's real algorithm at a test suite's cost.

Django's documentation shows how to tune PBKDF2 by subclassing its hasher ("How Django stores
passwords"). At 20,000 iterations (the default here) a login costs a few milliseconds instead
of ~230 ms, yet a view that skips the hash for an unknown identifier (dj-rest-auth's email
login) still answers measurably faster: the timing probes can see it, where a near-free MD5
would hide it.
"""

import os

from django.contrib.auth.hashers import PBKDF2PasswordHasher


class ScaledPBKDF2PasswordHasher(PBKDF2PasswordHasher):
    # TOKEN_SERVICE_PBKDF2_ITERATIONS: a service whose timing a test must tell apart from a
    # loaded machine's noise takes more.
    iterations = int(os.environ.get("TOKEN_SERVICE_PBKDF2_ITERATIONS", "20000"))
