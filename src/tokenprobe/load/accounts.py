"""The credentials pool, split so that no two users (and no two workers) share a valid account.

* A tenth of the pool (at least one account, when there are two or more) is set aside as
  **decoys** for the wrong-password scenario: failed logins lock accounts out (429 after a few
  attempts), and a locked account must never be one a valid-login user relies on.
* The rest is partitioned: the worker holding slice ``i`` of ``n`` (handed out by the master,
  `tokenprobe.load.partition`) takes every n-th account from ``i``, then each user of that worker
  takes its own slice.
  With more users than accounts, users share accounts round-robin (reported, not hidden).
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Iterator, Sequence

from tokenprobe.core.credentials import Credential, from_environment, load_csv

DECOY_SHARE = 0.1


@dataclasses.dataclass(frozen=True)
class LoadAccounts:
    valid: tuple[Credential, ...]
    decoys: tuple[Credential, ...]

    @classmethod
    def load(cls, credentials_file: str) -> LoadAccounts:
        """From ``--tp-credentials`` or the environment (``TOKENPROBE_CREDENTIALS`` …)."""
        accounts = load_csv(credentials_file) if credentials_file else from_environment()
        return cls.split(accounts)

    @classmethod
    def split(cls, accounts: Sequence[Credential]) -> LoadAccounts:
        if len(accounts) < 2:
            # One account: it serves both scenarios; wrong passwords may lock it out.
            return cls(tuple(accounts), tuple(accounts))
        decoys = max(1, math.floor(len(accounts) * DECOY_SHARE))
        return cls(tuple(accounts[:-decoys]), tuple(accounts[-decoys:]))

    def for_worker(self, index: int, workers: int) -> LoadAccounts:
        """This worker's disjoint share of the valid accounts (all of them standalone).

        With fewer accounts than workers some shares are empty: sharing would be silent overlap.
        """
        if workers <= 1:
            return self
        return dataclasses.replace(self, valid=self.valid[index::workers])

    def for_user(self, number: int, users: int) -> tuple[Credential, ...]:
        """User ``number`` of ``users`` expected in this process: its own slice when possible."""
        if not self.valid:
            return ()
        if users <= len(self.valid):
            return self.valid[number % users :: users]
        return (self.valid[number % len(self.valid)],)


def cycle(accounts: Sequence[Credential]) -> Iterator[Credential]:
    return itertools.cycle(accounts)
