"""djoser's documented URLs (``auth/`` and ``auth/jwt/create/``), and the view djoser routes
as ``jwt-create`` at the service's path."""

from django.urls import include, path
from djoser.urls import jwt

from tests.servers.django_base.routes import TOKEN_ROUTE, view_named

urlpatterns = [
    path("auth/", include("djoser.urls")),
    path("auth/", include("djoser.urls.jwt")),
    path(TOKEN_ROUTE, view_named(jwt.urlpatterns, "jwt-create")),
]
