"""Run directories: never reused, never written twice; ``latest`` a relative symlink."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from tokenprobe.core.errors import ConfigError
from tokenprobe.reports.rundir import (
    claim_report_dir,
    new_run_dir,
    resolve_run_dir,
    update_latest,
)

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
    assert update_latest(first) is None  # no problem to report
    assert os.readlink(root / "latest") == first.name  # relative: the tree can be moved
    update_latest(second)
    assert os.readlink(root / "latest") == second.name
    assert not list(root.glob(".latest.*"))  # the temporary link was renamed, not left behind
    # Moving the whole tree keeps the pointer working.
    moved = tmp_path / "archive"
    root.rename(moved)
    assert (moved / "latest").resolve() == (moved / second.name).resolve()


def test_a_real_folder_named_latest_is_left_alone_and_named(tmp_path: Path) -> None:
    root = tmp_path / "reports"
    run = new_run_dir(root, now=NOW)
    (run / "summary.json").write_text("{}")
    (root / "latest").mkdir()  # someone's folder: rename(2) would refuse to replace it anyway
    (root / "latest" / "notes.txt").write_text("mine")
    problem = update_latest(run)
    latest = root / "latest"
    assert problem == f"{latest} is a real folder, not a link: left alone; this run is {run}"
    assert (root / "latest" / "notes.txt").read_text() == "mine"
    assert not (root / "latest.txt").exists()  # no second pointer contradicting the folder


def test_latest_txt_only_where_symlinks_cannot_be_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_symlinks(*args: object, **kwargs: object) -> None:
        raise OSError("symbolic links are not supported here")

    root = tmp_path / "reports"
    run = new_run_dir(root, now=NOW)
    (run / "summary.json").write_text("{}")
    monkeypatch.setattr(os, "symlink", no_symlinks)  # the OS, not the system under test
    assert update_latest(run) is None
    assert (root / "latest.txt").read_text() == f"{run.name}\n"
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


@pytest.mark.parametrize(
    ("make", "given", "problem"),
    [
        # `--report-dir reports/latest`: through the link into the newest run
        (lambda root, run: None, "latest", "is a link (to 20261128T093005Z)"),
        # a run folder given again
        (lambda root, run: None, "20261128T093005Z", "already holds a run"),
        # a new folder inside a run, reached through the link
        (lambda root, run: None, "latest/load", "is inside the run"),
        # a link elsewhere, even to an empty folder
        (lambda root, run: (root / "elsewhere").symlink_to(root.parent), "elsewhere", "is a link"),
    ],
)
def test_report_dir_that_would_write_into_a_run_is_refused(
    tmp_path: Path, make: Callable[[Path, Path], object], given: str, problem: str
) -> None:
    root = tmp_path / "reports"
    run = new_run_dir(root, now=NOW)
    (run / "summary.json").write_text("{}")
    update_latest(run)
    make(root, run)
    with pytest.raises(ConfigError) as refused:
        claim_report_dir(root / given)
    assert problem in str(refused.value)
    assert sorted(p.name for p in run.iterdir()) == ["summary.json"]  # untouched


def test_report_dir_new_or_without_a_run_is_used(tmp_path: Path) -> None:
    assert claim_report_dir(tmp_path / "a" / "b") == tmp_path / "a" / "b"
    assert (tmp_path / "a" / "b").is_dir()
    (tmp_path / "notes.txt").write_text("not a run")
    assert claim_report_dir(tmp_path) == tmp_path  # other files are no run
