"""The privacy officer's pages: every access to one patient's records, what one user
viewed, break-the-glass uses to review; each report logged too."""

import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.accounts.choices import Role
from apps.audit.models import AccessLogEntry
from apps.privacy.models import EmergencyAccess
from tests.factories import (
    LeadFactory,
    PersonFactory,
    TeamFactory,
    TeamMembershipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def seen(client):
    """A patient whose lead a coordinator opened, and one nobody opened."""
    team = TeamFactory(name="Spine intake", slug="spine-intake")
    coordinator = UserFactory(username="viewer", roles=[Role.INTAKE_COORDINATOR])
    TeamMembershipFactory(team=team, user=coordinator)
    patient = PersonFactory(first_name="Oriana", last_name="Vasquez-Lind", phone="+13125550166")
    lead = LeadFactory(team=team, person=patient)
    LeadFactory(team=team)
    client.force_login(coordinator)
    client.get(reverse("queue:lead", args=[lead.pk]), HTTP_USER_AGENT="Firefox/140")
    return coordinator, patient, lead


@pytest.fixture
def officer_client(client):
    officer = UserFactory(username="po", roles=[Role.PRIVACY_OFFICER])
    client.force_login(officer)
    return client


@pytest.mark.parametrize("query", ["Vasquez-Lind", "(312) 555-0166", "lead"])
def test_every_access_to_one_patients_records_by_name_phone_or_lead_number(
    seen, officer_client, query
):
    _, _, lead = seen
    query = str(lead.pk) if query == "lead" else query

    html = officer_client.post(reverse("privacy:patient_access"), {"q": query}).content.decode()

    assert "1 access to the records of Oriana Vasquez-Lind" in html
    assert "viewer" in html and "lead page" in html and "Firefox/140" in html
    logged = AccessLogEntry.objects.get(what="privacy: patient access report")
    assert logged.username == "po" and lead.pk in logged.lead_ids


def test_the_patient_report_exports_as_csv(seen, officer_client):
    _, _, lead = seen

    response = officer_client.post(
        reverse("privacy:patient_access"), {"q": "Vasquez-Lind", "format": "csv"}
    )

    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(row["user"], row["what"], row["lead_ids"]) for row in rows] == [
        ("viewer", "lead page", str(lead.pk))
    ]


def test_everything_one_user_viewed_in_a_date_range(seen, officer_client):
    coordinator, _, lead = seen
    today = timezone.localdate().isoformat()
    url = reverse("privacy:user_access")

    html = officer_client.get(
        url, {"user": coordinator.pk, "start": today, "end": today}
    ).content.decode()
    empty = officer_client.get(
        url, {"user": coordinator.pk, "start": "2020-01-01", "end": "2020-01-31"}
    ).content.decode()

    assert "1 record of access" in html and f"#{lead.pk}" in html
    assert "0 records of access" in empty


def test_break_the_glass_uses_are_reviewed_with_a_note(seen, officer_client):
    coordinator, _, lead = seen
    now = timezone.now()
    access = EmergencyAccess.objects.create(
        user=coordinator,
        lead=lead,
        reason="wrong_line",
        reason_text="Called the wrong line.",
        granted_at=now,
        expires_at=now,
    )
    listing = officer_client.get(reverse("privacy:emergency_review_list")).content.decode()
    assert f"Lead #{lead.pk} opened by" in listing

    officer_client.post(
        reverse("privacy:emergency_review", args=[access.pk]), {"note": "Confirmed with caller."}
    )

    access.refresh_from_db()
    assert access.reviewed_by.username == "po" and access.review_note == "Confirmed with caller."
    assert (
        "Nothing waiting"
        in officer_client.get(reverse("privacy:emergency_review_list")).content.decode()
    )


def test_other_roles_do_not_get_the_privacy_pages(client):
    client.force_login(UserFactory(username="mgr", roles=[Role.MANAGER]))
    assert client.get(reverse("privacy:patient_access")).status_code == 403
