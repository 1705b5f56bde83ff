"""Names and parsers shared by the Locust side and the tokenprobe side, without importing Locust.

Importing ``locust`` monkey-patches the whole process with gevent; the CLI, the release gate
and the test runner must never do that, so everything they need from the load suite lives in
Locust-free modules like this one.
"""

from __future__ import annotations

from tokenprobe.core import defaults

# Scenario key (weights, SLOs, reports) → display name, the request entry name in Locust's
# statistics.
SCENARIOS = defaults.LOAD_SCENARIOS
_DISPLAY_NAMES = {name: key for key, name in SCENARIOS.items()}


class LoadOptionError(ValueError):
    """A load option has a bad value."""


def unknown_scenario(name: str) -> str:
    """The one-line complaint about a scenario that does not exist, naming those that do."""
    return f"unknown scenario {name!r} (known: {', '.join(SCENARIOS)})"


def scenario_key(name: str) -> str:
    """A scenario's key from its key or its display name (``valid login`` → ``valid_login``)."""
    if name in SCENARIOS:
        return name
    if name in _DISPLAY_NAMES:
        return _DISPLAY_NAMES[name]
    raise LoadOptionError(unknown_scenario(name))


def key_of_entry(entry: str) -> str:
    """The scenario key of a Locust request entry; an entry of no scenario keeps its name
    (a locustfile may add its own tasks to tokenprobe's users)."""
    return _DISPLAY_NAMES.get(entry, entry)


def parse_weights(text: str) -> dict[str, int]:
    """``name=weight,...`` → weights for every scenario (unnamed ones are 0)."""
    weights = {key: 0 for key in SCENARIOS}
    for item in filter(None, (part.strip() for part in text.split(","))):
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep:
            raise LoadOptionError(f"weight {item!r}: expected one of {', '.join(SCENARIOS)}=N")
        if key not in SCENARIOS:
            raise LoadOptionError(f"weight {item!r}: {unknown_scenario(key)}")
        try:
            weights[key] = int(value)
        except ValueError:
            raise LoadOptionError(f"weight {item!r}: {value!r} is not a whole number") from None
        if weights[key] < 0:
            raise LoadOptionError(f"weight {item!r} is negative")
    if not any(weights.values()):
        raise LoadOptionError("every scenario weight is 0: nothing to run")
    return weights


# Scenarios that log in as, or fail logins for, real accounts from the pool.
ACCOUNT_SCENARIOS = ("valid_login", "login_storm", "wrong_password")
NO_CREDENTIALS_HINT = "give TOKENPROBE_CREDENTIALS (a CSV username,password) or --tp-credentials"


def without_accounts(text: str) -> tuple[str, list[str]]:
    """The scenario weights minus the scenarios that need real accounts, and the weighted
    scenarios so switched off (by key); `LoadOptionError` when nothing would be left."""
    weights = parse_weights(text)
    kept = {name: w for name, w in weights.items() if name not in ACCOUNT_SCENARIOS and w}
    if not kept:
        raise LoadOptionError(
            f"every weighted scenario needs credentials, and none were given: {NO_CREDENTIALS_HINT}"
        )
    off = [name for name, w in weights.items() if name in ACCOUNT_SCENARIOS and w]
    return ",".join(f"{name}={weight}" for name, weight in kept.items()), off
