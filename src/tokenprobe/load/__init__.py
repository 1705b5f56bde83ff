"""Load suite: Locust users, load shapes, exact latencies and the SLO gate.

Public surface (Locust-free to import, for the CLI and the release gate):
``tokenprobe.load.run(target, options) -> Summary`` and
``tokenprobe.load.LoadOptions``. The Locust side is ``loadtests/locustfile.py``.
"""

from tokenprobe.load.runner import LoadOptions, run

__all__ = ["LoadOptions", "run"]
