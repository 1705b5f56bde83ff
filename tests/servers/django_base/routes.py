"""Routing shared by the Django token services."""

from collections.abc import Callable, Iterable

from django.urls import URLPattern

TOKEN_ROUTE = "api/v1/token/"  # the service's path, where each package's login view answers


def view_named(patterns: Iterable[object], name: str) -> Callable[..., object]:
    """The view a package's own URL configuration routes under ``name``, to mount it
    unchanged at the service's path as well."""
    for pattern in patterns:
        if isinstance(pattern, URLPattern) and pattern.name == name:
            return pattern.callback
    raise LookupError(f"no URL pattern named {name!r}")
