"""Token services tokenprobe did not build, for its tests (issue 11): verdicts must hold on them.

* `fastapi_service`: FastAPI on uvicorn, PyJWT, argon2-cffi (with one-defect variants);
* `flask_service`: Flask on werkzeug, flask-jwt-extended, werkzeug's password hashing;
* `stock_django`: unmodified Django + DRF + SimpleJWT from PyPI, with only our settings and urls;
* `stock_dj_rest_auth`, `stock_djoser`, `stock_ninja_jwt`: the login views of dj-rest-auth,
  djoser and django-ninja-jwt, unmodified from PyPI, likewise (settings on `django_base`).

None shares code with `tokenprobe.reference` (or imports tokenprobe at all): each is written
the way a team implementing the documented contract would write it. `process` starts one as a
real process on a free loopback port and stops it; `conftest` holds the session fixtures.
"""
