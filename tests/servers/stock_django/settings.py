"""Settings of the stock service: SimpleJWT's documented set-up on the shared base
(`tests.servers.django_base.settings`: the real service's documented token lifetimes, SQLite,
a fast password hasher unless ``TOKEN_SERVICE_HASHER=default``)."""

from tests.servers.django_base.settings import *

ROOT_URLCONF = "tests.servers.stock_django.urls"
INSTALLED_APPS = [*DJANGO_APPS, "rest_framework", "rest_framework_simplejwt"]
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": (
        "rest_framework_simplejwt.authentication.JWTAuthentication",
    ),
}
SIMPLE_JWT = TOKEN_LIFETIMES
