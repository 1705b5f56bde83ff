"""Errors: the harness could not do its job.

Two trees, never mixed (see docs/architecture.md, "Findings and errors"):

* **Findings** (`tokenprobe.core.findings`) say the *target* is wrong. They are data, collected
  and reported; a run with error-severity findings exits 1.
* **Errors** (this module) say the *run* could not happen or complete. They are raised,
  caught once at the command boundary, printed as one line, and exit 2::

      TokenprobeError            exit 2
      ├── ConfigError            bad configuration file, option or environment variable
      ├── CredentialsError       unreadable or malformed credentials source
      ├── SpecError              the OpenAPI document cannot be loaded
      ├── TargetError            the target could not be used
      │   ├── TargetUnreachable  nothing answers at the URL
      │   └── TargetStartError   the embedded reference target did not start
      ├── StageError             a stage (conformance, security, load) failed to run
      └── OutOfTime              a run's time budget ran out before it was done (not a
                                 StageError: a probe that reads "no answer" as the target's
                                 defect must never read a spent budget so)

Messages never contain passwords or tokens.
"""

from __future__ import annotations


class TokenprobeError(Exception):
    """Base class: the harness could not run. Exit code 2."""

    exit_code = 2


class ConfigError(TokenprobeError):
    """Bad configuration: a file, an option or an environment variable."""


class CredentialsError(ConfigError):
    """The credentials source is missing, unreadable or malformed."""


class SpecError(ConfigError):
    """The OpenAPI document cannot be loaded."""


class TargetError(TokenprobeError):
    """The target could not be used."""


class TargetUnreachable(TargetError):
    """Nothing answers at the target URL."""


class TargetStartError(TargetError):
    """The embedded reference target did not start."""


class StageError(TokenprobeError):
    """A stage could not run to completion."""


class OutOfTime(TokenprobeError):
    """A run's time budget ran out before it was done."""
