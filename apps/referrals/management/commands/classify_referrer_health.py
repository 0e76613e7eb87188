"""Classify referral sources' health now, as the nightly job does."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from apps.referrals.services import referrer_health_classify


class Command(BaseCommand):
    help = "Classify every referral source as new, active, declining or inactive now."

    def add_arguments(self, parser):
        parser.add_argument(
            "--as-of",
            help="Classify as of this ISO timestamp (default: now), e.g. 2026-01-31T23:00:00Z.",
        )
        parser.add_argument(
            "--source", type=int, action="append", dest="source_ids", help="Only this source id."
        )

    def handle(self, *args, as_of=None, source_ids=None, **options):
        moment = None
        if as_of:
            try:
                moment = dt.datetime.fromisoformat(as_of)
            except ValueError as exc:
                raise CommandError(f"--as-of is not an ISO timestamp: {as_of}") from exc
            if moment.tzinfo is None:
                raise CommandError("--as-of needs a time zone, e.g. 2026-01-31T23:00:00Z.")
        statuses = referrer_health_classify(as_of=moment, source_ids=source_ids)
        total = sum(statuses.values())
        summary = ", ".join(f"{count} {status}" for status, count in sorted(statuses.items()))
        self.stdout.write(f"Classified {total} referral sources: {summary or 'none'}.")
