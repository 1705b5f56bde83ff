"""Run directories: ``reports/<UTC timestamp>/`` per run, never reused, plus ``reports/latest``.

Rules: a run never writes into another run's directory.

* A fresh run directory gets a ``-2``, ``-3``… suffix when its timestamp is taken; ``mkdir`` is
  atomic, so two runs in the same second cannot share one.
* A folder given explicitly (``--report-dir``, `claim_report_dir`) is refused when it is a
  link, already holds a run (``summary.json``) or lies inside one: ``--report-dir
  reports/latest`` would otherwise write through the link into the newest run.
* ``latest`` is a *relative* symlink, swapped in atomically (a reader sees the old run or the
  new one, never a missing link), so the whole ``reports/`` tree can be moved or archived. A
  real folder or file named ``latest`` is left alone, and `update_latest` says so in one line.
  Where the OS cannot make a symlink at all, ``latest.txt`` names the newest run instead.
* A fresh run folder, whichever command made it, ends with
  `tokenprobe.reports.history.publish_run`: ``latest`` points at it and the root's
  ``index.html`` lists it.
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
RUN_MARKER = "summary.json"  # every run writes it: a folder holding one is a run's
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


def claim_report_dir(path: Path) -> Path:
    """Create (if needed) and return ``path`` for a new run's reports; `ConfigError` when it
    is a link, already holds a run, or lies inside one."""
    check_report_dir(path)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"cannot create report folder {path}: {exc.strerror}") from None
    return path


def check_report_dir(path: Path) -> None:
    """`ConfigError` when ``path`` is a link, already holds a run, or lies inside one."""
    if path.is_symlink():
        raise ConfigError(
            f"report folder {path} is a link (to {os.readlink(path)}): a run never writes "
            "through a link into another run; give a new folder, or leave --report-dir out"
        )
    holder = _enclosing_run(path)
    if holder is not None:
        where = "already holds a run" if holder == path.resolve() else f"is inside the run {holder}"
        raise ConfigError(
            f"report folder {path} {where}: runs are never overwritten; give a new folder, "
            "or leave --report-dir out for a fresh one"
        )


def _enclosing_run(path: Path) -> Path | None:
    """The run folder ``path`` is, or lies in (links resolved), if any."""
    resolved = path.resolve()
    for folder in (resolved, *resolved.parents):
        if (folder / RUN_MARKER).is_file():
            return folder
    return None


def update_latest(run_dir: Path) -> str | None:
    """Point ``<parent>/latest`` at ``run_dir``; return None, or one line saying why ``latest``
    was left alone (a real folder or file in its way)."""
    root = run_dir.parent
    link = root / LATEST
    if (link.exists() or link.is_symlink()) and not link.is_symlink():
        return _in_the_way(link, run_dir)
    temporary = root / f".{LATEST}.{uuid.uuid4().hex}.tmp"
    try:
        os.symlink(run_dir.name, temporary, target_is_directory=True)
    except (OSError, NotImplementedError):  # no symlinks here: name the run in a text file
        write_text_atomic(root / LATEST_TEXT, run_dir.name + "\n")
        return None
    try:
        # rename(2) replaces an existing symlink atomically; it refuses a real directory.
        os.replace(temporary, link)
    except OSError:
        temporary.unlink(missing_ok=True)
        return _in_the_way(link, run_dir)
    # A stale fallback from an earlier run would contradict the link.
    (root / LATEST_TEXT).unlink(missing_ok=True)
    return None


def _in_the_way(link: Path, run_dir: Path) -> str:
    kind = "folder" if link.is_dir() else "file"
    return f"{link} is a real {kind}, not a link: left alone; this run is {run_dir}"


def run_folders(root: Path) -> list[Path]:
    """Every run folder of the root: real directories (not ``latest``) with a summary.json."""
    if not root.is_dir():
        return []
    return [
        path
        for path in root.iterdir()
        if path.is_dir()
        and not path.is_symlink()
        and not path.name.startswith(".")
        and (path / RUN_MARKER).is_file()
    ]


def resolve_run_dir(path: Path) -> Path:
    """A run directory given directly, as ``<root>/latest``, or as a root holding a pointer."""
    if (path / RUN_MARKER).is_file():
        return path
    for root in (path.parent, path) if path.name == LATEST else (path,):
        pointer = root / LATEST_TEXT
        if pointer.is_file():
            return root / pointer.read_text(encoding="utf-8").strip()
        if (root / LATEST / RUN_MARKER).is_file():
            return root / LATEST
    return path
