"""Conformance suite: Schemathesis with tokenprobe's hooks and token-aware checks.

``run(target, ConformanceOptions(...)) -> Summary`` runs it; ``hooks`` is the module
``schemathesis.toml`` loads.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tokenprobe.conformance.runner import ConformanceOptions, resolve_spec, run

# Where each public name lives, imported on first use (PEP 562): the command line names the
# suite without importing Schemathesis until it runs it.
_HOMES = {
    "ConformanceOptions": "tokenprobe.conformance.runner",
    "resolve_spec": "tokenprobe.conformance.runner",
    "run": "tokenprobe.conformance.runner",
}
__all__ = [
    "ConformanceOptions",
    "resolve_spec",
    "run",
]


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(importlib.import_module(_HOMES[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})  # the lazy names too, as a plain package lists them
