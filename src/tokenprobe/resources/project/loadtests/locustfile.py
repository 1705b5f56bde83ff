"""What ``locust -f loadtests/locustfile.py`` loads: tokenprobe's Locust suite, installed with it.

The users, the load shape and the event listeners live in `tokenprobe.load.locustfile`; this file
only puts them where Locust looks. ``tokenprobe init`` writes the same file anywhere.
"""

from tokenprobe.load.locustfile import ClosedUser, OpenUser, ProfileShape

__all__ = ["ClosedUser", "OpenUser", "ProfileShape"]
