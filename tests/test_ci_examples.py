"""CI examples: valid against the vendored GitHub/GitLab schemas (offline), and doing the job."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

pytest.importorskip("check_jsonschema")  # dev dependency; its schemas ship inside the wheel

EXAMPLES = Path(__file__).resolve().parents[1] / "ci-examples"
GITHUB = EXAMPLES / "github-actions.yml"
GITLAB = EXAMPLES / "gitlab-ci.yml"
# Any attempt to download a schema would go to a closed port and fail the validation.
OFFLINE = {"HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9", "NO_PROXY": ""}


def validate(path: Path, schema: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **OFFLINE},
        check=False,
    )


@pytest.mark.parametrize(
    ("path", "schema"), [(GITHUB, "vendor.github-workflows"), (GITLAB, "vendor.gitlab-ci")]
)
def test_example_matches_the_platform_schema(path: Path, schema: str) -> None:
    result = validate(path, schema)
    assert result.returncode == 0, result.stdout + result.stderr


def test_validation_can_fail(tmp_path: Path) -> None:
    """The validator really checks: a job without runs-on is rejected."""
    workflow = yaml.safe_load(GITHUB.read_text())
    del workflow["jobs"]["gate"]["runs-on"]
    broken = tmp_path / "broken.yml"
    broken.write_text(yaml.safe_dump(workflow))
    assert validate(broken, "vendor.github-workflows").returncode == 1


def test_github_workflow_runs_gate_and_publishes_everything() -> None:
    text = GITHUB.read_text()
    steps = yaml.safe_load(text)["jobs"]["gate"]["steps"]
    runs = "\n".join(step.get("run", "") for step in steps)
    assert ".venv/bin/tokenprobe gate" in runs
    assert 'reports/latest/summary.md >> "$GITHUB_STEP_SUMMARY"' in runs
    assert "gh pr comment" in runs
    history = ("Keep this run for the next releases", "Upload the previous releases' run folders")
    reports = [step for step in steps if step.get("name") not in history]
    uses = {step.get("uses", "").split("@")[0]: step for step in reports}
    assert uses["actions/upload-artifact"]["with"]["path"] == "reports/latest/"
    assert uses["mikepenz/action-junit-report"]["with"]["report_paths"] == (
        "reports/latest/junit.xml"
    )
    # Reports are published whatever the gate's exit code.
    names = [step.get("name") for step in reports]
    reports = reports[names.index("Release gate") + 1 :]
    assert all(step["if"].startswith("always()") for step in reports)


def test_github_workflow_compares_with_the_previous_release() -> None:
    workflow = yaml.safe_load(GITHUB.read_text())
    steps = workflow["jobs"]["gate"]["steps"]
    names = [step.get("name") for step in steps]
    fetch = steps[names.index("Previous releases' run folders")]
    assert names.index("Previous releases' run folders") < names.index("Release gate")
    assert "--branch main --status success" in fetch["run"]
    assert "gh run download" in fetch["run"]
    assert "--name tokenprobe-history --dir tokenprobe-history" in fetch["run"]
    assert fetch["continue-on-error"] is True  # no previous release yet: no comparison
    gate = steps[names.index("Release gate")]["run"]
    assert ".venv/bin/tokenprobe gate $options" in gate
    assert workflow["permissions"]["actions"] == "read"
    # Only a passing gate on main joins the history, and the history is what is uploaded.
    keep = steps[names.index("Keep this run for the next releases")]
    upload = steps[names.index("Upload the previous releases' run folders")]
    for step in (keep, upload):
        assert step["if"] == "success() && github.ref == 'refs/heads/main'"
    assert upload["with"] == {"name": "tokenprobe-history", "path": "tokenprobe-history/",
                              "retention-days": 90}  # fmt: skip


def test_gitlab_job_runs_gate_and_publishes_everything() -> None:
    job = yaml.safe_load(GITLAB.read_text())["tokenprobe-gate"]
    assert ".venv/bin/tokenprobe gate" in "\n".join(job["script"])
    assert job["artifacts"]["when"] == "always"
    assert job["artifacts"]["reports"]["junit"] == "tokenprobe-report/junit.xml"
    note = next(line for line in job["after_script"] if "merge_requests" in line)
    assert "merge_requests/{}/notes" in note
    # The embedded Python that posts the note is valid.
    source = note.split("<<'PY'\n", 1)[1].rsplit("\nPY\n", 1)[0]
    compile(source, "after_script", "exec")


def test_gitlab_job_compares_with_the_previous_release() -> None:
    job = yaml.safe_load(GITLAB.read_text())["tokenprobe-gate"]
    fetch = next(line for line in job["script"] if "jobs/artifacts" in line)
    gate = next(line for line in job["script"] if "tokenprobe gate" in line)
    assert job["script"].index(fetch) < job["script"].index(gate)
    assert '"JOB-TOKEN": os.environ["CI_JOB_TOKEN"]' in fetch
    assert 'os.environ["CI_DEFAULT_BRANCH"]' in fetch
    # The previous runs are this job's own artifact folder, as the artifacts keep it.
    assert job["artifacts"]["paths"] == ["tokenprobe-report/", "tokenprobe-history/"]
    assert ".venv/bin/tokenprobe gate $options" in gate
    keep = next(line for line in job["after_script"] if "tokenprobe-history" in line)
    assert '"$CI_JOB_STATUS" = "success"' in keep
    assert '"$CI_COMMIT_BRANCH" = "$CI_DEFAULT_BRANCH"' in keep
    source = fetch.split("<<'PY'\n", 1)[1].rsplit("\nPY\n", 1)[0]
    compile(source, "script", "exec")


def github_scripts() -> tuple[str, str]:
    steps = yaml.safe_load(GITHUB.read_text())["jobs"]["gate"]["steps"]
    runs = {step.get("name"): step.get("run", "") for step in steps}
    return runs["Release gate"], runs["Keep this run for the next releases"]


def gitlab_scripts() -> tuple[str, str]:
    job = yaml.safe_load(GITLAB.read_text())["tokenprobe-gate"]
    gate = next(line for line in job["script"] if "tokenprobe gate" in line)
    keep = next(line for line in job["after_script"] if "tokenprobe-history" in line)
    return gate, keep


def record_gate_options(folder: Path) -> None:
    """A stand-in ``.venv/bin/tokenprobe`` that writes the options it was given to gate-options."""
    fake = folder / ".venv" / "bin" / "tokenprobe"
    fake.parent.mkdir(parents=True)
    fake.write_text('#!/bin/sh\necho "$@" > gate-options\n')
    fake.chmod(0o755)


GITLAB_PASSED = {
    "CI_JOB_STATUS": "success",
    "CI_COMMIT_BRANCH": "main",
    "CI_DEFAULT_BRANCH": "main",
}


@pytest.mark.parametrize(
    ("scripts", "env"), [(github_scripts, {}), (gitlab_scripts, GITLAB_PASSED)]
)
def test_the_history_scripts_compare_with_the_newest_and_keep_twenty(
    tmp_path: Path, scripts, env: dict[str, str]
) -> None:
    """The examples' own shell, run by bash: the gate is given the newest stored run, and a
    passing run joins the history, of which the newest 20 stay."""
    gate, keep = scripts()
    history = tmp_path / "tokenprobe-history"
    stamps = [f"20261101T{hour:02d}0000Z" for hour in range(21)]
    for stamp in reversed(stamps):  # created newest first: the order must come from the names
        (history / stamp).mkdir(parents=True)
        (history / stamp / "summary.json").write_text("{}")
    record_gate_options(tmp_path)
    shell = {**os.environ, **env}
    subprocess.run(["bash", "-e", "-c", gate], cwd=tmp_path, env=shell, check=True, timeout=30)
    options = (tmp_path / "gate-options").read_text().split()
    assert options[options.index("--compare") + 1] == f"tokenprobe-history/{stamps[-1]}/"
    run = tmp_path / "reports" / "20261102T000000Z"
    run.mkdir(parents=True)
    (run / "summary.json").write_text('{"status": "pass"}')
    (tmp_path / "reports" / "latest").symlink_to(run.name)
    subprocess.run(["bash", "-e", "-c", keep], cwd=tmp_path, env=shell, check=True, timeout=30)
    kept = sorted(path.name for path in history.iterdir())
    assert kept == [*stamps[2:], run.name]  # the two oldest gone, this run in: 20
    assert (history / run.name / "summary.json").read_text() == '{"status": "pass"}'
    assert not (history / run.name).is_symlink()


def test_with_no_history_the_gate_runs_without_compare(tmp_path: Path) -> None:
    gate, _ = github_scripts()
    record_gate_options(tmp_path)
    subprocess.run(["bash", "-e", "-c", gate], cwd=tmp_path, check=True, timeout=30)
    assert "--compare" not in (tmp_path / "gate-options").read_text()
