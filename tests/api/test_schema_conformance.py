"""The published OpenAPI schema (/api/schema/) tested against the app by schemathesis.

Integrators generate clients from the schema, so every answer must match it: every
operation of the staff API and the intake gets generated requests, valid and invalid,
with all of schemathesis' checks on (server errors, status codes, content types,
response schemas and headers, valid requests accepted, invalid ones refused, auth
enforced, ...), then a stateful run chains calls (list -> detail -> edit). The FHIR
endpoints publish their own contract (a CapabilityStatement) and an OpenAPI description
of it, /fhir/r4/openapi.json, checked in tests/fhir/test_openapi_conformance.py.

What the schema cannot state is made real by schemathesis hooks, never by loosening a
check: half the generated ids point at the seeded hospital's rows (the rest must answer
404 or a field error), and times that depend on today are today's. Refusals caused by
the data's state answer 409, which the schema documents.

The app runs in-process (WSGI) inside the test's transaction, so the seeded hospital is
rolled back after each test. Bounded in time: few examples per operation, no deadline
(the machine is shared), and no example database kept between runs.
"""

import datetime as dt
import os
import socket
import uuid

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode

from apps.accounts.choices import Role
from apps.intake.services import intake_key_create
from apps.referral_sources.validators import npi_check_digit
from apps.webhooks.models import WebhookDelivery
from apps.webhooks.services import webhook_endpoint_create
from tests.factories import (
    ActivityFactory,
    BusinessHoursFactory,
    ConsentFactory,
    LeadFactory,
    LocationFactory,
    PersonFactory,
    ReferralSourceFactory,
    ServiceLineFactory,
    TeamFactory,
    TeamMembershipFactory,
    UserFactory,
)

EXAMPLES_PER_OPERATION = 12
BODY_REFERENCES = {"referral_source", "owner", "team", "assignee"}
STATEFUL_SCENARIOS = 8
STATEFUL_STEPS = 6

GENERATED = hypothesis_settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    derandomize=os.environ.get("CONFORMANCE_RANDOM")
    != "1",  # the same requests every run: a CI failure reproduces here
    database=None,
    suppress_health_check=list(HealthCheck),
    phases=[Phase.explicit, Phase.generate],
)


class Hospital:
    """A small hospital with something behind every endpoint, and a credential for each
    kind of caller: a coordinator's token (staff API), a manager's (webhooks, which
    only managers use) and an intake key."""

    def __init__(self) -> None:
        team = TeamFactory(name="Orthopedics intake", slug="ortho-intake")
        coordinator = UserFactory(username="coordinator", roles=[Role.INTAKE_COORDINATOR])
        TeamMembershipFactory(team=team, user=coordinator)
        manager = UserFactory(username="manager", roles=[Role.MANAGER])
        liaison = UserFactory(username="liaison", roles=[Role.LIAISON])
        location = LocationFactory(slug="riverside", name="Riverside Hospital")
        for weekday in range(5):
            BusinessHoursFactory(
                location=location, weekday=weekday, opens_at="07:30", closes_at="18:00"
            )
        lines = [
            ServiceLineFactory(slug="orthopedics", name="Orthopedics"),
            ServiceLineFactory(slug="cardiology", name="Cardiology"),
        ]
        source = ReferralSourceFactory(owning_liaison=liaison, territory="North")
        self.lead_ids, self.person_ids = [], []
        for number in range(6):
            # Every other person has no email: the schema must allow it.
            person = PersonFactory(email="" if number % 2 else f"person{number}@example.com")
            ConsentFactory(person=person)
            lead = LeadFactory(
                person=person,
                team=team,
                owner=coordinator if number % 3 else None,
                service_line=lines[number % 2],
                location=location,
                referral_source=source if number % 2 else None,
            )
            self.lead_ids.append(lead.pk)
            self.person_ids.append(person.pk)
            ActivityFactory(lead=lead)
            ActivityFactory(
                lead=lead,
                kind="task",
                assignee=coordinator,
                due_at=lead.created_at,
                body="Call back.",
            )
        endpoint = webhook_endpoint_create(
            owner=manager,
            url="http://127.0.0.1:9/hooks",
            event_types=["lead.created"],
            description="Data warehouse",
        )
        delivery = WebhookDelivery.objects.create(
            endpoint=endpoint,
            event_type="lead.created",
            payload={"type": "lead.created"},
            occurred_at=lead.created_at,
            status="delivered",
        )
        # The ids generated references are pointed at (see real_ids_use).
        self.ids = {
            "lead_id": sorted(self.lead_ids),
            "person_id": sorted(self.person_ids),
            "team_id": [team.pk],
            "source_id": [source.pk],
            "endpoint_id": [endpoint.pk],
            "delivery_id": [delivery.pk],
            "referral_source": [source.pk],
            "owner": [coordinator.pk],
            "team": [team.pk],
            "assignee": [coordinator.pk],
        }
        self.slugs = {"/api/v1/locations/{slug}/": "riverside", "/api/v1/stages/{slug}/": "new"}
        self.tokens = {
            "coordinator": Token.objects.create(user=coordinator).key,
            "manager": Token.objects.create(user=manager).key,
        }
        self.intake_key = intake_key_create(name="website form")[1]

    def real_ids_use(self, operation_path: str, values: dict | None) -> dict | None:
        """Ids in a body (references) become ids of this hospital's rows; in a path,
        half of them do (those of even value), so requests reach real objects and the
        rest must answer 404."""
        if not isinstance(values, dict):
            return values
        for name, generated in list(values.items()):
            real = self.ids.get(name)
            if real and isinstance(generated, int) and not isinstance(generated, bool):
                if name in BODY_REFERENCES or generated % 2 == 0:
                    values[name] = real[generated // 2 % len(real)]
            elif name == "slug" and isinstance(generated, str) and len(generated) % 2 == 0:
                values[name] = self.slugs.get(operation_path, generated)
        return values

    @staticmethod
    def times_of_now(values):
        """Times the schema cannot bound (they depend on today and on the lead) made
        real: an activity happens now, a re-contact date is after today, a person was
        born in the past."""
        if not isinstance(values, dict):
            return values
        now = timezone.now()
        # Only values valid in form are moved, so a request made invalid on purpose
        # (negative mode) stays invalid.
        if _is_iso(values.get("occurred_at"), dt.datetime):
            values["occurred_at"] = now.isoformat()
        if _is_iso(values.get("recontact_on"), dt.date):
            values["recontact_on"] = (timezone.localdate(now) + dt.timedelta(days=7)).isoformat()
        source = values.get("referral_source")
        npi = source.get("npi") if isinstance(source, dict) else None
        if isinstance(npi, str) and len(npi) == 10 and npi.isdigit():
            source["npi"] = npi[:9] + npi_check_digit(npi[:9])  # a real NPI's check digit
        for who in ("person", "caregiver"):  # born in the past, within 130 years
            details = values.get(who)
            if isinstance(details, dict) and _is_iso(details.get("date_of_birth"), dt.date):
                details["date_of_birth"] = "1980-05-17"
        return values

    def caller(self, case, ctx=None) -> str:
        path = case.operation.path
        if path.startswith("/api/v1/intake/"):
            return "intake"
        return "manager" if path.startswith("/api/v1/webhooks/") else "coordinator"

    def authorization_for(self, case) -> str:
        caller = self.caller(case)
        if caller == "intake":
            return f"Api-Key {self.intake_key}"
        return f"Token {self.tokens[caller]}"


def _is_iso(value, kind) -> bool:
    if not isinstance(value, str):
        return False
    try:
        kind.fromisoformat(value)
    except ValueError:
        return False
    if kind is dt.date:
        return len(value) == 10  # YYYY-MM-DD, not a date-time
    return "T" in value and (value[-1] in "Zz" or value[-6:-5] in ("+", "-"))  # RFC 3339


@pytest.fixture
def hospital(db, monkeypatch) -> Hospital:
    # Webhook addresses are resolved when registered; DNS is the outside world, so every
    # generated host name resolves to a documentation address (RFC 5737).
    monkeypatch.setattr(
        socket,
        "getaddrinfo",
        lambda host, port, *args, **kwargs: [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("192.0.2.10", port))
        ],
    )
    return Hospital()


