"""Opening a run's target: the embedded one comes with what tokenprobe knows of it."""

from __future__ import annotations

import pytest

from tokenprobe import security
from tokenprobe.cli.target import open_target
from tokenprobe.core.summary import Summary, verdict
from tokenprobe.core.token_fields import ACCESS_FIELD_ENV, REFRESH_FIELD_ENV
from tokenprobe.security import SecurityOptions

SIGNATURE = "TP-SEC-010"  # tokens verify with the key


def outcome(summary: Summary, check_id: str) -> str:
    (found,) = [c.outcome for c in verdict(summary).checks if c.id == check_id]
    return found


def test_the_embedded_target_hands_its_signing_key_to_the_signature_check(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Without --url nothing is left "not evaluated" for want of a key (TP-SEC-104): tokenprobe
    started the target and knows its key. A key the user gives still wins."""
    for name in (ACCESS_FIELD_ENV, REFRESH_FIELD_ENV):  # open_target exports them: restored
        monkeypatch.setenv(name, "")
    with open_target(None, users=3) as session:
        assert session.embedded
        assert session.verify_key
        assert "verify_key" not in repr(session)
        own_key = security.run(session, SecurityOptions(probes=frozenset({SIGNATURE})))
        given = SecurityOptions(probes=frozenset({SIGNATURE}), verify_key=b"not-the-key")
        wrong_key = security.run(session, given)
    assert outcome(own_key, SIGNATURE) == "passed"
    assert {f.id for f in own_key.findings} == set()
    assert outcome(wrong_key, SIGNATURE) == "failed"
