"""The privacy officer's pages: every access to one patient's records, what one user
viewed, break-the-glass uses to review; each report logged too."""

import csv
import datetime as dt
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
    # The reasons say what a patient needed: the officer's page is in the log too.
    review = AccessLogEntry.objects.get(what="privacy: break-the-glass review")
    assert (review.username, review.lead_ids) == ("po", [lead.pk])

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


def test_a_user_opening_far_more_leads_than_usual_is_worth_a_look(officer_client, time_machine):
    time_machine.move_to(dt.datetime(2026, 6, 15, 16, 0, tzinfo=dt.UTC), tick=False)
    busy = UserFactory(username="busy", roles=[Role.INTAKE_COORDINATOR])
    calm = UserFactory(username="calm", roles=[Role.INTAKE_COORDINATOR])
    now = timezone.now()

    def opened(user, lead_ids, days_ago):
        AccessLogEntry.objects.create(
            accessed_at=now - dt.timedelta(days=days_ago),
            user_id=user.pk,
            username=user.username,
            via="session",
            what="lead page",
            method="GET",
            path="/leads/",
            lead_ids=lead_ids,
        )

    for days_ago in (1, 2, 3):
        opened(busy, [1, 2], days_ago)
        opened(calm, list(range(1, 31)), days_ago)
    opened(busy, list(range(100, 130)), 0)  # 30 leads today, usually 2
    opened(calm, list(range(1, 31)), 0)  # 30 today, as usual

    html = officer_client.get(reverse("privacy:unusual_patterns")).content.decode()

    assert "busy</a>: 30 leads (usually 2)" in html
    assert "calm</a>" not in html
