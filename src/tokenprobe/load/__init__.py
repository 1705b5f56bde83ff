"""Load suite: Locust users, load shapes, exact latencies and the SLO gate.

Public surface (Locust-free to import, for the CLI and the release gate):
``tokenprobe.load.runner.run_load(session, options, report_dir, redactor) -> Summary`` and
``tokenprobe.load.runner.LoadOptions``. The Locust side is ``loadtests/locustfile.py``.
"""
