"""The documentation against the code.

README.md, docs/*.md and bench/README.md may cite only check IDs that ``tokenprobe checks``
lists and only report files that the code writes (names taken from the code's constants);
their relative links resolve; docs/checks.md's table is ``tokenprobe checks --json``, rendered,
and the settings tables of docs/gate.md, docs/regression.md and docs/load.md are the settings'
declarations (`tokenprobe.core.settings`), rendered.

After a change to the catalogue or to a setting, regenerate those tables with
``.venv/bin/python -m tests.test_docs``.
"""

from __future__ import annotations

import fnmatch
import json
import re
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path, PurePosixPath
from typing import Any

import pytest

from tokenprobe.conformance.runner import CASSETTE_FILE, SCHEMATHESIS_JUNIT_FILE
from tokenprobe.core import settings
from tokenprobe.load.evidence import HISTOGRAMS_FILE
from tokenprobe.load.plots import HISTOGRAM_PLOT, LATENCY_PLOT, THROUGHPUT_PLOT
from tokenprobe.load.runner import (
    LOCUST_CSV_FILES,
    LOCUST_HTML_FILE,
    LOCUST_JSON_FILE,
    LOCUST_LOG_FILE,
)
from tokenprobe.load.stats_csv import STATS_CSV
from tokenprobe.reference.server import DEFAULT_CREDENTIALS_OUT, inactive_credentials_path
from tokenprobe.reports.history import INDEX_FILE
from tokenprobe.reports.html import HTML_FILE
from tokenprobe.reports.junit import JUNIT_FILE
from tokenprobe.reports.markdown import MARKDOWN_FILE
from tokenprobe.reports.rundir import LATEST_TEXT
from tokenprobe.reports.summary_json import SUMMARY_FILE

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
DOCS = REPO / "docs"
CHECKS_PAGE = DOCS / "checks.md"
PAGES = (README, *sorted(DOCS.glob("*.md")), REPO / "bench" / "README.md")

# Every file name the code writes into a report directory (or, for the reference target's
# accounts, next to it). Glob patterns stand for a family of files one tool writes.
WRITTEN_FILES = frozenset(
    {
        SUMMARY_FILE,
        JUNIT_FILE,
        MARKDOWN_FILE,
        HTML_FILE,
        LATEST_TEXT,
        CASSETTE_FILE,
        SCHEMATHESIS_JUNIT_FILE,
        STATS_CSV,
        LATENCY_PLOT,
        THROUGHPUT_PLOT,
        HISTOGRAM_PLOT,
        HISTOGRAMS_FILE,
        INDEX_FILE,
        LOCUST_HTML_FILE,
        LOCUST_LOG_FILE,
        LOCUST_JSON_FILE,
        LOCUST_CSV_FILES,
        DEFAULT_CREDENTIALS_OUT.name,
        inactive_credentials_path(DEFAULT_CREDENTIALS_OUT).name,
    }
)
# The README's test command: .ci/run runs it verbatim, so the two must not drift apart.
README_TEST_COMMAND = (
    'python3 -m venv .venv && .venv/bin/pip install -q -c constraints.txt -e ".[dev]"'
    " && .venv/bin/pytest"
)
README_GATE_COMMAND = ".venv/bin/tokenprobe gate"

# Finding IDs: TP-<AREA>-<NNN>, and also a word in place of the number, so that an ID of the
# other shape the code has used (TP-LOAD-UNRELIABLE) is checked rather than overlooked.
ID_PATTERN = re.compile(r"\bTP-[A-Z]+-[0-9A-Z]+\b")
# A file name with a report's extension, with or without a directory in front.
FILE_PATTERN = re.compile(r"[\w./*-]+\.(?:json|xml|md|html|har|csv|png|log|txt)(?![\w-]|\.\w)")
LINK_PATTERN = re.compile(r"\]\(([^()\s#]*)(?:#([^()\s]*))?\)")
FENCE = "```"
# Output folders: a path there proves nothing about the code, whatever a local run left behind.
OUTPUT_DIRS = ("reports/", ".tokenprobe/")

TABLE_BEGIN = "<!-- begin: `tokenprobe checks --json`, rendered by tests/test_docs.py -->"
TABLE_END = "<!-- end: `tokenprobe checks --json` -->"
TABLE_COLUMNS = ("id", "title", "severity", "suite", "standard", "needs")


