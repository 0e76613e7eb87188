"""A small nurture scene: a Chicago campus open Mon-Fri 08-17, a bariatrics intake team
with a coordinator, a manager, and helpers to make leads with consent and tracks.

The clock is frozen at T0, a Tuesday at 10:00 in Chicago (inside business hours and
outside quiet hours); tests move it.
"""

import datetime as dt

import pytest
import time_machine

from apps.accounts.choices import Role
from apps.leads.services import lead_stage_change
from apps.nurture import sms
from apps.nurture.choices import EntryTrigger, StepAction, WaitUnit
from apps.nurture.models import NurtureStep, NurtureTrack
from apps.nurture.services import nurture_track_save
from apps.people.models import ConsentPurpose
from apps.pipeline.selectors import stage_get_by_slug
from tests.alerts.test_alert_emails import (  # noqa: F401 - the shared SMTP fixtures
    mail_server_down,
    smtp_server,
)
from tests.factories import (
    BusinessHoursFactory,
    ConsentFactory,
    LeadFactory,
    LocationFactory,
    PersonFactory,
    ServiceLineFactory,
    TeamFactory,
    TeamMembershipFactory,
    UserFactory,
)

T0 = dt.datetime(2025, 6, 10, 15, 0, tzinfo=dt.UTC)  # Tuesday 10:00 in Chicago
CHICAGO = "America/Chicago"
EVERY_CONSENT = [
    (channel, purpose)
    for channel in ("email", "sms", "phone")
    for purpose in (ConsentPurpose.CARE_COORDINATION, ConsentPurpose.MARKETING)
]


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def nurture_settings(settings):
    settings.SITE_URL = "https://crm.hospital.test"
    settings.NURTURE_SMS_BACKEND = "apps.nurture.sms.LocmemSmsBackend"
    settings.NURTURE_QUIET_HOURS = "20:00-08:00"
    settings.NURTURE_WEEKLY_MESSAGE_CAP = 3
    settings.NURTURE_SCHEDULING_URL = "https://hospital.test/book"
    settings.NURTURE_SMS_INBOUND_SECRET = "inbound-secret-for-tests"
    settings.TWILIO_AUTH_TOKEN = ""
    return settings


@pytest.fixture(autouse=True)
def sms_outbox():
    sms.sms_outbox.clear()
    yield sms.sms_outbox
    sms.sms_outbox.clear()


@pytest.fixture
def campus(db):
    location = LocationFactory(
        slug="lakeside", name="Lakeside Campus", time_zone=CHICAGO, phone="(312) 555-0100"
    )
    for weekday in range(5):
        BusinessHoursFactory(
            location=location, weekday=weekday, opens_at="08:00", closes_at="17:00"
        )
    return location


@pytest.fixture
def bariatrics(db):
    return ServiceLineFactory(slug="bariatrics", name="Bariatrics")


@pytest.fixture
def manager(db):
    return UserFactory(username="manager", roles=[Role.MANAGER])


@pytest.fixture
def coordinator(db):
    return UserFactory(
        username="coordinator",
        first_name="Dana",
        last_name="Reyes",
        phone="+13125550199",
        roles=[Role.INTAKE_COORDINATOR],
    )


@pytest.fixture
def team(coordinator):
    team = TeamFactory(slug="bariatrics-intake", team_lead=UserFactory(username="teamlead"))
    TeamMembershipFactory(team=team, user=coordinator)
    return team


@pytest.fixture
def make_lead(clock, campus, bariatrics, coordinator, team):
    """A bariatrics lead at Lakeside owned by the coordinator; `consents` are the
    (channel, purpose) pairs granted (default: email, SMS and phone for care)."""

    def make(*, consents=None, stage="new", person=None, **fields):
        person = person or PersonFactory(first_name="Rosalind", phone="+13125550142")
        granted = (
            consents
            if consents is not None
            else [(c, ConsentPurpose.CARE_COORDINATION) for c in ("email", "sms", "phone")]
        )
        for channel, purpose in granted:
            ConsentFactory(person=person, channel=channel, purpose=purpose)
        values = {
            "person": person,
            "service_line": bariatrics,
            "location": campus,
            "owner": coordinator,
            "team": team,
            "payer": "Acme Health Plan",
            "condition_interest": "gastric sleeve revision",
            "stage": stage_get_by_slug(stage),
            **fields,
        }
        return LeadFactory(**values)

    return make


def step(action=StepAction.EMAIL, *, wait=0, unit=WaitUnit.BUSINESS_DAYS, subject=None, body=None):
    """An unsaved step for `make_track`."""
    if subject is None:
        subject = "A note from {{ location }}" if action == StepAction.EMAIL else ""
    if body is None:
        body = "Hi {{ first_name }}, {{ coordinator_name }} here about {{ service_line }}."
    return NurtureStep(action=action, wait_amount=wait, wait_unit=unit, subject=subject, body=body)


@pytest.fixture
def make_track(clock, manager, bariatrics):
    """A switched-on track (through the service, as managers make them)."""

    def make(
        *,
        steps=None,
        trigger=EntryTrigger.STAGE,
        stage="not-ready",
        purpose=ConsentPurpose.CARE_COORDINATION,
        name=None,
        active=True,
        **fields,
    ):
        track = NurtureTrack(
            name=name or f"Track {NurtureTrack.objects.count() + 1}",
            purpose=purpose,
            service_line=fields.pop("service_line", bariatrics),
            entry_trigger=trigger,
            entry_stage=stage_get_by_slug(stage) if trigger == EntryTrigger.STAGE else None,
            is_active=active,
            **fields,
        )
        return nurture_track_save(track=track, steps=steps or [step()], actor=manager)

    return make


@pytest.fixture
def to_stage(clock, coordinator):
    """Move a lead through the stage service, as a coordinator would."""

    def move(lead, slug, **extra):
        if slug == "not-ready":
            extra.setdefault("recontact_on", (T0 + dt.timedelta(days=30)).date())
        if slug in ("disqualified", "referred-elsewhere"):
            extra.setdefault("lost_reason", "other")
        if slug == "scheduled":
            extra.setdefault("appointment_at", T0 + dt.timedelta(days=7))
        lead_stage_change(lead=lead, to_stage=stage_get_by_slug(slug), actor=coordinator, **extra)
        lead.refresh_from_db()
        return lead

    return move
