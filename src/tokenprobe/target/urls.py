"""URL configuration of the reference target."""

from django.urls import path

from tokenprobe.target import config
from tokenprobe.target.views import QueryTokenView, RefreshView, TokenView

_token_view = QueryTokenView if config.current().has("accepts-get-query") else TokenView

urlpatterns = [
    path("api/v1/token/", _token_view.as_view(), name="token_obtain_pair"),
    path("api/v1/token/refresh/", RefreshView.as_view(), name="token_refresh"),
]

handler400 = "tokenprobe.target.errors.bad_request"
handler404 = "tokenprobe.target.errors.page_not_found"
handler500 = "tokenprobe.target.errors.server_error"
