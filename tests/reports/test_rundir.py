"""Run directories: never reused; ``latest`` a relative symlink, else latest.txt."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from tokenprobe.reports.rundir import new_run_dir, resolve_run_dir, update_latest

NOW = dt.datetime(2026, 11, 28, 9, 30, 5, tzinfo=dt.UTC)


def test_run_dir_is_named_by_utc_timestamp(tmp_path: Path) -> None:
    local = NOW.astimezone(dt.timezone(dt.timedelta(hours=5)))  # same instant, other zone
    assert new_run_dir(tmp_path / "reports", now=local) == tmp_path / "reports/20261128T093005Z"


def test_same_second_never_reuses_a_directory(tmp_path: Path) -> None:
    root = tmp_path / "reports"
    first = new_run_dir(root, now=NOW)
    (first / "summary.json").write_text("{}")
    second = new_run_dir(root, now=NOW)
    third = new_run_dir(root, now=NOW)
    assert [first.name, second.name, third.name] == [
        "20261128T093005Z",
        "20261128T093005Z-2",
        "20261128T093005Z-3",
    ]
    assert (first / "summary.json").read_text() == "{}"  # the earlier run is untouched


def test_latest_is_a_relative_symlink_moved_to_the_newest_run(tmp_path: Path) -> None:
    root = tmp_path / "reports"
    first, second = new_run_dir(root, now=NOW), new_run_dir(root, now=NOW)
    assert update_latest(first) == root / "latest"
    assert os.readlink(root / "latest") == first.name  # relative: the tree can be moved
    update_latest(second)
    assert os.readlink(root / "latest") == second.name
    assert not list(root.glob(".latest.*"))  # the temporary link was renamed, not left behind
    # Moving the whole tree keeps the pointer working.
    moved = tmp_path / "archive"
    root.rename(moved)
    assert (moved / "latest").resolve() == (moved / second.name).resolve()


def test_fallback_text_file_when_a_symlink_cannot_replace_latest(tmp_path: Path) -> None:
    root = tmp_path / "reports"
    run = new_run_dir(root, now=NOW)
    (run / "summary.json").write_text("{}")
    (root / "latest").mkdir()  # a real directory in the way: rename(2) refuses to replace it
    pointer = update_latest(run)
    assert pointer == root / "latest.txt"
    assert pointer.read_text() == f"{run.name}\n"
    assert resolve_run_dir(root / "latest") == run
    assert resolve_run_dir(root) == run


def test_symlink_success_removes_a_stale_fallback(tmp_path: Path) -> None:
    root = tmp_path / "reports"
    run = new_run_dir(root, now=NOW)
    (root / "latest.txt").write_text("old-run\n")
    update_latest(run)
    assert not (root / "latest.txt").exists()


def test_resolve_run_dir(tmp_path: Path) -> None:
    root = tmp_path / "reports"
    run = new_run_dir(root, now=NOW)
    (run / "summary.json").write_text("{}")
    update_latest(run)
    assert resolve_run_dir(run) == run
    assert resolve_run_dir(root / "latest") == root / "latest"
    assert resolve_run_dir(root) == root / "latest"
