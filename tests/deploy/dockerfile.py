"""Just enough Dockerfile and .dockerignore reading to check what the image will contain."""

from __future__ import annotations

import dataclasses
import json
import re
import shlex
from pathlib import Path


@dataclasses.dataclass(frozen=True)
class Instruction:
    keyword: str  # upper case: FROM, COPY, RUN…
    arguments: str  # the rest of the (continued) line

    def exec_form(self) -> list[str]:
        """ENTRYPOINT/CMD arguments in JSON (exec) form; a ValueError for shell form."""
        value = json.loads(self.arguments)
        if not isinstance(value, list):
            raise ValueError(f"{self.keyword} is not in exec form: {self.arguments}")
        return value

    def copy_sources(self) -> list[str]:
        """Sources of a COPY/ADD (without --from, which copies from another stage)."""
        words = [w for w in shlex.split(self.arguments) if not w.startswith("--")]
        return words[:-1]


def parse_dockerfile(path: Path) -> list[Instruction]:
    """Instructions in order, with comments dropped and backslash continuations joined."""
    instructions: list[Instruction] = []
    pending = ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if pending and line.startswith("#"):
            continue  # comment lines inside a continuation are skipped by Docker too
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        full = (pending + line).strip()
        pending = ""
        keyword, _, arguments = full.partition(" ")
        instructions.append(Instruction(keyword.upper(), arguments.strip()))
    return instructions


def _pattern_regex(pattern: str) -> re.Pattern[str]:
    """A .dockerignore pattern (Go filepath.Match plus `**`) as a regex on a relative path."""
    pattern = pattern.strip("/")
    out = ""
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out += "(?:.*/)?"
            i += 3
        elif pattern.startswith("**", i):
            out += ".*"
            i += 2
        elif pattern[i] == "*":
            out += "[^/]*"
            i += 1
        elif pattern[i] == "?":
            out += "[^/]"
            i += 1
        else:
            out += re.escape(pattern[i])
            i += 1
    return re.compile(out + r"\Z")


def read_dockerignore(path: Path) -> list[tuple[bool, re.Pattern[str]]]:
    """(is_exception, regex) per pattern line, in order."""
    rules = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        negated = line.startswith("!")
        rules.append((negated, _pattern_regex(line.lstrip("!"))))
    return rules


def is_ignored(relative_path: str, rules: list[tuple[bool, re.Pattern[str]]]) -> bool:
    """Docker's rule: the last matching pattern wins; a matched directory excludes its content."""
    parts = relative_path.strip("/").split("/")
    prefixes = ["/".join(parts[: n + 1]) for n in range(len(parts))]
    ignored = False
    for negated, regex in rules:
        if any(regex.match(prefix) for prefix in prefixes):
            ignored = not negated
    return ignored
