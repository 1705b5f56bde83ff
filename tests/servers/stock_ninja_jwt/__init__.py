"""django-ninja-jwt's NinjaJWTDefaultController (its obtain-pair route), unmodified from PyPI
on django-ninja-extra and configured the way its documentation says; ours are only
`settings` and `urls`. Its default output schema echoes the ``username`` beside the pair."""
