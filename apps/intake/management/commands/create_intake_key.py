"""manage.py create_intake_key <name>: a key for one capture channel, shown once."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from apps.core.local_url import local_base_url
from apps.intake.models import IntakeKey
from apps.intake.services import intake_key_create

NAME_MAX_LENGTH = IntakeKey._meta.get_field("name").max_length


class Command(BaseCommand):
    help = (
        "Make an intake API key for one capture channel (web form, chat or call-tracking "
        "vendor). The key is printed once; only its SHA-256 hash is stored."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", help='The capture channel, e.g. "website-ortho-form".')
        parser.add_argument(
            "--base-url",
            default=local_base_url(),
            help="Where LeadCRM answers, for the curl example (default: where make run "
            "listens, from LEADCRM_HOST and LEADCRM_PORT).",
        )

    def handle(self, *args, name: str, base_url: str, **options):
        name = name.strip()
        if not name:
            raise CommandError("Give the key a name: the capture channel it is for.")
        if len(name) > NAME_MAX_LENGTH:
            raise CommandError(f"Keep the name to {NAME_MAX_LENGTH} characters.")
        try:
            intake_key, raw_key = intake_key_create(name=name)
        except ValidationError as exc:
            raise CommandError(
                " ".join(exc.message_dict["name"])
                + " Choose another name, or switch the old key off in the admin."
            ) from exc

        url = base_url.rstrip("/") + "/api/v1/intake/"
        self.stdout.write(self.style.SUCCESS(f'Intake key "{intake_key.name}" made.'))
        self.stdout.write(
            "Copy it now: only its hash is stored, so it is shown this once and cannot be "
            "recovered.\n"
        )
        self.stdout.write(f"    export LEADCRM_INTAKE_KEY='{raw_key}'\n")
        self.stdout.write("Then post a first lead:\n")
        self.stdout.write(
            f"    curl -X POST {url} \\\n"
            '      -H "Authorization: Api-Key $LEADCRM_INTAKE_KEY" \\\n'
            '      -H "Content-Type: application/json" \\\n'
            '      -d \'{"lead_type": "patient", "channel": "web_form", '
            '"service_line": "orthopedics", '
            '"person": {"first_name": "Ada", "phone": "(312) 555-0142"}}\''
        )
