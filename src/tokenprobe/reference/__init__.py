"""The embedded reference target: Django + DRF + SimpleJWT on SQLite, built like the real service.

``server`` runs it (``tokenprobe serve``); ``embedded`` starts it as a child process for the other
commands and the test suite; ``faults`` is the catalogue of deliberate deviations.
"""
