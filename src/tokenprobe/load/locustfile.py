"""tokenprobe's Locust suite for ``POST /api/v1/token/``.

Plain Locust runs it (defaults in ``locust.conf`` at the repository root)::

    locust -f loadtests/locustfile.py --host http://127.0.0.1:8000            # web UI
    locust -f loadtests/locustfile.py --host URL --headless --tp-rate 50 -t 30s
    locust -f loadtests/locustfile.py --host URL --headless --processes 4
    locust -f loadtests/locustfile.py --host URL --master --expect-workers 2   # + --worker ...

Options are tokenprobe's ``--tp-*`` (``locust --help``, group "tokenprobe"). What runs is set
by the profile (`tokenprobe.load.shape.ProfileShape`): open-model arrival streams (`OpenUser`) or
closed-model users (`ClosedUser`). Exact latencies, the SLO gate and the safety checks are
Locust event listeners (`tokenprobe.load.listeners`).
"""

from locust import events

from tokenprobe.load.listeners import install
from tokenprobe.load.shape import ProfileShape
from tokenprobe.load.users import ClosedUser, OpenUser

install(events)

__all__ = ["ClosedUser", "OpenUser", "ProfileShape"]

if __name__ == "__main__":
    from locust import run_single_user

    run_single_user(ClosedUser)
