"""What a repeat inquiry brings to the open lead, and a caregiver writing twice for the
same patient (issue 15's intake defects)."""

import pytest

from apps.leads.models import Activity, Lead
from apps.people.models import Person
from tests.intake.payloads import minimal_payload

pytestmark = pytest.mark.django_db

NPI = "1234567893"  # a valid check digit


def _caregiver_inquiry(*, patient_first_name="Elena", **caregiver) -> dict:
    body = minimal_payload()
    body["lead_type"] = "caregiver"
    body["person"] = {"first_name": patient_first_name, "last_name": "Ruiz"}
    body["caregiver"] = {"first_name": "Marta", "last_name": "Ruiz", **caregiver}
    return body


def test_a_caregiver_writing_twice_for_the_same_patient_matches_the_open_lead(post_intake):
    first = post_intake(_caregiver_inquiry(phone="(312) 555-0190"))
    second = post_intake(_caregiver_inquiry(phone="312.555.0190"))

    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json()["id"] == first.json()["id"] and second.json()["duplicate"] is True
    assert Lead.objects.count() == 1
    assert Person.objects.filter(first_name="Elena").count() == 1
    assert Lead.objects.get().touch_count == 2


def test_a_caregiver_matches_by_email_in_any_case_too(post_intake):
    first = post_intake(_caregiver_inquiry(email="marta.ruiz@example.com"))
    second = post_intake(_caregiver_inquiry(email="Marta.Ruiz@Example.com"))

    assert second.json()["id"] == first.json()["id"]
    assert Lead.objects.count() == 1


def test_a_caregiver_writing_for_another_patient_opens_another_lead(post_intake):
    post_intake(_caregiver_inquiry(phone="(312) 555-0190"))
    other = post_intake(_caregiver_inquiry(phone="(312) 555-0190", patient_first_name="Jorge"))

    assert other.status_code == 201
    assert Lead.objects.count() == 2


def test_a_caregiver_writing_for_another_service_line_opens_another_lead(post_intake, cardiology):
    post_intake(_caregiver_inquiry(phone="(312) 555-0190"))
    body = _caregiver_inquiry(phone="(312) 555-0190")
    body["service_line"] = "cardiology"

    assert post_intake(body).status_code == 201
    assert Lead.objects.count() == 2


def test_a_repeat_inquiry_attaches_the_referral_source_the_lead_lacks(post_intake):
    first = post_intake(minimal_payload(phone="(312) 555-0142"))
    repeat = minimal_payload(phone="312-555-0142")
    repeat["referral_source"] = {"npi": NPI, "name": "Dr. Ana Torres"}

    response = post_intake(repeat)

    assert response.status_code == 200
    lead = Lead.objects.select_related("referral_source").get(pk=first.json()["id"])
    assert lead.referral_source.npi == NPI
    note = Activity.objects.get(lead=lead, kind="note", details__repeat_inquiry=True)
    assert "Referral source added by a repeat inquiry: Dr. Ana Torres" in note.body


def test_a_repeat_inquiry_keeps_the_referral_source_the_lead_has(post_intake):
    first_body = minimal_payload(phone="(312) 555-0142")
    first_body["referral_source"] = {"npi": NPI, "name": "Dr. Ana Torres"}
    first = post_intake(first_body)
    repeat = minimal_payload(phone="312-555-0142")
    repeat["referral_source"] = {"npi": "1245319599", "name": "Dr. Lee Park"}

    assert post_intake(repeat).status_code == 200

    assert Lead.objects.get(pk=first.json()["id"]).referral_source.npi == NPI


def test_a_repeat_inquiry_raises_the_urgency_and_notes_it(post_intake):
    first = post_intake({**minimal_payload(phone="(312) 555-0142"), "urgency": "routine"})
    repeat = {**minimal_payload(phone="312-555-0142"), "urgency": "soon"}

    post_intake(repeat)

    lead = Lead.objects.get(pk=first.json()["id"])
    assert lead.urgency == "soon"
    note = Activity.objects.get(lead=lead, kind="note", details__repeat_inquiry=True)
    assert note.body == "Urgency raised by a repeat inquiry: Routine → Soon."


def test_a_repeat_inquiry_never_lowers_the_urgency(post_intake):
    first = post_intake({**minimal_payload(phone="(312) 555-0142"), "urgency": "soon"})

    post_intake({**minimal_payload(phone="312-555-0142"), "urgency": "routine"})

    lead = Lead.objects.get(pk=first.json()["id"])
    assert lead.urgency == "soon"
    assert not Activity.objects.filter(lead=lead, kind="note").exists()
