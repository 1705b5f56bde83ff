"""The credentials pool: whose accounts may receive wrong passwords, and how many.

A login endpoint that locks accounts (the reference target: 20 failures in 5 minutes) would
turn a careless probe run into a denial of service against its own pool, and a locked account
answers 429 to everything, which would silently hide what a probe wanted to see. So every
wrong-password attempt is drawn from a per-account budget, spread round-robin over the pool,
and each account proves it can log in before it is used. The brute-force canary is never in
the pool.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from tokenprobe.core.credentials import Credential
from tokenprobe.security.client import ProbeClient


class ProbeAccounts:
    """Hands out pool accounts for wrong-password attempts within a per-account budget."""

    def __init__(
        self, client: ProbeClient, credentials: Sequence[Credential], failures_per_account: int
    ) -> None:
        self._client = client
        self._accounts = list(credentials)
        self._failures_per_account = failures_per_account
        self._remaining = {c.username: failures_per_account for c in self._accounts}
        self._verified: set[str] = set()
        self._unusable: set[str] = set()
        # Accounts only some probes can spend on (those whose email logs in): the others
        # spend them last, so their budget is still there when those probes run.
        self._reserved: frozenset[str] = frozenset()
        self._next = 0
        for account in self._accounts:
            client.redactor.add_password(account.password)

    @property
    def size(self) -> int:
        return len(self._accounts)

    @property
    def budget(self) -> int:
        """Wrong-password attempts the pool may take in the whole run."""
        return self._failures_per_account * len(self._accounts)

    @property
    def capacity(self) -> int:
        """Wrong-password attempts still available (unverified accounts counted optimistically)."""
        return sum(n for u, n in self._remaining.items() if u not in self._unusable)

    def capacity_of(self, usernames: Collection[str]) -> int:
        """Wrong-password attempts still available on these accounts."""
        return sum(
            n for u, n in self._remaining.items() if u in usernames and u not in self._unusable
        )

    def reserve(self, usernames: Collection[str]) -> None:
        """Spend these accounts last for probes that may use any account."""
        self._reserved = frozenset(usernames)

    def valid_account(self) -> Credential | None:
        """An account that logs in, for probes that need a 200 (costs no failure)."""
        for account in self._accounts:
            if self._usable(account):
                return account
        return None

    def take_failures(self, count: int, among: Collection[str] | None = None) -> list[Credential]:
        """Up to ``count`` accounts (with repeats), one budgeted wrong password each; only the
        usernames in ``among`` when given (the accounts whose email logs in, say): a wrong
        password sent with the email counts towards the same account's lockout."""
        taken: list[Credential] = []
        while len(taken) < count:
            account = self._next_with_budget(among)
            if account is None:
                break
            self._remaining[account.username] -= 1
            taken.append(account)
        return taken

    def _next_with_budget(self, among: Collection[str] | None = None) -> Credential | None:
        """Round robin over the accounts ``among`` names (all when None: the unreserved ones
        first)."""
        if among is not None:
            return self._round_robin(among)
        unreserved = [a.username for a in self._accounts if a.username not in self._reserved]
        return self._round_robin(unreserved) or self._round_robin(self._reserved)

    def _round_robin(self, among: Collection[str]) -> Credential | None:
        for _ in range(len(self._accounts)):
            account = self._accounts[self._next % len(self._accounts)]
            self._next += 1
            if account.username not in among:
                continue
            if self._remaining[account.username] > 0 and self._usable(account):
                return account
        return None

    def _usable(self, account: Credential) -> bool:
        """Verified once by a real login; on the reference target that also clears old failures."""
        if account.username in self._unusable:
            return False
        if account.username not in self._verified:
            if self._client.login(account.username, account.password).issued_tokens:
                self._verified.add(account.username)
            else:  # wrong credentials, locked (429) or broken: never guess about it
                self._unusable.add(account.username)
                return False
        return True
