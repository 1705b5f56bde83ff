"""Conformance suite: Schemathesis with tokenprobe's hooks and token-aware checks.

``run(target, ConformanceOptions(...)) -> Summary`` runs it; ``hooks`` is the module
``schemathesis.toml`` loads.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tokenprobe.core.lazy import lazy_exports

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


__getattr__, __dir__ = lazy_exports(__name__, _HOMES)
