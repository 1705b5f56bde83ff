"""django-ninja-jwt's documented set-up: ``ninja_extra`` and ``ninja_jwt`` installed, its
lifetimes in ``NINJA_JWT``. No DRF: django-ninja validates the body itself."""

from tests.servers.django_base.settings import *

ROOT_URLCONF = "tests.servers.stock_ninja_jwt.urls"
INSTALLED_APPS = [*DJANGO_APPS, "ninja_extra", "ninja_jwt"]
NINJA_JWT = TOKEN_LIFETIMES
