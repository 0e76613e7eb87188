"""The beat service's health check: healthy while beat has sent a periodic task lately."""

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask

pytestmark = pytest.mark.django_db


def periodic_task(*, last_run_at):
    every = IntervalSchedule.objects.create(every=10, period=IntervalSchedule.SECONDS)
    return PeriodicTask.objects.create(
        name="routing-sweep", task="apps.routing.tasks.routing_sweep", interval=every,
        last_run_at=last_run_at,
    )  # fmt: skip


def test_beat_that_sent_a_task_lately_is_healthy():
    periodic_task(last_run_at=timezone.now() - dt.timedelta(minutes=3))
    call_command("beat_health")


@pytest.mark.parametrize("last_run_at", [None, timezone.now() - dt.timedelta(minutes=11)])
def test_beat_that_sent_nothing_lately_is_unhealthy(last_run_at):
    periodic_task(last_run_at=last_run_at)
    with pytest.raises(CommandError, match="no periodic task since"):
        call_command("beat_health")
