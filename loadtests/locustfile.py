"""What ``locust -f loadtests/locustfile.py`` loads: tokenprobe's Locust suite, installed with it.

The users, the load shape and the event listeners live in `tokenprobe.load.locustfile`; this file
only puts them where Locust looks, and gives headless runs a run folder for their reports
(``reports/<UTC timestamp>/``, or ``--tp-report-dir``). ``tokenprobe init`` writes the same
file anywhere.
"""

from locust import events

from tokenprobe.load.locustfile import ClosedUser, OpenUser, ProfileShape
from tokenprobe.reports.locust_run import install

install(events)

__all__ = ["ClosedUser", "OpenUser", "ProfileShape"]
