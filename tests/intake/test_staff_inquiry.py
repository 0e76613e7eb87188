"""Staff type in a phone call or a walk-in through the same intake as the API; a person
who already has an open lead for the service line is shown before anything is saved."""

import pytest
from django.urls import reverse

from apps.accounts.choices import Role
from apps.intake.staff import STAFF_CHANNEL_NAME
from apps.leads.models import Activity, Lead
from tests.factories import (
    LeadFactory,
    LocationFactory,
    PersonFactory,
    ServiceLineFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

NEW = reverse("intake:new_inquiry")


@pytest.fixture
def orthopedics(db):
    return ServiceLineFactory(slug="orthopedics", name="Orthopedics")


def inquiry(orthopedics, **overrides):
    return {
        "channel": "phone",
        "first_name": "Rosa",
        "last_name": "Delgado",
        "phone": "(312) 555-0142",
        "email": "",
        "lead_type": "patient",
        "service_line": orthopedics.pk,
        "location": LocationFactory(slug="riverside").pk,
        "urgency": "routine",
        "message": "Knee pain after a fall; asks for a surgeon.",
        "consent_phone": "on",
        **overrides,
    }


def test_a_phone_call_becomes_a_lead_through_the_intake(client, orthopedics):
    manager = UserFactory(roles=[Role.MANAGER], first_name="Mina", last_name="Hale")
    client.force_login(manager)

    response = client.post(NEW, inquiry(orthopedics))

    lead = Lead.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/leads/{lead.pk}/"
    assert (lead.channel, lead.person.last_name, str(lead.person.phone)) == (
        "phone",
        "Delgado",
        "+13125550142",
    )
    assert lead.captured_via == STAFF_CHANNEL_NAME
    assert Activity.objects.filter(
        lead=lead, kind="note", body="Inquiry taken by phone by Mina Hale."
    ).exists()
    assert lead.person.consents.filter(channel="phone", status="granted").exists()


def test_a_person_with_an_open_lead_is_shown_before_saving_then_joins_it(client, orthopedics):
    manager = UserFactory(roles=[Role.MANAGER])
    open_lead = LeadFactory(
        service_line=orthopedics, person=PersonFactory(first_name="Rosa", phone="+13125550142")
    )
    client.force_login(manager)

    shown = client.post(NEW, inquiry(orthopedics, phone="312.555.0142"))

    html = shown.content.decode()
    assert shown.status_code == 200
    assert f"lead #{open_lead.pk}" in html and "already has an open Orthopedics lead" in html
    assert Lead.objects.count() == 1 and open_lead.activities.count() == 0

    saved = client.post(
        NEW, inquiry(orthopedics, phone="312.555.0142", duplicate_seen=str(open_lead.pk))
    )

    assert saved.status_code == 302
    assert Lead.objects.count() == 1
    open_lead.refresh_from_db()
    assert open_lead.touch_count == 2


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"phone": "", "email": ""}, "phone", "Give a phone number or an email"),
        ({"phone": "call the front desk"}, "phone", "Enter a phone number"),
        ({"first_name": ""}, "first_name", "required"),
    ],
)
def test_bad_input_gets_a_field_error_and_saves_nothing(
    client, orthopedics, changes, field, message
):
    client.force_login(UserFactory(roles=[Role.INTAKE_COORDINATOR]))
    response = client.post(NEW, inquiry(orthopedics, **changes))
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not Lead.objects.exists()


def test_a_liaison_cannot_take_inquiries(client):
    client.force_login(UserFactory(roles=[Role.LIAISON]))
    assert client.get(NEW).status_code == 403
