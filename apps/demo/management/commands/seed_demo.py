"""`manage.py seed_demo`: a believable demo hospital with synthetic leads.

python manage.py seed_demo                      # 2,000 leads over the last 180 days
python manage.py seed_demo --leads 1000000      # the benchmark data set (COPY, minutes)
python manage.py seed_demo --if-empty           # what `make run` does on every start
python manage.py seed_demo --reset --seed 7     # start over, reproducibly
"""

import datetime as dt
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from apps.demo.seeding import catalog
from apps.demo.seeding.run import demo_seed
from apps.leads.models import Lead


class Command(BaseCommand):
    help = "Fill the database with a demo hospital: staff, teams, referral sources and leads."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2025, help="Same seed, same data.")
        parser.add_argument("--leads", type=int, default=2000, help="How many leads to make.")
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing if any lead exists already."
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Delete all leads, people, activities, consents and referral sources first.",
        )
        parser.add_argument(
            "--now",
            type=dt.datetime.fromisoformat,
            default=None,
            help="Pretend it is this moment (ISO 8601 with offset), for a reproducible data set.",
        )
        parser.add_argument("--no-progress", action="store_true", help="Hide the progress bar.")

    def handle(self, *args, **options):
        if getattr(settings, "PRODUCTION", False):
            # The demo makes an admin with a published password and prints a live
            # intake key: never in a hospital's production database.
            raise CommandError(
                "seed_demo refuses to run in production (LEADCRM_ENV=production). "
                "Create the first admin with `manage.py createsuperuser`."
            )
        leads = options["leads"]
        if leads < 0:
            raise CommandError("--leads must be zero or more.")
        now = options["now"]
        if now is not None and now.tzinfo is None:
            raise CommandError("--now needs a UTC offset, e.g. 2025-06-01T12:00:00+00:00.")
        if options["if_empty"] and Lead.objects.exists():
            self.stdout.write("Leads exist already; seed_demo --if-empty left everything as is.")
            self._print_logins()
            return

        started = time.monotonic()
        result = demo_seed(
            seed=options["seed"],
            leads=leads,
            reset=options["reset"],
            now=now,
            progress=not options["no_progress"],
            on_step=lambda step: self.stdout.write(
                f"  [{time.monotonic() - started:6.1f} s] {step}"
            ),
        )
        counts = ", ".join(f"{count:,} {table}" for table, count in sorted(result.rows.items()))
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {result.leads:,} leads in {result.seconds:.1f} s"
                + (f" ({counts})" if counts else "")
            )
        )
        self._print_logins()
        self.stdout.write(
            f'\nIntake key "{result.intake_key_name}" for the demo web form (shown once, only '
            "its hash is stored):\n"
            f"    export LEADCRM_INTAKE_KEY='{result.intake_key}'\n"
            "    curl -X POST http://127.0.0.1:8000/api/v1/intake/ \\\n"
            '      -H "Authorization: Api-Key $LEADCRM_INTAKE_KEY" \\\n'
            '      -H "Content-Type: application/json" \\\n'
            '      -d \'{"lead_type": "patient", "channel": "web_form", '
            '"service_line": "orthopedics", '
            '"person": {"first_name": "Ada", "phone": "(312) 555-0142"}}\''
        )

    def _print_logins(self) -> None:
        self.stdout.write(f"\nDemo logins (password for all: {catalog.DEMO_PASSWORD}):")
        for spec in catalog.STAFF:
            notes = []
            if not spec.is_on_shift:
                notes.append("off shift")
            if spec.on_leave:
                notes.append("on leave")
            if "es" in spec.languages:
                notes.append("speaks Spanish")
            suffix = f"  ({', '.join(notes)})" if notes else ""
            self.stdout.write(
                f"  {spec.username:<12} {spec.role:<19} {spec.first_name} {spec.last_name}{suffix}"
            )
