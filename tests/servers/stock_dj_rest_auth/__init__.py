"""dj-rest-auth's LoginView in JWT mode (with SimpleJWT), unmodified from PyPI and configured
the way its documentation says; ours are only `settings` and `urls`. Its documented defaults
stay: it also accepts an email instead of the username, answers with the user's details
beside the pair, and logs the user into a Django session (a ``sessionid`` cookie)."""
