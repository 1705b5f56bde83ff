"""A minimal locustfile for the --otel export test: valid logins against the embedded target.

The load suite's own locustfile (loadtests/locustfile.py) lives on another branch; this one only
needs to produce named requests for Locust's OpenTelemetry listener to record.
"""

from __future__ import annotations

import itertools
import os

from locust import FastHttpUser, constant_throughput, task

from tokenprobe.core.credentials import from_environment

# Set by the test (importing this file there would monkey-patch the test process with gevent).
REQUEST_NAME = os.environ.get("OTEL_TEST_REQUEST_NAME", "token: valid login")
_accounts = itertools.cycle(from_environment())


class TokenUser(FastHttpUser):
    wait_time = constant_throughput(5)

    def on_start(self) -> None:
        self.credential = next(_accounts)  # one account per user

    @task
    def log_in(self) -> None:
        with self.client.post(
            "/api/v1/token/", json=self.credential.as_json(), name=REQUEST_NAME, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"expected 200, got {response.status_code}")
