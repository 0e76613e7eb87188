"""Run as a separate process by test_publish.py, with CELERY_BROKER_URL pointing at a
broker that is down or hangs: queue routing for the given lead ids inside transactions,
as intake does, and print how long each commit took. Any exception fails the process."""

import json
import sys
import time

import django

django.setup()

# Import the Redis transport before timing: the first import compiles redis-py (seconds
# where bytecode is not cached), a cost of process start, not of the broker's state.
import kombu.transport.redis  # noqa: E402, F401
from django.db import transaction  # noqa: E402

from apps.routing.services import lead_routing_queue  # noqa: E402


def main(lead_ids: list[int]) -> None:
    seconds = []
    for lead_id in lead_ids:
        started = time.monotonic()
        with transaction.atomic():
            lead_routing_queue(lead_id=lead_id)
        seconds.append(time.monotonic() - started)  # the on-commit publish included
    print(json.dumps({"seconds": seconds}))


if __name__ == "__main__":
    main([int(arg) for arg in sys.argv[1:]])
