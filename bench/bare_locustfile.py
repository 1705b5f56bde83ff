"""The baseline for generator cost: a bare FastHttpUser posting the same body, no checks."""

from locust import FastHttpUser, constant, task


class BareUser(FastHttpUser):
    wait_time = constant(0)

    @task
    def post_token(self) -> None:
        self.client.post("/api/v1/token/", json={"username": "bench", "password": "bench-pass"})
