"""Load suite: Locust users, load shapes, exact latencies and the SLO gate.

Public surface (Locust-free to import, for the CLI and the release gate):
``tokenprobe.load.run(target, options) -> Summary`` and
``tokenprobe.load.LoadOptions``. The Locust side is ``loadtests/locustfile.py``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tokenprobe.core.lazy import lazy_exports

if TYPE_CHECKING:
    from tokenprobe.load.runner import LoadOptions, run

__all__ = ["LoadOptions", "run"]

# Resolved on first use (PEP 562): every Locust process imports this package for its users and
# listeners, and must not pay for the runner's reports and plotting libraries.
__getattr__, __dir__ = lazy_exports(
    __name__, {"LoadOptions": "tokenprobe.load.runner", "run": "tokenprobe.load.runner"}
)
