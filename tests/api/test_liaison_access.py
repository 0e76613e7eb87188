"""Issue 14, holes 1 and 2: a liaison reads the leads of their referral sources
de-identified, and nothing else: no people, no timeline, no change to a lead."""

import pytest
from django.urls import reverse

from apps.leads.models import Activity, Lead
from apps.nurture.models import NurtureEnrollment, NurtureTrack
from tests.factories import ActivityFactory, LeadFactory, PersonFactory, ReferralSourceFactory

pytestmark = pytest.mark.django_db

# What names or describes the patient: none of it reaches a liaison.
IDENTIFYING = {
    "person",
    "caregiver",
    "message",
    "condition_interest",
    "qualification_answers",
    "payer",
    "lost_reason_note",
    "attribution",
}
REFERRAL_FIELDS = {
    "id",
    "lead_type",
    "channel",
    "service_line",
    "stage",
    "stage_entered_at",
    "referral_source_id",
    "referral_source_at_appointment_id",
    "created_at",
    "first_response_at",
    "scheduled_at",
    "appointment_at",
    "days_to_appointment",
    "converted_at",
    "closed_at",
    "lost_reason",
    "referral_feedback_sent_at",
}


@pytest.fixture
def referred(liaison, team):
    person = PersonFactory(
        first_name="Marisol", last_name="Quintero", email="mq@example.com", phone="+13125550123"
    )
    lead = LeadFactory(
        person=person,
        team=team,
        referral_source=ReferralSourceFactory(owning_liaison=liaison),
        message="Chest pain when climbing stairs.",
        condition_interest="angina",
    )
    ActivityFactory(lead=lead, kind="note", body="Spoke with her daughter.")
    return lead


def test_liaison_reads_their_referred_leads_de_identified(client_for, liaison, referred):
    client = client_for(liaison)

    listed = client.get("/api/v1/leads/")
    detail = client.get(f"/api/v1/leads/{referred.pk}/")

    assert listed.status_code == detail.status_code == 200
    (row,) = listed.json()["results"]
    for shape in (row, detail.json()):
        assert set(shape) == REFERRAL_FIELDS
        assert not IDENTIFYING & set(shape)
    text = listed.content.decode() + detail.content.decode()
    for secret in ("Marisol", "Quintero", "mq@example.com", "5550123", "Chest pain", "angina"):
        assert secret not in text


def test_liaison_gets_404_for_a_lead_of_another_source(client_for, liaison, team):
    lead = LeadFactory(team=team, referral_source=ReferralSourceFactory())
    assert client_for(liaison).get(f"/api/v1/leads/{lead.pk}/").status_code == 404


@pytest.mark.parametrize(
    "url",
    ["/api/v1/people/", "/api/v1/people/{person}/", "/api/v1/leads/{lead}/activities/"],
)
def test_liaison_has_no_access_to_people_or_the_timeline(client_for, liaison, referred, url):
    response = client_for(liaison).get(url.format(person=referred.person_id, lead=referred.pk))
    assert response.status_code == 403
    assert "Marisol" not in response.content.decode()


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("patch", "/api/v1/leads/{lead}/", {"urgency": "urgent"}),
        ("post", "/api/v1/leads/{lead}/stage/", {"stage": "contacted"}),
        ("post", "/api/v1/leads/{lead}/assign/", {"owner": None}),
        ("post", "/api/v1/leads/{lead}/activities/", {"kind": "call", "direction": "outbound"}),
    ],
)
def test_liaison_cannot_change_a_lead_through_the_api(
    client_for, liaison, referred, method, url, body
):
    response = getattr(client_for(liaison), method)(
        url.format(lead=referred.pk), body, format="json"
    )

    assert response.status_code == 403
    lead = Lead.objects.get(pk=referred.pk)
    assert (lead.urgency, lead.stage.slug, lead.first_response_at) == ("routine", "new", None)
    assert Activity.objects.filter(lead=referred).count() == 1


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("queue:lead_call", {"call-direction": "outbound", "call-outcome": "reached"}),
        ("queue:lead_stage", {"stage-stage": "contacted"}),
        ("queue:lead_note", {"note-body": "hello"}),
        ("nurture:lead_enroll", {"track": "1"}),
    ],
)
def test_liaison_cannot_change_a_lead_through_the_pages(client, liaison, referred, name, data):
    track = NurtureTrack.objects.create(name="Back to care", entry_trigger="manual")
    client.force_login(liaison)
    data = {**data, "track": str(track.pk)} if "track" in data else data

    response = client.post(reverse(name, args=[referred.pk]), data)

    assert response.status_code == 404
    assert Activity.objects.filter(lead=referred).count() == 1
    assert not NurtureEnrollment.objects.exists()
    assert client.get(reverse("nurture:lead", args=[referred.pk])).status_code == 404
