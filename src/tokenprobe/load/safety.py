"""Safety: load goes to loopback, or to a host someone explicitly allowed.

A load test is an attack on whatever it points at. A host that is not loopback is only tested
when it is on the allowlist (``tp-allow-hosts``) or ``--tp-allow-remote`` says so; names other
than ``localhost`` are not resolved to decide (a DNS answer can change between check and use).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from urllib.parse import urlsplit

from tokenprobe.core.session import url_problem

LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain"})


def is_loopback(hostname: str) -> bool:
    if hostname.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(hostname.strip("[]")).is_loopback
    except ValueError:
        return False


def host_problem(host: str | None, allow_hosts: Iterable[str], allow_remote: bool) -> str | None:
    """Why load must not be sent to ``host``; None when it may."""
    if not host:
        return "no target host: pass --host URL"
    parts = urlsplit(host)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return url_problem(host)
    hostname = parts.hostname
    if is_loopback(hostname) or allow_remote:
        return None
    if hostname.lower() in {h.lower() for h in allow_hosts}:
        return None
    return (
        f"refusing to load-test {hostname}: not loopback and not allow-listed "
        "(add it to tp-allow-hosts, or pass --tp-allow-remote)"
    )


def describe_host(host: str) -> str:
    hostname = urlsplit(host).hostname or host
    kind = "loopback" if is_loopback(hostname) else "REMOTE, allowed by configuration"
    return f"{host} ({kind})"
