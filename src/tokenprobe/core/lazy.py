"""A package's public names, imported on first use (PEP 562).

A package that re-exports its modules' names would import them all with itself: the command
line would pay for Schemathesis, SciPy and matplotlib before ``--help``, and every Locust process
for the report writers. Such a package instead maps each public name to the module it lives in
and installs the two module hooks this returns::

    __getattr__, __dir__ = lazy_exports(__name__, {"run": "tokenprobe.load.runner"})
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any


def lazy_exports(
    package: str, homes: Mapping[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The module ``__getattr__`` and ``__dir__`` of ``package``, whose public names live in
    the modules ``homes`` names (name → module)."""

    def __getattr__(name: str) -> Any:
        if name in homes:
            return getattr(importlib.import_module(homes[name]), name)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    def __dir__() -> list[str]:
        # The lazy names too, as a plain package lists them.
        return sorted({*vars(sys.modules[package]), *homes})

    return __getattr__, __dir__
