"""The stock service: unmodified Django + DRF + SimpleJWT from PyPI, configured the way their
documentation says. Ours are only `settings` and `urls`; the accounts are created with Django's
own ``shell`` command, and gunicorn serves ``django.core.wsgi.get_wsgi_application()``."""
