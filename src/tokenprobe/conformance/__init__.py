"""Conformance suite: Schemathesis hooks and token-aware checks, and the security probes."""
