"""Break-the-glass on the staff API: POST /api/v1/leads/<id>/emergency-access/ grants the
lead page's four hours through the same service, alerts the same people, and the API's
reads of the lead are marked in the access log. Without it, the lead is a 404."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from apps.accounts.choices import Role
from apps.alerts.models import Alert
from apps.audit.models import AccessLogEntry
from apps.privacy.models import EmergencyAccess
from tests.factories import LeadFactory, TeamFactory, TeamMembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

REASON = {"reason": "wrong_line", "reason_text": "Called cardiology by mistake, needs ortho."}


@pytest.fixture
def team_lead(db):
    return UserFactory(username="tl", roles=[Role.MANAGER])


@pytest.fixture
def coordinator(team_lead):
    team = TeamFactory(name="Cardio intake", slug="cardio-intake", team_lead=team_lead)
    user = UserFactory(username="cora", roles=[Role.INTAKE_COORDINATOR])
    TeamMembershipFactory(team=team, user=user)
    return user


@pytest.fixture
def officer(db):
    return UserFactory(username="po", roles=[Role.PRIVACY_OFFICER])


@pytest.fixture
def elsewhere(db):
    return LeadFactory(team=TeamFactory(name="Ortho intake", slug="ortho-intake"))


def api_for(user) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def glass_url(lead) -> str:
    return f"/api/v1/leads/{lead.pk}/emergency-access/"


def test_without_it_another_teams_lead_is_404(coordinator, elsewhere):
    api = api_for(coordinator)
    assert api.get(f"/api/v1/leads/{elsewhere.pk}/").status_code == 404
    assert api.get(f"/api/v1/leads/{elsewhere.pk}/activities/").status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "reason"),
        ({"reason": "curiosity", "reason_text": "x"}, "reason"),
        ({"reason": "wrong_line", "reason_text": "   "}, "reason_text"),
    ],
)
def test_a_missing_or_unknown_reason_is_a_field_error_and_opens_nothing(
    coordinator, elsewhere, body, field
):
    api = api_for(coordinator)

    refused = api.post(glass_url(elsewhere), body, format="json")

    assert refused.status_code == 400
    assert field in refused.json()
    assert api.get(f"/api/v1/leads/{elsewhere.pk}/").status_code == 404
    assert not EmergencyAccess.objects.exists()


def test_a_reason_opens_the_lead_alerts_and_marks_each_api_read(
    coordinator, officer, team_lead, elsewhere
):
    api = api_for(coordinator)

    granted = api.post(glass_url(elsewhere), REASON, format="json")
    detail = api.get(f"/api/v1/leads/{elsewhere.pk}/")
    timeline = api.get(f"/api/v1/leads/{elsewhere.pk}/activities/")

    assert granted.status_code == 201
    body = granted.json()
    assert (body["lead"], body["reason"]) == (elsewhere.pk, "wrong_line")
    expires = dt.datetime.fromisoformat(body["expires_at"].replace("Z", "+00:00"))
    assert dt.timedelta(hours=3, minutes=59) < expires - timezone.now() <= dt.timedelta(hours=4)
    assert (detail.status_code, timeline.status_code) == (200, 200)
    assert detail.json()["person"]["last_name"] == elsewhere.person.last_name
    told = set(
        Alert.objects.filter(lead=elsewhere, level="emergency_access").values_list(
            "recipient__username", flat=True
        )
    )
    assert told == {"po", "tl"}
    entries = list(AccessLogEntry.objects.order_by("id"))
    assert [entry.what for entry in entries] == ["lead", "timeline"]
    for entry in entries:
        assert entry.break_glass and entry.via == "token"
        assert entry.lead_ids == [elsewhere.pk]
        assert "Called cardiology by mistake" in entry.reason


def test_the_grant_lets_the_coordinator_log_the_call_the_patient_waits_for(coordinator, elsewhere):
    api = api_for(coordinator)
    api.post(glass_url(elsewhere), REASON, format="json")

    logged = api.post(
        f"/api/v1/leads/{elsewhere.pk}/activities/",
        {"kind": "note", "body": "Transferred to ortho intake."},
        format="json",
    )

    assert logged.status_code == 201


def test_the_api_grant_is_the_same_as_the_pages(client, coordinator, elsewhere):
    api_for(coordinator).post(glass_url(elsewhere), REASON, format="json")
    client.force_login(coordinator)

    page = client.get(f"/leads/{elsewhere.pk}/")

    assert page.status_code == 200
    assert AccessLogEntry.objects.get(what="lead page").break_glass


def test_access_ends_after_four_hours(coordinator, elsewhere, time_machine):
    api = api_for(coordinator)
    api.post(glass_url(elsewhere), REASON, format="json")
    assert api.get(f"/api/v1/leads/{elsewhere.pk}/").status_code == 200

    time_machine.move_to(timezone.now() + dt.timedelta(hours=4, minutes=1))

    assert api.get(f"/api/v1/leads/{elsewhere.pk}/").status_code == 404


def test_liaisons_and_the_privacy_officer_cannot_break_the_glass(officer, elsewhere):
    liaison = UserFactory(username="li", roles=[Role.LIAISON])
    for user in (liaison, officer):
        assert api_for(user).post(glass_url(elsewhere), REASON, format="json").status_code == 403
    assert not EmergencyAccess.objects.exists()


def test_a_lead_that_does_not_exist_is_404_even_with_a_reason(coordinator):
    response = api_for(coordinator).post(
        "/api/v1/leads/987654/emergency-access/", REASON, format="json"
    )
    assert response.status_code == 404


def test_ones_own_lead_needs_no_glass(coordinator, elsewhere):
    own = LeadFactory(team=coordinator.team_memberships.get().team)
    refused = api_for(coordinator).post(glass_url(own), REASON, format="json")
    # Refused by the lead's state (already visible), not the request's shape: 409.
    assert refused.status_code == 409 and "reason" in refused.json()
