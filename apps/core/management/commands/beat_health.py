"""`manage.py beat_health`: exit 0 while Celery beat is scheduling, 1 when it is not
(docker compose's health check of the beat service).

Beat has no remote control to ping. With the database scheduler it records when each
periodic task last ran (saved every few minutes), and the routing and escalation
sweeps run every few seconds: if none ran lately, beat is stuck or gone.
"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django_celery_beat.models import PeriodicTask


class Command(BaseCommand):
    help = "Fail unless Celery beat has sent a periodic task within --max-age seconds."
    requires_system_checks = []  # a probe every 30 s: connect, read one row, leave

    def add_arguments(self, parser):
        parser.add_argument("--max-age", type=int, default=600, help="Seconds (default 600).")

    def handle(self, *args, **options) -> None:
        latest = (
            PeriodicTask.objects.filter(enabled=True, last_run_at__isnull=False)
            .order_by("-last_run_at")
            .values_list("last_run_at", flat=True)
            .first()
        )
        oldest_allowed = timezone.now() - dt.timedelta(seconds=options["max_age"])
        if latest is None or latest < oldest_allowed:
            raise CommandError(f"Celery beat has sent no periodic task since {latest}.")
        self.stdout.write(f"Celery beat last sent a periodic task at {latest.isoformat()}.")
