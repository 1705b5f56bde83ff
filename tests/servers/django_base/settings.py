"""Base settings of every Django token service here: the process's signing secret, SQLite,
the real service's documented token lifetimes, and the password hasher.

The hasher is Django's PBKDF2 at 20,000 iterations by default (`hashers`): a few milliseconds
per login, so a suite can afford it, and still a real cost that a view skipping the hash for an
unknown identifier cannot hide. Django's dummy hash for unknown usernames uses the same one.
``TOKEN_SERVICE_HASHER=default`` serves Django's own default (PBKDF2-SHA256, 1,000,000
iterations) to measure the real cost; ``fast`` is MD5, the hasher Django's documentation
recommends for tests ("Speeding up the tests").
"""

import os
from datetime import timedelta

from django.conf import global_settings

HASHERS = {
    "scaled": ["tests.servers.django_base.hashers.ScaledPBKDF2PasswordHasher"],
    "fast": ["django.contrib.auth.hashers.MD5PasswordHasher"],
    "default": global_settings.PASSWORD_HASHERS,
}


def password_hashers(choice: str) -> list[str]:
    if choice not in HASHERS:
        raise ValueError(f"TOKEN_SERVICE_HASHER={choice!r}: choose one of {sorted(HASHERS)}")
    return list(HASHERS[choice])


SECRET_KEY = os.environ["TOKEN_SERVICE_SECRET"]  # SimpleJWT and ninja-jwt sign with it
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
DJANGO_APPS = ["django.contrib.auth", "django.contrib.contenttypes"]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
]
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ["TOKEN_SERVICE_DATABASE"],
    }
}
PASSWORD_HASHERS = password_hashers(os.environ.get("TOKEN_SERVICE_HASHER", "scaled"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
# The real service's documented lifetimes, in SimpleJWT's (and ninja-jwt's) setting names.
TOKEN_LIFETIMES = {
    "ACCESS_TOKEN_LIFETIME": timedelta(days=7),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=30),
}