def run_checks_json() -> list[dict[str, Any]]:
    """The catalogue as a user sees it: ``tokenprobe checks --json``."""
    result = subprocess.run(
        [sys.executable, "-m", "tokenprobe", "checks", "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, f"tokenprobe checks --json failed: {result.stderr.strip()}"
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def catalogue() -> list[dict[str, Any]]:
    return run_checks_json()


def page_name(page: Path) -> str:
    return page.relative_to(REPO).as_posix()


def uncatalogued_ids(text: str, catalogue_ids: frozenset[str]) -> set[str]:
    return set(ID_PATTERN.findall(text)) - catalogue_ids


def is_repository_file(name: str, page_dir: Path) -> bool:
    """A document, script or configuration file of this repository, named by its path."""
    if name.startswith(OUTPUT_DIRS):
        return False
    return (page_dir / name).is_file() or (REPO / name).is_file()


def is_written(name: str) -> bool:
    base = PurePosixPath(name).name
    return base in WRITTEN_FILES or any(fnmatch.fnmatchcase(base, p) for p in WRITTEN_FILES)


def unwritten_files(text: str, page_dir: Path) -> set[str]:
    """Report-like file names in ``text`` that the code does not write."""
    return {
        name
        for name in FILE_PATTERN.findall(text)
        if not is_written(name) and not is_repository_file(name, page_dir)
    }


def prose_lines(text: str) -> Iterator[str]:
    """The lines outside fenced code blocks (a ``# comment`` in a shell block is no heading)."""
    fenced = False
    for line in text.splitlines():
        if line.startswith(FENCE):
            fenced = not fenced
        elif not fenced:
            yield line


def anchors(page: Path) -> set[str]:
    """GitHub's anchors of a page's headings: lower case, punctuation dropped, spaces → '-'."""
    return {
        re.sub(r"[^\w\- ]", "", line.lstrip("#").strip().lower()).replace(" ", "-")
        for line in prose_lines(page.read_text("utf-8"))
        if line.startswith("#")
    }


def broken_links(page: Path) -> list[str]:
    broken = []
    for path, anchor in LINK_PATTERN.findall(page.read_text("utf-8")):
        if path.startswith(("http://", "https://", "mailto:")):
            continue
        target = (page.parent / path).resolve() if path else page
        if not target.exists():
            broken.append(path)
        elif anchor and (target.suffix != ".md" or anchor not in anchors(target)):
            broken.append(f"{path}#{anchor}")
    return broken


def cell(value: Any) -> str:
    if isinstance(value, list):  # needs: a list of names, none when the check needs nothing
        value = ", ".join(value) or "—"
    return str(value).replace("|", "\\|")


def catalogue_table(entries: Sequence[Mapping[str, Any]]) -> str:
    """docs/checks.md's table: one row per catalogue entry, in the catalogue's order."""
    lines = [
        "| " + " | ".join(TABLE_COLUMNS) + " |",
        "|" + "---|" * len(TABLE_COLUMNS),
        *("| " + " | ".join(cell(e[c]) for c in TABLE_COLUMNS) + " |" for e in entries),
    ]
    return "\n".join(lines) + "\n"


def split_checks_page(text: str) -> tuple[str, str, str]:
    """(before the table, the table, after it) of docs/checks.md."""
    return split_block(text, TABLE_BEGIN, TABLE_END)


def split_block(text: str, begin: str, end: str) -> tuple[str, str, str]:
    """(before the generated block, the block, after it)."""
    head, rest = text.split(begin + "\n", 1)
    block, tail = rest.split(end, 1)
    return head, block, tail


def settings_markers(name: str) -> tuple[str, str]:
    return (
        f"<!-- begin: settings {name}, rendered by tests/test_docs.py -->",
        f"<!-- end: settings {name} -->",
    )


# Page → (block name, its table from the declarations).
SETTINGS_TABLES: dict[Path, tuple[str, Callable[[], str]]] = {
    DOCS / "gate.md": ("file", lambda: settings.file_table(settings.FILE_SETTINGS)),
    DOCS / "regression.md": (
        "regression",
        lambda: settings.file_table(settings.table_settings("regression")),
    ),
    DOCS / "load.md": ("load", lambda: settings.load_table(settings.LOAD_SETTINGS)),
}


@pytest.mark.parametrize("page", SETTINGS_TABLES, ids=page_name)
def test_settings_tables_are_the_declarations(page: Path) -> None:
    name, render = SETTINGS_TABLES[page]
    _, table, _ = split_block(page.read_text("utf-8"), *settings_markers(name))
    assert table == render(), (
        f"{page_name(page)}'s settings table differs from tokenprobe.core.settings: "
        "regenerate it with `.venv/bin/python -m tests.test_docs`"
    )


@pytest.mark.parametrize("page", PAGES, ids=page_name)
def test_cited_ids_are_in_the_catalogue(page: Path, catalogue: list[dict[str, Any]]) -> None:
    ids = frozenset(entry["id"] for entry in catalogue)
    unknown = uncatalogued_ids(page.read_text("utf-8"), ids)
    assert not unknown, f"{page_name(page)} cites IDs `tokenprobe checks` does not list: {unknown}"


@pytest.mark.parametrize("page", PAGES, ids=page_name)
def test_cited_report_files_are_written_by_the_code(page: Path) -> None:
    unknown = unwritten_files(page.read_text("utf-8"), page.parent)
    assert not unknown, f"{page_name(page)} cites files the code does not write: {unknown}"


@pytest.mark.parametrize("page", PAGES, ids=page_name)
def test_relative_links_resolve(page: Path) -> None:
    assert broken_links(page) == [], page_name(page)


def test_checks_page_is_the_catalogue(catalogue: list[dict[str, Any]]) -> None:
    _, table, _ = split_checks_page(CHECKS_PAGE.read_text("utf-8"))
    assert table == catalogue_table(catalogue), (
        "docs/checks.md differs from `tokenprobe checks --json`: "
        "regenerate it with `.venv/bin/python -m tests.test_docs`"
    )


def test_every_docs_page_is_linked_from_the_readme() -> None:
    linked = {Path(path).name for path, _ in LINK_PATTERN.findall(README.read_text("utf-8"))}
    assert {page.name for page in DOCS.glob("*.md")} <= linked


def test_ci_runs_the_readme_commands() -> None:
    readme = README.read_text("utf-8")
    ci = (REPO / ".ci" / "run").read_text("utf-8")
    for command in (README_TEST_COMMAND, README_GATE_COMMAND):
        assert command in readme
        assert command in ci


def test_readme_stays_short() -> None:
    assert len(README.read_bytes()) <= 12 * 1024


# The detectors themselves: each must flag what the issue found, or the tests above prove nothing.
@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("accepted: TP-TOKEN-012", {"TP-TOKEN-012"}),  # the ID the old README cited
        ("warning TP-LOAD-UNRELIABLE", {"TP-LOAD-UNRELIABLE"}),  # word-shaped IDs are checked too
        ("`--severity TP-SEC-015=error`", set()),  # listed: fine
        ('"TP-…-NNN" = "error"', set()),  # a placeholder, not an ID
    ],
)
def test_id_detector(text: str, flagged: set[str]) -> None:
    assert uncatalogued_ids(text, frozenset({"TP-SEC-015"})) == flagged


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ('"./load/locust.html"', {"./load/locust.html"}),  # the name the old README cited
        ("`conformance-strict/report.json`", {"conformance-strict/report.json"}),
        ("`load/locust_report.html` and `locust_stats.csv`", set()),
        ("`reports/latest.txt`, [docs](docs/gate.md), `constraints.txt`", set()),
        ("the template `src/tokenprobe/reports/templates/report.html.j2`", set()),
    ],
)
def test_file_detector(text: str, flagged: set[str]) -> None:
    assert unwritten_files(text, REPO) == flagged


def test_link_checker_flags_missing_pages_and_anchors(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("# Title\n\n[a](page.md#title) [b](gone.md) [c](#nowhere)\n", "utf-8")
    assert broken_links(page) == ["gone.md", "#nowhere"]


def write_checks_page() -> None:
    """Rewrite docs/checks.md's table from ``tokenprobe checks --json``."""
    head, _, tail = split_checks_page(CHECKS_PAGE.read_text("utf-8"))
    table = catalogue_table(run_checks_json())
    CHECKS_PAGE.write_text(head + TABLE_BEGIN + "\n" + table + TABLE_END + tail, "utf-8")


def write_settings_tables() -> None:
    """Rewrite every settings table from the declarations."""
    for page, (name, render) in SETTINGS_TABLES.items():
        begin, end = settings_markers(name)
        head, _, tail = split_block(page.read_text("utf-8"), begin, end)
        page.write_text(head + begin + "\n" + render() + end + tail, "utf-8")


if __name__ == "__main__":
    write_checks_page()
    write_settings_tables()
