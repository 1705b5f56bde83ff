"""The master's ledger of account slices, without importing Locust (`tokenprobe.load.partition`).

Importing ``locust`` monkey-patches the process with gevent, so the rules live here where the
tests (and anything else) can use them directly.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable


@dataclasses.dataclass(frozen=True)
class Assignment:
    """Slice ``slot`` of ``slots``; ``refused`` says why there is none."""

    slot: int
    slots: int
    refused: str = ""

    @classmethod
    def whole_pool(cls) -> Assignment:
        return cls(0, 1)


class SliceLedger:
    """The master's record of which connected worker holds which slice."""

    def __init__(self) -> None:
        self.slots = 0
        self.holders: dict[str, int] = {}

    def start(self, expected_workers: int, connected: Iterable[str]) -> None:
        """A new test: no user is running, so slices are handed out afresh."""
        self.slots = max(expected_workers, len(list(connected)), 1)
        self.holders = {}

    def assign(self, client_id: str, connected: Iterable[str]) -> Assignment:
        """The slice of ``client_id``: its own, else the lowest free one, else a refusal."""
        live = set(connected) | {client_id}
        self.holders = {cid: slot for cid, slot in self.holders.items() if cid in live}
        if client_id in self.holders:
            return Assignment(self.holders[client_id], self.slots)
        free = sorted(set(range(self.slots)) - set(self.holders.values()))
        if not free:
            return Assignment(
                -1,
                self.slots,
                f"all {self.slots} account slices are held by connected workers "
                "(a late or restarted worker would share their accounts); raise "
                "--expect-workers, or wait until the worker it replaces is gone",
            )
        self.holders[client_id] = free[0]
        return Assignment(free[0], self.slots)
