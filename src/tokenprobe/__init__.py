"""tokenprobe: load and conformance test harness for ``POST /api/v1/token/``."""

from tokenprobe.core.credentials import Credential
from tokenprobe.core.errors import (
    ConfigError,
    CredentialsError,
    SpecError,
    StageError,
    TargetError,
    TargetStartError,
    TargetUnreachable,
    TokenprobeError,
)
from tokenprobe.core.findings import Finding, Severity

__version__ = "0.1.0"

__all__ = [
    "ConfigError",
    "Credential",
    "CredentialsError",
    "Finding",
    "Severity",
    "SpecError",
    "StageError",
    "TargetError",
    "TargetStartError",
    "TargetUnreachable",
    "TokenprobeError",
    "__version__",
]
