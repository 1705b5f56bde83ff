"""What the QA paths print holds no password and no whole token.

Schemathesis sanitizes URLs, headers and request bodies by key (``[output.sanitization]`` in
``schemathesis.toml``), but the response body in its failure blocks is printed as it came: a
token response shows both tokens whole. Its console output offers no hook to redact it, so:

* in ``schemathesis run``, tokenprobe's CLI extension (`tokenprobe.conformance.report`) wraps
  the process's stdout and stderr in `RedactingStream`: every write passes the redactor
  (JWT-shaped strings masked, configured passwords replaced) before it reaches the terminal;
* in ``pytest conformance/``, the conftest redacts each test report (`redact_report`: the
  failure text and captured output) before pytest prints it.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from typing import IO, Any

from tokenprobe.core.credentials import Credential
from tokenprobe.core.redact import Redactor

Redact = Callable[[str], str]


class RedactingStream:
    """A text stream that redacts what is written to it, and is otherwise the stream it wraps
    (``isatty``, ``encoding``, ``fileno``… are the wrapped stream's, so terminals are detected
    as before)."""

    def __init__(self, stream: IO[str], redact: Redact) -> None:
        self._stream = stream
        self._redact = redact

    def write(self, text: str) -> int:
        self._stream.write(self._redact(text))
        return len(text)

    def writelines(self, lines: Iterable[str]) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def guard_console(redact: Redact) -> None:
    """Redact everything this process writes to stdout and stderr from now on (once)."""
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if stream is not None and not isinstance(stream, RedactingStream):
            setattr(sys, name, RedactingStream(stream, redact))


def redactor_for(credentials: Iterable[Credential]) -> Redactor:
    redactor = Redactor()
    for credential in credentials:
        redactor.add_password(credential.password)
    return redactor


def redact_report(report: Any, redact: Redact) -> None:
    """A pytest test report, redacted in place: its failure text and its captured sections."""
    if report.longrepr is not None:
        text = str(report.longrepr)
        cleaned = redact(text)
        if cleaned != text:
            report.longrepr = cleaned
    report.sections = [(title, redact(content)) for title, content in report.sections]