@pytest.fixture
def api_schema(hospital):
    # Requests run on the test's own connection, inside its transaction: keep Django from
    # closing it at the end of each request (its test client does the same).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        loaded = schemathesis.openapi.from_wsgi("/api/schema/?format=json", WSGIHandler())

        # Through schemathesis' auth hook, so its auth checks know what to take away.
        @loaded.auth(cache_by_key=hospital.caller)
        class HospitalAuth:
            def get(self, case, ctx):
                return hospital.authorization_for(case)

            def set(self, case, data, ctx):
                case.headers = {**(case.headers or {}), "Authorization": data}

        @loaded.hook
        def map_path_parameters(ctx, path_parameters):
            return hospital.real_ids_use(ctx.operation.path, path_parameters)

        @loaded.hook
        def map_headers(ctx, headers):
            # A client sends a new key per inquiry (the schema asks for it in words); a
            # generated key used twice with two bodies rightly answers 422.
            key = (headers or {}).get("Idempotency-Key")
            if isinstance(key, str) and key.strip():
                headers["Idempotency-Key"] = str(uuid.uuid4())
            return headers

        @loaded.hook
        def map_body(ctx, body):
            return hospital.times_of_now(hospital.real_ids_use(ctx.operation.path, body))

        yield loaded
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def _failures(schema, mode: GenerationMode) -> list[str]:
    """Every operation's generated requests sent and checked; the failures, described."""
    found = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy(generation_mode=mode))
        @GENERATED
        def run(case):
            case.call_and_validate()

        try:
            run()
        except Unsatisfiable:
            # Nothing to make invalid: an operation without parameters or body.
            assert mode == GenerationMode.NEGATIVE, operation.label
        except (AssertionError, BaseExceptionGroup) as failure:  # schemathesis' failures
            found.append(f"{operation.label} ({mode}):\n{failure}")
    return found


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_every_operation_answers_as_the_schema_says(api_schema, mode):
    failures = _failures(api_schema, mode)

    assert not failures, "\n\n".join(failures)


def test_chained_calls_answer_as_the_schema_says(api_schema):
    api_schema.as_state_machine().run(
        settings=hypothesis_settings(
            GENERATED, max_examples=STATEFUL_SCENARIOS, stateful_step_count=STATEFUL_STEPS
        )
    )
