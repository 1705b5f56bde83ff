"""dj-rest-auth's documented JWT set-up: its app, DRF's authtoken app, Django's sessions (its
default ``SESSION_LOGIN``), ``REST_AUTH["USE_JWT"]`` and its cookie-aware JWT authentication.

``JWT_AUTH_HTTPONLY`` is its documented switch for clients that read the refresh token from the
body, as the service's clients do: left at its default (True), the body's ``refresh`` is ``""``
and the token goes only to a cookie, if one is named.
"""

from tests.servers.django_base.settings import *

ROOT_URLCONF = "tests.servers.stock_dj_rest_auth.urls"
INSTALLED_APPS = [
    *DJANGO_APPS,
    "django.contrib.sessions",
    "rest_framework",
    "rest_framework.authtoken",
    "dj_rest_auth",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",  # its session login needs it
    "django.middleware.common.CommonMiddleware",
]
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ("dj_rest_auth.jwt_auth.JWTCookieAuthentication",),
}
REST_AUTH = {"USE_JWT": True, "JWT_AUTH_HTTPONLY": False}
SIMPLE_JWT = TOKEN_LIFETIMES
