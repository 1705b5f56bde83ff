"""Run directories: ``reports/<UTC timestamp>/`` per run, never reused, plus ``reports/latest``.

Rules: a new run never writes into an earlier run's directory (the timestamp gets a ``-2``,
``-3``… suffix on collision; ``mkdir`` is atomic, so two runs in the same second cannot share
one). ``latest`` is a *relative* symlink, swapped in atomically (a reader sees the old run or
the new one, never a missing link), so the whole ``reports/`` tree can be moved or archived.
Where a symlink cannot be made (a filesystem or OS without them, or a real ``latest``
directory in the way) ``latest.txt`` names the newest run instead.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from pathlib import Path

from tokenprobe.core.errors import ConfigError
from tokenprobe.core.files import write_text_atomic
from tokenprobe.core.summary import utc_now

LATEST = "latest"
LATEST_TEXT = "latest.txt"
# Basic ISO 8601 (no colons: valid on every filesystem, sorts chronologically).
TIMESTAMP_FORMAT = "%Y%m%dT%H%M%SZ"
MAX_SUFFIX = 1000


def new_run_dir(root: Path, now: dt.datetime | None = None) -> Path:
    """Create and return a fresh ``<root>/<UTC timestamp>[-N]`` directory."""
    stamp = (now or utc_now()).astimezone(dt.UTC).strftime(TIMESTAMP_FORMAT)
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"cannot create report directory {root}: {exc.strerror}") from None
    for attempt in range(1, MAX_SUFFIX):
        candidate = root / (stamp if attempt == 1 else f"{stamp}-{attempt}")
        try:
            candidate.mkdir()
        except FileExistsError:
            continue
        except OSError as exc:
            raise ConfigError(f"cannot create run directory {candidate}: {exc.strerror}") from None
        return candidate
    raise ConfigError(f"cannot create a new run directory under {root}: too many runs at {stamp}")


def update_latest(run_dir: Path) -> Path:
    """Point ``<parent>/latest`` at ``run_dir``; return the pointer written (link or text)."""
    root = run_dir.parent
    link = root / LATEST
    temporary = root / f".{LATEST}.{uuid.uuid4().hex}.tmp"
    try:
        os.symlink(run_dir.name, temporary, target_is_directory=True)
        # rename(2) replaces an existing symlink atomically; it refuses a real directory.
        os.replace(temporary, link)
    except (OSError, NotImplementedError):
        temporary.unlink(missing_ok=True)
        return write_text_atomic(root / LATEST_TEXT, run_dir.name + "\n")
    # A stale fallback from an earlier run would contradict the link.
    (root / LATEST_TEXT).unlink(missing_ok=True)
    return link


def resolve_run_dir(path: Path) -> Path:
    """A run directory given directly, as ``<root>/latest``, or as a root holding a pointer."""
    if (path / "summary.json").is_file():
        return path
    for root in (path.parent, path) if path.name == LATEST else (path,):
        pointer = root / LATEST_TEXT
        if pointer.is_file():
            return root / pointer.read_text(encoding="utf-8").strip()
        if (root / LATEST / "summary.json").is_file():
            return root / LATEST
    return path
