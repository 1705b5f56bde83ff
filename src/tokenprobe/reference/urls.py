"""URL configuration of the reference target."""

from django.urls import path

from tokenprobe.reference import config
from tokenprobe.reference.views import QueryTokenView, RefreshView, TokenView

_token_view = QueryTokenView if config.current().has("accepts-get-query") else TokenView

urlpatterns = [
    path("api/v1/token/", _token_view.as_view(), name="token_obtain_pair"),
    path("api/v1/token/refresh/", RefreshView.as_view(), name="token_refresh"),
]

handler400 = "tokenprobe.reference.errors.bad_request"
handler404 = "tokenprobe.reference.errors.page_not_found"
handler500 = "tokenprobe.reference.errors.server_error"
