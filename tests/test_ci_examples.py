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
    uses = {step.get("uses", "").split("@")[0]: step for step in steps}
    assert uses["actions/upload-artifact"]["with"]["path"] == "reports/latest/"
    assert uses["mikepenz/action-junit-report"]["with"]["report_paths"] == (
        "reports/latest/junit.xml"
    )
    # Reports are published whatever the gate's exit code.
    after_gate = steps[[s.get("name") for s in steps].index("Release gate") + 1 :]
    assert all(step["if"].startswith("always()") for step in after_gate)


def test_github_workflow_compares_with_the_previous_release() -> None:
    workflow = yaml.safe_load(GITHUB.read_text())
    steps = workflow["jobs"]["gate"]["steps"]
    names = [step.get("name") for step in steps]
    fetch = steps[names.index("Previous release's run folder")]
    assert names.index("Previous release's run folder") < names.index("Release gate")
    assert "--branch main --status success" in fetch["run"]
    assert "gh run download" in fetch["run"]
    assert "--name tokenprobe-reports --dir previous-release" in fetch["run"]
    assert fetch["continue-on-error"] is True  # no previous release yet: no comparison
    gate = steps[names.index("Release gate")]["run"]
    assert '--compare previous-release"' in gate
    assert ".venv/bin/tokenprobe gate $options" in gate
    assert workflow["permissions"]["actions"] == "read"


def test_gitlab_job_runs_gate_and_publishes_everything() -> None:
    job = yaml.safe_load(GITLAB.read_text())["tokenprobe-gate"]
    assert ".venv/bin/tokenprobe gate" in "\n".join(job["script"])
    assert job["artifacts"]["when"] == "always"
    assert job["artifacts"]["reports"]["junit"] == "tokenprobe-report/junit.xml"
    note = job["after_script"][1]
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
    # The previous run is this job's own artifact folder, as the artifacts keep it.
    assert job["artifacts"]["paths"] == ["tokenprobe-report/"]
    assert "--compare previous-release/tokenprobe-report" in gate
    assert ".venv/bin/tokenprobe gate $options" in gate
    source = fetch.split("<<'PY'\n", 1)[1].rsplit("\nPY\n", 1)[0]
    compile(source, "script", "exec")
