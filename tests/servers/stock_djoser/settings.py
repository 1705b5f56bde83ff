"""djoser's documented JWT set-up: its app, DRF with SimpleJWT's authentication, and the
``SIMPLE_JWT`` settings of its example (``Authorization: JWT …``)."""

from tests.servers.django_base.settings import *

ROOT_URLCONF = "tests.servers.stock_djoser.urls"
INSTALLED_APPS = [*DJANGO_APPS, "rest_framework", "djoser"]
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": (
        "rest_framework_simplejwt.authentication.JWTAuthentication",
    ),
}
SIMPLE_JWT = {**TOKEN_LIFETIMES, "AUTH_HEADER_TYPES": ("JWT",)}
