"""Load suite: Locust users, load shapes, exact latencies and the SLO gate."""
