"""Beat's upkeep of the access log."""

import datetime as dt

from celery import shared_task
from django.utils import timezone

from apps.audit.services import access_log_partition_ensure

MONTHS_AHEAD = 3


@shared_task(name="apps.audit.tasks.access_log_partitions_ensure")
def access_log_partitions_ensure() -> int:
    """Make this month's and the next MONTHS_AHEAD months' partitions; safe to run twice."""
    first = timezone.localdate().replace(day=1)
    for _ in range(MONTHS_AHEAD + 1):
        access_log_partition_ensure(month=first)
        first = (first + dt.timedelta(days=32)).replace(day=1)
    return MONTHS_AHEAD + 1
