"""djoser's JWT endpoint (``jwt/create``: SimpleJWT's TokenObtainPairView, as djoser routes
it), unmodified from PyPI and configured the way djoser's documentation says; ours are only
`settings` and `urls`."""
