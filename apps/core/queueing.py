"""Queueing Celery tasks from a request or a task: bounded in time, never raising.

Every caller keeps in the database what the task would do (an unrouted lead, a pending
alert email, a queued nurture send) and a beat sweep picks up what was not queued, so a
broker that is down or hangs costs a log line, never a failed or stalled request.
"""

import logging
import time

from kombu.exceptions import KombuError

logger = logging.getLogger(__name__)

# After a failed publish this process skips publishing for a few seconds: while the
# broker hangs each attempt costs a full socket timeout, and the sweeps catch up anyway.
PUBLISH_PAUSE_SECONDS = 5.0
_paused_until = 0.0


def task_queue(task, *args) -> bool:
    """Queue `task` with `args` (ids and ISO strings, never personal data); False when
    the broker could not take it.

    The publish gives up within about a second: short broker socket and connection
    timeouts, no connection or publish retries (settings: CELERY_BROKER_*,
    CELERY_TASK_PUBLISH_RETRY). Call it after commit (`transaction.on_commit`) so the
    worker finds the rows it is given.
    """
    global _paused_until
    if time.monotonic() < _paused_until:
        logger.warning("%s not queued: publishing paused after a broker error", task.name)
        return False
    try:
        task.apply_async(args=list(args), retry=False)
    except (KombuError, OSError) as exc:
        _paused_until = time.monotonic() + PUBLISH_PAUSE_SECONDS
        logger.warning("%s not queued (%s)", task.name, type(exc).__name__)
        return False
    return True
