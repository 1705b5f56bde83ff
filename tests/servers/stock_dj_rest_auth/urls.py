"""dj-rest-auth's documented URLs, and its LoginView at the service's path."""

from dj_rest_auth.views import LoginView
from django.urls import include, path

from tests.servers.django_base.routes import TOKEN_ROUTE

urlpatterns = [
    path("auth/", include("dj_rest_auth.urls")),
    path(TOKEN_ROUTE, LoginView.as_view(), name="token_obtain_pair"),
]
