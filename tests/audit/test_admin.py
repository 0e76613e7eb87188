"""The admin on patient data: view only (changes go through the apps' services, which
keep the rules and the history), and each page recorded in the access log. Set-up
models stay editable for admins."""

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.audit.models import AccessLogEntry
from apps.nurture.models import NurtureEnrollment, NurtureSend, NurtureStep, NurtureTrack
from apps.people.models import Consent, Person
from tests.factories import ConsentFactory, LeadFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def lead(db):
    return LeadFactory()


@pytest.fixture
def patient_rows(lead):
    """One row of each patient-data model, keyed by its admin URL name."""
    consent = ConsentFactory(person=lead.person)
    track = NurtureTrack.objects.create(
        name="Knee follow-up", service_line=lead.service_line, entry_trigger="manual"
    )
    step = NurtureStep.objects.create(
        track=track, position=1, action="email", subject="Hello", body="Hello"
    )
    enrollment = NurtureEnrollment.objects.create(track=track, lead=lead, trigger_key="manual:1")
    send = NurtureSend.objects.create(
        enrollment=enrollment, step=step, person=lead.person, channel="email", due_at=timezone.now()
    )
    return {
        "people_person": lead.person,
        "people_consent": consent,
        "leads_lead": lead,
        "leads_activity": lead.activities.create(kind="note", body="Called back"),
        "nurture_nurtureenrollment": enrollment,
        "nurture_nurturesend": send,
    }


PATIENT_MODELS = [
    "people_person",
    "people_consent",
    "leads_lead",
    "leads_activity",
    "nurture_nurtureenrollment",
    "nurture_nurturesend",
]


@pytest.mark.parametrize("name", PATIENT_MODELS)
def test_patient_data_is_view_only_in_the_admin(admin_client, patient_rows, name):
    row = patient_rows[name]

    listing = admin_client.get(reverse(f"admin:{name}_changelist"))
    page = admin_client.get(reverse(f"admin:{name}_change", args=[row.pk]))
    add = admin_client.get(reverse(f"admin:{name}_add"))
    change = admin_client.post(reverse(f"admin:{name}_change", args=[row.pk]), {})
    delete = admin_client.post(reverse(f"admin:{name}_delete", args=[row.pk]), {"post": "yes"})

    assert (listing.status_code, page.status_code) == (200, 200)
    assert (add.status_code, change.status_code, delete.status_code) == (403, 403, 403)
    assert b'name="_save"' not in page.content
    assert type(row).objects.filter(pk=row.pk).exists()


def test_a_person_cannot_be_renamed_through_the_admin(admin_client, lead):
    person = lead.person
    admin_client.post(
        reverse("admin:people_person_change", args=[person.pk]),
        {"first_name": "Renamed", "last_name": person.last_name},
    )
    person.refresh_from_db()
    assert person.first_name != "Renamed"


def test_consent_cannot_be_recorded_through_the_admin(admin_client, lead):
    admin_client.post(
        reverse("admin:people_consent_add"),
        {"person": lead.person_id, "channel": "sms", "purpose": "marketing", "status": "granted"},
    )
    assert not Consent.objects.exists()


def test_the_admins_person_page_is_in_the_access_log(admin_client, lead):
    admin_client.get(reverse("admin:people_person_change", args=[lead.person_id]))

    entry = AccessLogEntry.objects.get()
    assert (entry.what, entry.person_ids, entry.username) == (
        "admin: person",
        [lead.person_id],
        "root",
    )


def test_an_admin_list_page_records_every_row_it_shows(admin_client):
    leads = [LeadFactory() for _ in range(3)]

    admin_client.get(reverse("admin:leads_lead_changelist"))

    entry = AccessLogEntry.objects.get()
    assert entry.what == "admin: leads"
    assert entry.lead_ids == sorted(lead.pk for lead in leads)
    assert set(entry.person_ids) == {lead.person_id for lead in leads}


def test_the_admins_people_search_records_the_people_found(admin_client):
    found, _other = LeadFactory().person, LeadFactory().person

    admin_client.get(reverse("admin:people_person_changelist"), {"q": found.last_name})

    entry = AccessLogEntry.objects.get()
    assert found.pk in entry.person_ids
    assert Person.objects.filter(pk__in=entry.person_ids, last_name=found.last_name).count() == len(
        entry.person_ids
    )


@pytest.mark.parametrize(
    "name",
    [
        "routing_routingrule",
        "sla_responsepolicy",
        "servicelines_serviceline",
        "facilities_location",
        "teams_team",
    ],
)
def test_set_up_models_stay_editable_for_admins(admin_client, name):
    assert admin_client.get(reverse(f"admin:{name}_add")).status_code == 200
