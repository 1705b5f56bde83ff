"""Settings of the stock service: SimpleJWT's documented set-up, the real service's documented
token lifetimes (access 7 days, refresh 30 days), SQLite.

The only departure from a production set-up is the password hasher: Django's documentation
recommends a fast one for tests ("Speeding up the tests"), and Django's dummy hash for unknown
usernames uses the same one, so what a login costs is still the same for every username.
"""

import os
from datetime import timedelta

SECRET_KEY = os.environ["TOKEN_SERVICE_SECRET"]
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "tests.servers.stock_django.urls"
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "rest_framework",
    "rest_framework_simplejwt",
]
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
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": (
        "rest_framework_simplejwt.authentication.JWTAuthentication",
    ),
}
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(days=7),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=30),
}
