"""django-ninja-jwt's documented API (``NinjaExtraAPI`` with NinjaJWTDefaultController at
``api/``, so ``api/token/pair``), and its obtain-pair route at the service's path."""

from django.urls import path
from ninja_extra import NinjaExtraAPI
from ninja_jwt.controller import NinjaJWTDefaultController

from tests.servers.django_base.routes import TOKEN_ROUTE, view_named

api = NinjaExtraAPI()
api.register_controllers(NinjaJWTDefaultController)
api_urls = api.urls

urlpatterns = [
    path("api/", api_urls),
    path(TOKEN_ROUTE, view_named(api_urls[0], "token_obtain_pair")),
]
