"""Break-the-glass: a coordinator opens a lead outside their teams with a reason, for
four hours; the privacy officer and their manager are told; the log marks the reads."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

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


def lead_url(lead):
    return reverse("queue:lead", args=[lead.pk])


def glass_url(lead):
    return reverse("queue:lead_emergency_access", args=[lead.pk])


def test_without_a_reason_the_lead_stays_404(client, coordinator, elsewhere):
    client.force_login(coordinator)

    refused = client.post(glass_url(elsewhere), {"reason": "wrong_line", "reason_text": " "})

    assert refused.status_code == 400
    assert "This field is required." in refused.content.decode()
    assert client.get(lead_url(elsewhere)).status_code == 404
    assert not EmergencyAccess.objects.exists()


def test_a_reason_opens_the_lead_alerts_and_marks_the_log(
    client, coordinator, officer, team_lead, elsewhere
):
    client.force_login(coordinator)

    granted = client.post(glass_url(elsewhere), REASON)
    page = client.get(lead_url(elsewhere))

    assert granted.status_code == 302 and page.status_code == 200
    html = page.content.decode()
    assert "Emergency access:" in html and coordinator.display_name in html
    assert elsewhere.person.last_name in html
    told = set(
        Alert.objects.filter(lead=elsewhere, level="emergency_access").values_list(
            "recipient__username", flat=True
        )
    )
    assert told == {"po", "tl"}
    entry = AccessLogEntry.objects.get(what="lead page")
    assert entry.break_glass
    assert "Called cardiology by mistake" in entry.reason
    # and the coordinator can work it: log the call the patient is waiting for
    note = client.post(reverse("queue:lead_note", args=[elsewhere.pk]), {"note-body": "Helped."})
    assert note.status_code == 302


def test_emergency_access_ends_after_four_hours(client, coordinator, elsewhere, time_machine):
    client.force_login(coordinator)
    client.post(glass_url(elsewhere), REASON)
    assert client.get(lead_url(elsewhere)).status_code == 200

    time_machine.move_to(timezone.now() + dt.timedelta(hours=4, minutes=1))
    client.force_login(coordinator)

    assert client.get(lead_url(elsewhere)).status_code == 404


def test_liaisons_and_the_privacy_officer_cannot_break_the_glass(client, officer, elsewhere):
    liaison = UserFactory(username="li", roles=[Role.LIAISON])
    for user in (liaison, officer):
        client.force_login(user)
        assert client.post(glass_url(elsewhere), REASON).status_code == 403
    assert not EmergencyAccess.objects.exists()


def test_a_lead_that_does_not_exist_is_404_even_with_a_reason(client, coordinator):
    client.force_login(coordinator)
    response = client.post(reverse("queue:lead_emergency_access", args=[987654]), REASON)
    assert response.status_code == 404


def test_a_double_submitted_request_grants_once_and_tells_the_officer_once(
    client, coordinator, officer, elsewhere
):
    client.force_login(coordinator)
    form = client.get(glass_url(elsewhere)).content.decode()
    token = re.search(r'name="form_token" value="([^"]+)"', form).group(1)

    first = client.post(glass_url(elsewhere), {**REASON, "form_token": token})
    again = client.post(glass_url(elsewhere), {**REASON, "form_token": token})

    assert first.status_code == again.status_code == 302
    assert again.url == lead_url(elsewhere)
    assert EmergencyAccess.objects.count() == 1
    assert Alert.objects.filter(lead=elsewhere, recipient=officer).count() == 1
