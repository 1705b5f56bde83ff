"""Configuration: discovery, precedence, typed result, one-line errors naming the key."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from tokenprobe.core import token_fields
from tokenprobe.core.config import Config, LatencySlo, TargetConfig, load_config, slo_text
from tokenprobe.core.defaults import FUZZ_MAX_EXAMPLES
from tokenprobe.core.errors import ConfigError
from tokenprobe.core.findings import Severity
from tokenprobe.load.slo import parse_slos

REPO_ROOT = Path(__file__).resolve().parents[1]
# The repository root's copy of the commented configuration `tokenprobe init` writes.
EXAMPLE = REPO_ROOT / "tokenprobe.example.toml"
# "# key = value" and "# [table]" lines, with a trailing comment allowed; prose has no " = " after a
# bare or quoted key at the start of the line.
COMMENTED_KEY = re.compile(
    r'^# ((?:\[[^\]]+\](?:[ \t]+#.*)?)|(?:(?:[a-z0-9-]+|"[^"]+") = .+))$', re.MULTILINE
)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_no_file_gives_documented_defaults(tmp_path: Path) -> None:
    config = load_config(environ={}, cwd=tmp_path)
    assert config == Config()
    assert config.policy.access_max_lifetime_s == 7 * 86400
    assert config.slo.latency == {"total": LatencySlo(500.0, 1000.0)}


def uncomment_keys(text: str) -> str:
    """The example with every commented-out key and table header made active."""
    return COMMENTED_KEY.sub(r"\1", text)


def test_example_file_as_written_is_the_defaults(tmp_path: Path) -> None:
    """Every key is commented out: the file `tokenprobe init` writes changes nothing."""
    assert load_config(EXAMPLE, environ={}, cwd=tmp_path) == Config(source=EXAMPLE)


def test_example_file_documents_every_default_and_valid_examples(tmp_path: Path) -> None:
    """Uncommented, each key the example shows is valid: the defaults are tokenprobe's own
    (so the documentation cannot drift from the code), the other keys are examples."""
    path = write(tmp_path / "tokenprobe.toml", uncomment_keys(EXAMPLE.read_text(encoding="utf-8")))
    config = load_config(path, environ={}, cwd=tmp_path)
    # The examples: keys without a default.
    assert config.target == TargetConfig(
        url="https://staging.example.com",
        # Relative paths in the file are anchored at the file.
        credentials=tmp_path / ".tokenprobe/staging.credentials.csv",
    )
    assert config.slo.min_throughput_rps == 20
    assert config.slo.latency == {
        "total": LatencySlo(p95_ms=500, p99_ms=1000),
        "valid_login": LatencySlo(p95_ms=300),
    }
    assert config.severities == {"TP-CONF-005": Severity.WARNING}
    assert config.load.allowed_hosts == ("staging.example.com",)
    # Everything else is exactly the default.
    defaults = Config()
    assert config.policy == defaults.policy
    assert config.slo.error_ratio == defaults.slo.error_ratio
    # The key file and the login fields are examples; the rest of [security] is the defaults.
    assert config.security.verify_key_file == tmp_path / ".tokenprobe/signing.key"
    assert config.security.login_fields == ("email",)
    examples_unset = dataclasses.replace(config.security, verify_key_file=None, login_fields=())
    assert examples_unset == defaults.security
    # max-examples shows what schemathesis.toml uses when it is not set.
    assert config.conformance.max_examples == FUZZ_MAX_EXAMPLES
    assert config.gate == defaults.gate
    assert config.baseline_path == tmp_path / defaults.baseline_path
    assert config.report_root == tmp_path / defaults.report_root


def test_example_file_uncommenting_finds_every_key() -> None:
    """Guards the helper above: it leaves prose alone and activates each table and key."""
    text = '# Prose = not a key.\n# [a]\n# b-1 = 1\n# [a."x y"]  # ex\n# "K" = \'v\'  # ex\n'
    expected = '# Prose = not a key.\n[a]\nb-1 = 1\n[a."x y"]  # ex\n"K" = \'v\'  # ex\n'
    assert uncomment_keys(text) == expected


def test_tokenprobe_toml_in_cwd_is_found(tmp_path: Path) -> None:
    write(tmp_path / "tokenprobe.toml", '[target]\nurl = "http://127.0.0.1:9"\n')
    assert load_config(environ={}, cwd=tmp_path).target.url == "http://127.0.0.1:9"


def test_tokenprobe_toml_wins_over_pyproject(tmp_path: Path) -> None:
    write(tmp_path / "tokenprobe.toml", '[target]\nurl = "http://from-toml"\n')
    write(
        tmp_path / "pyproject.toml", '[tool.tokenprobe.reference]\nurl = "http://from-pyproject"\n'
    )
    assert load_config(environ={}, cwd=tmp_path).target.url == "http://from-toml"


def test_pyproject_tool_table(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[tool.tokenprobe.security]\nbrute-force-attempts = 5\n")
    config = load_config(environ={}, cwd=tmp_path)
    assert config.security.brute_force_attempts == 5
    assert config.source == tmp_path / "pyproject.toml"


def test_pyproject_without_tool_table_means_defaults(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[project]\nname = "x"\n')
    assert load_config(environ={}, cwd=tmp_path) == Config()


def test_precedence_flag_over_env_over_file(tmp_path: Path) -> None:
    write(tmp_path / "tokenprobe.toml", '[target]\nurl = "http://file"\n[reports]\ndir = "out"\n')
    env = {"TOKENPROBE_URL": "http://env", "TOKENPROBE_REPORT_DIR": "env-reports"}
    config = load_config(environ=env, cwd=tmp_path)
    assert config.target.url == "http://env"
    # A path from the environment stays relative to the cwd, not the file.
    assert config.report_root == Path("env-reports")
    config = load_config(environ=env, cwd=tmp_path, flags={"target.url": "http://flag"})
    assert config.target.url == "http://flag"
    # None means "option not given": the environment still applies.
    assert load_config(environ=env, cwd=tmp_path, flags={"target.url": None}).target.url == (
        "http://env"
    )


def test_config_file_from_environment_and_explicit_flag(tmp_path: Path) -> None:
    one = write(tmp_path / "one.toml", "[security]\nbrute-force-attempts = 1\n")
    two = write(tmp_path / "two.toml", "[security]\nbrute-force-attempts = 2\n")
    env = {"TOKENPROBE_CONFIG": str(one)}
    assert load_config(environ=env, cwd=tmp_path).security.brute_force_attempts == 1
    assert load_config(two, environ=env, cwd=tmp_path).security.brute_force_attempts == 2


def test_list_from_environment(tmp_path: Path) -> None:
    env = {"TOKENPROBE_LOAD_ALLOWED_HOSTS": "a.example, b.example,"}
    assert load_config(environ=env, cwd=tmp_path).load.allowed_hosts == ("a.example", "b.example")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A typo in a key names the key and the allowed ones.
        ("[slo]\np95 = 3\n", "unknown key slo.p95 (expected one of: error-ratio, latency,"),
        # An unknown table.
        ("[taget]\nurl = 'http://x'\n", "unknown key taget"),
        # Wrong value type, with the annotation's wording.
        ("[slo]\nerror-ratio = 'low'\n", "slo.error-ratio: expected a ratio between 0 and 1"),
        ("[slo]\nerror-ratio = 2\n", "slo.error-ratio: expected a ratio between 0 and 1, got 2"),
        ("[policy]\naccess-max-lifetime = '7 weeks'\n", "policy.access-max-lifetime: expected a"),
        # 'none' is never an allowed algorithm.
        ("[policy]\nallowed-algorithms = ['none']\n", "policy.allowed-algorithms.0: expected"),
        ("[severities]\nTP-TOKEN-001 = 'fatal'\n", "severities.TP-TOKEN-001: expected one of"),
        ("[severities]\ntoken-001 = 'error'\n", "unknown key severities.token-001 (expected"),
        # An ID no check reports would re-grade nothing: `tokenprobe checks` lists the real ones.
        ("[severities]\nTP-TOKEN-012 = 'error'\n", "unknown key severities.TP-TOKEN-012 (expected"),
        ("[slo.latency.total]\np95 = 3\n", "unknown key slo.latency.total.p95"),
        ("[slo.latency.total]\np95-ms = -1\n", "slo.latency.total.p95-ms: expected milliseconds"),
        # A scenario that does not exist names the ones that do.
        (
            "[slo.latency.valid-login]\np95-ms = 3\n",
            "unknown key slo.latency.valid-login (expected one of: total, valid_login, "
            "wrong_password, unknown_user, malformed_body, login_storm)",
        ),
        # The same scenario by its key and by its display name: which one is meant?
        (
            '[slo.latency.valid_login]\np95-ms = 3\n[slo.latency."valid login"]\np95-ms = 4\n',
            "slo.latency.valid_login is given twice (as 'valid login' too)",
        ),
        ("[target]\nurl = 'ftp://x'\n", "target.url: expected an http(s) base URL"),
        ("[security]\ncanary-username-env = 'a b'\n", "security.canary-username-env: expected"),
        # Only the login fields tokenprobe can probe.
        ("[security]\nlogin-fields = ['phone']\n", "security.login-fields.0: expected email"),
        # Semantic rule beyond the schema.
        ("[policy]\naccess-warn-lifetime = '8d'\n", "policy.access-warn-lifetime (691200 s)"),
        # Not TOML at all.
        ("[slo\n", "invalid TOML"),
    ],
)
def test_bad_config_is_one_line_naming_file_and_key(
    tmp_path: Path, text: str, expected: str
) -> None:
    path = write(tmp_path / "tokenprobe.toml", text)
    with pytest.raises(ConfigError) as excinfo:
        load_config(environ={}, cwd=tmp_path)
    message = str(excinfo.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: ")
    assert expected in message


def test_latency_slos_name_scenarios_by_key_in_the_load_suite_syntax(tmp_path: Path) -> None:
    write(
        tmp_path / "tokenprobe.toml",
        "[slo.latency.total]\np95-ms = 500\n[slo.latency.valid_login]\np95-ms = 300\n"
        # a display name, as configurations written before the keys say, is read as the key
        '[slo.latency."login storm"]\np99-ms = 900\n',
    )
    slo = load_config(environ={}, cwd=tmp_path).slo
    assert slo.latency == {
        "total": LatencySlo(p95_ms=500),
        "valid_login": LatencySlo(p95_ms=300),
        "login_storm": LatencySlo(p99_ms=900),
    }
    text = slo_text(slo)
    assert text == "p95<500, p95[valid_login]<300, p99[login_storm]<900, error_ratio<0.01"
    assert [t.scenario for t in parse_slos(text)] == [None, "valid_login", "login_storm", None]


def test_bad_environment_value_names_the_variable(tmp_path: Path) -> None:
    write(tmp_path / "tokenprobe.toml", '[target]\nurl = "http://fine"\n')
    with pytest.raises(ConfigError, match=r"^TOKENPROBE_URL: target\.url: expected an http"):
        load_config(environ={"TOKENPROBE_URL": "localhost:8000"}, cwd=tmp_path)


def test_bad_flag_value_names_the_option(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"^--url: target\.url: expected an http"):
        load_config(
            environ={},
            cwd=tmp_path,
            flags={"target.url": "nope"},
            flag_names={"target.url": "--url"},
        )


def test_missing_explicit_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "absent.toml", environ={}, cwd=tmp_path)


def test_pyproject_tool_key_not_a_table(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool]\ntokenprobe = "yes"\n')
    with pytest.raises(ConfigError, match=r"\[tool\.tokenprobe\] must be a table"):
        load_config(environ={}, cwd=tmp_path)


@pytest.mark.parametrize(
    ("value", "seconds"), [(300, 300), ("300s", 300), ("1h30m", 5400), ("1d12h", 129600)]
)
def test_lifetimes_take_every_duration_form(tmp_path: Path, value: int | str, seconds: int) -> None:
    shown = repr(value) if isinstance(value, str) else str(value)
    write(tmp_path / "tokenprobe.toml", f"[policy]\nrefresh-warn-lifetime = {shown}\n")
    assert load_config(environ={}, cwd=tmp_path).policy.refresh_warn_lifetime_s == seconds


def test_zero_lifetime_names_the_key(tmp_path: Path) -> None:
    write(tmp_path / "tokenprobe.toml", "[policy]\naccess-warn-lifetime = '0s'\n")
    with pytest.raises(ConfigError, match=r"policy\.access-warn-lifetime: expected a duration"):
        load_config(environ={}, cwd=tmp_path)


def test_flags_as_click_gives_them(tmp_path: Path) -> None:
    flags = {
        "reports.dir": tmp_path / "out",  # click.Path(path_type=Path)
        "load.allowed-hosts": ("a.example", "b.example"),  # multiple=True
        "baseline.path": None,  # not given
    }
    config = load_config(environ={}, cwd=tmp_path, flags=flags)
    assert config.report_root == tmp_path / "out"
    assert config.load.allowed_hosts == ("a.example", "b.example")
    assert config.baseline_path == Path("tokenprobe-baseline.yaml")
    # An empty multiple=True option is "not given", not "no hosts".
    env = {"TOKENPROBE_LOAD_ALLOWED_HOSTS": "c.example"}
    config = load_config(environ=env, cwd=tmp_path, flags={"load.allowed-hosts": ()})
    assert config.load.allowed_hosts == ("c.example",)


def test_token_field_names_from_file_or_environment_reach_child_processes(tmp_path: Path) -> None:
    """`[target] access-field` names the pair's fields; the variable wins over the file, and the
    names are exported for `schemathesis run` and `locust`, which read only their environment."""
    write(tmp_path / "tokenprobe.toml", '[target]\naccess-field = "access_token"\n')
    fields = load_config(environ={}, cwd=tmp_path).target.token_fields
    assert (fields.access, fields.refresh) == ("access_token", "refresh")
    overridden = load_config(environ={"TOKENPROBE_REFRESH_FIELD": "rt"}, cwd=tmp_path)
    assert overridden.target.token_fields.refresh == "rt"
    child: dict[str, str] = {}
    fields.export(child)
    body = {"access_token": "a.b.c", "refresh": "d.e.f", "user": {"id": 1}, "scope": "x.y"}
    assert token_fields.from_environment(child).strings(body) == {
        "access": "a.b.c",
        "refresh": "d.e.f",
    }
