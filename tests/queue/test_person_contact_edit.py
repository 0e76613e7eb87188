"""A coordinator corrects a patient's contact details from the lead page; the timeline
records each old and new value; bad input gets a field error and saves nothing."""

import datetime as dt

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from apps.accounts.choices import Role
from apps.leads.models import Activity
from tests.browser import log_in
from tests.factories import (
    LeadFactory,
    PersonFactory,
    TeamFactory,
    TeamMembershipFactory,
    UserFactory,
)


def form_data(person, **changes):
    data = {
        "first_name": person.first_name,
        "last_name": person.last_name,
        "phone": "(312) 555-0142",
        "email": person.email,
        "date_of_birth": "",
        "preferred_language": person.preferred_language,
        "postal_code": "",
        **changes,
    }
    return {f"person-{name}": value for name, value in data.items()}


@pytest.mark.django_db
def test_a_corrected_phone_and_email_are_saved_and_on_the_timeline(
    logged_in, coordinator, team, routed_lead
):
    person = PersonFactory(first_name="Rosa", last_name="Delgado", phone="+13125550142",
                           email="rosa@example.org")  # fmt: skip
    lead = routed_lead(team=team, owner=coordinator, person=person)

    response = logged_in(coordinator).post(
        reverse("queue:lead_person", args=[lead.pk]),
        form_data(person, phone="312.555.0199", email="rosa.d@example.org"),
        HTTP_HX_REQUEST="true",
    )

    person.refresh_from_db()
    assert str(person.phone) == "+13125550199" and person.email == "rosa.d@example.org"
    entry = Activity.objects.get(lead=lead, kind="note")
    assert "Phone: (312) 555-0142 → (312) 555-0199" in entry.body
    assert "Email: rosa@example.org → rosa.d@example.org" in entry.body
    assert entry.author == coordinator
    assert "Contact details saved." in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"phone": "call the front desk"}, "phone", "Enter a phone number"),
        ({"email": "rosa at example"}, "email", "valid email"),
        ({"first_name": ""}, "first_name", "required"),
        ({"date_of_birth": "2999-01-01"}, "date_of_birth", "future"),
    ],
)
def test_bad_contact_details_get_a_field_error_and_nothing_is_saved(
    logged_in, coordinator, team, routed_lead, changes, field, message
):
    person = PersonFactory(first_name="Rosa", phone="+13125550142")
    lead = routed_lead(team=team, owner=coordinator, person=person)

    response = logged_in(coordinator).post(
        reverse("queue:lead_person", args=[lead.pk]),
        form_data(person, **changes),
        HTTP_HX_REQUEST="true",
    )

    html = response.content.decode()
    assert f'id="id_person-{field}-error"' in html and message in html
    person.refresh_from_db()
    assert person.first_name == "Rosa" and str(person.phone) == "+13125550142"
    assert not Activity.objects.filter(lead=lead).exists()


@pytest.mark.django_db
def test_no_edit_of_a_person_outside_my_teams(logged_in, coordinator, other_team, routed_lead):
    lead = routed_lead(team=other_team)
    response = logged_in(coordinator).post(
        reverse("queue:lead_person", args=[lead.pk]), form_data(lead.person, first_name="X")
    )
    assert response.status_code == 404


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_contact_edit_shows_on_the_timeline_in_the_browser(page):
    team = TeamFactory()
    coordinator = UserFactory(username="avery", roles=[Role.INTAKE_COORDINATOR])
    TeamMembershipFactory(team=team, user=coordinator)
    lead = LeadFactory(
        team=team,
        owner=coordinator,
        person=PersonFactory(
            first_name="Rosa",
            last_name="Delgado",
            phone="+13125550142",
            date_of_birth=dt.date(1961, 4, 2),
        ),
    )
    log_in(page, username="avery", password="correct-horse-battery")
    page.goto(f"/leads/{lead.pk}/")

    page.get_by_text("Edit contact details").click()
    page.get_by_label("Phone", exact=True).fill("312-555-0199")
    page.get_by_role("button", name="Save contact details").click()

    expect(page.locator("#lead-notice")).to_contain_text("Contact details saved.")
    expect(page.locator("#lead-timeline")).to_contain_text("Phone: (312) 555-0142 → (312) 555-0199")
    expect(page.locator("#person-heading").locator("..")).to_contain_text("(312) 555-0199")
