"""Conformance suite: Schemathesis with tokenprobe's hooks and token-aware checks.

``run(target, ConformanceOptions(...)) -> Summary`` runs it; ``hooks`` is the module
``schemathesis.toml`` loads.
"""

from tokenprobe.conformance.runner import ConformanceOptions, resolve_spec, run

__all__ = ["ConformanceOptions", "resolve_spec", "run"]
