"""Validation of user-written documents (configuration, baseline) against a JSON Schema.

The rule: a bad document gives exactly one line that names the file (or the environment
variable or option the value came from) and the key, e.g.
``tokenprobe.toml: unknown key slo.p95 (expected one of: error-ratio, latency, …)``.
Schemas may carry an ``x-expected`` annotation ("a duration such as 1h") that replaces
jsonschema's generic message for that value.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import jsonschema
from jsonschema.exceptions import ValidationError, best_match

from tokenprobe.core.errors import ConfigError

MAX_SHOWN_VALUE = 60


def validate_document(
    data: Any, schema: Mapping[str, Any], source: str, origins: Mapping[str, str] | None = None
) -> None:
    """Raise `ConfigError` (one line) for the most relevant schema violation in ``data``.

    ``origins`` maps dotted keys to where their value came from (an environment variable or an
    option); a violation under such a key names that origin instead of ``source``.
    """
    errors = list(jsonschema.Draft202012Validator(schema).iter_errors(data))
    # An unknown key first: a misspelt key also shows up as a missing one, and the typo is
    # what the user has to fix.
    unknown = [e for e in errors if e.validator == "additionalProperties"]
    error = best_match(unknown or errors)
    if error is not None:
        raise ConfigError(describe_error(error, source, origins or {}))


def describe_error(error: ValidationError, source: str, origins: Mapping[str, str]) -> str:
    path = [str(part) for part in error.absolute_path]
    if error.validator == "additionalProperties":
        return _unknown_key(error, path, source, origins)
    if error.validator == "required":
        missing = [k for k in error.validator_value if k not in error.instance]
        return f"{source}: missing key {dotted([*path, missing[0]])}"
    where = origin_of(path, source, origins)
    expected = _expected(error)
    shown = _shorten(repr(error.instance))
    if expected:
        return f"{where}: {dotted(path)}: expected {expected}, got {shown}"
    return f"{where}: {dotted(path)}: {_shorten(error.message)}"


def dotted(path: Iterable[str]) -> str:
    return ".".join(path) or "(top level)"


def origin_of(path: list[str], source: str, origins: Mapping[str, str]) -> str:
    """The origin of the longest configured prefix of ``path`` (env var, option), else the file."""
    for length in range(len(path), 0, -1):
        key = ".".join(path[:length])
        if key in origins:
            return origins[key]
    return source


def _unknown_key(
    error: ValidationError, path: list[str], source: str, origins: Mapping[str, str]
) -> str:
    known = set(error.schema.get("properties", {}))
    patterns = error.schema.get("patternProperties", {})
    validator = jsonschema.Draft202012Validator({"anyOf": [{"pattern": p} for p in patterns]})
    unexpected = sorted(
        key
        for key in error.instance
        if key not in known and not (patterns and validator.is_valid(key))
    )
    key = unexpected[0] if unexpected else "?"
    where = origin_of([*path, key], source, origins)
    hint = error.schema.get("x-keys") or ", ".join(sorted(known))
    return f"{where}: unknown key {dotted([*path, key])}" + (
        f" (expected one of: {hint})" if hint else ""
    )


def _expected(error: ValidationError) -> str | None:
    """The closest ``x-expected`` annotation, walking up from anyOf/oneOf branches."""
    current: ValidationError | None = error
    while current is not None:
        if "x-expected" in current.schema:
            return str(current.schema["x-expected"])
        current = current.parent
    return None


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_SHOWN_VALUE else text[: MAX_SHOWN_VALUE - 1] + "…"
