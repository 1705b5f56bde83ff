"""Load suite: Locust users, load shapes, exact latencies and the SLO gate.

Public surface (Locust-free to import, for the CLI and the release gate):
``tokenprobe.load.run(target, options) -> Summary`` and
``tokenprobe.load.LoadOptions``. The Locust side is ``loadtests/locustfile.py``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tokenprobe.load.runner import LoadOptions, run

__all__ = ["LoadOptions", "run"]


def __getattr__(name: str) -> Any:
    # Resolved on first use (PEP 562): every Locust process imports this package for its users
    # and listeners, and must not pay for the runner's reports and plotting libraries.
    if name in __all__:
        return getattr(importlib.import_module("tokenprobe.load.runner"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})  # the lazy names too, as a plain package lists them
