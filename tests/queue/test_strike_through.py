"""The timeline is append-only for staff: an entry logged in error is struck through
with a reason, and the original stays."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from apps.leads.models import Activity
from apps.leads.services import activity_log, activity_strike
from tests.factories import TeamMembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead(team, coordinator, routed_lead):
    return routed_lead(team=team, owner=coordinator)


def strike_url(lead, activity):
    return reverse("queue:lead_activity_strike", args=[lead.pk, activity.pk])


def test_a_struck_note_keeps_its_original_words(logged_in, coordinator, lead):
    note = activity_log(lead=lead, kind="note", actor=coordinator, body="Patient prefers Tuesdays.")
    client = logged_in(coordinator)

    client.post(strike_url(lead, note), {"reason": "Wrong patient: meant lead #12."})

    note.refresh_from_db()
    assert note.body == "Patient prefers Tuesdays."
    assert note.struck_by == coordinator and note.strike_reason == "Wrong patient: meant lead #12."
    html = client.get(reverse("queue:lead", args=[lead.pk])).content.decode()
    assert "<s>Patient prefers Tuesdays.</s>" in html
    assert "Wrong patient: meant lead #12." in html
    assert Activity.objects.filter(pk=note.pk).exists()


def test_striking_needs_a_reason_and_happens_once(coordinator, lead):
    note = activity_log(lead=lead, kind="note", actor=coordinator, body="x")
    with pytest.raises(ValidationError) as refused:
        activity_strike(activity=note, actor=coordinator, reason="  ")
    assert "reason" in refused.value.message_dict
    activity_strike(activity=note, actor=coordinator, reason="typo")
    with pytest.raises(ValidationError):
        activity_strike(activity=note, actor=coordinator, reason="again")


def test_a_struck_call_no_longer_stops_the_response_clock(coordinator, lead):
    made_at = timezone.now() - dt.timedelta(minutes=5)
    call = activity_log(
        lead=lead,
        kind="call",
        actor=coordinator,
        direction="outbound",
        outcome="reached",
        occurred_at=made_at,
    )
    lead.refresh_from_db()
    assert lead.first_response_at == made_at

    activity_strike(activity=call, actor=coordinator, reason="Logged on the wrong lead.")

    lead.refresh_from_db()
    assert lead.first_response_at is None


def test_another_teams_entry_cannot_be_struck(logged_in, other_team, coordinator, lead):
    outsider = UserFactory(username="oz")
    TeamMembershipFactory(team=other_team, user=outsider)
    note = activity_log(lead=lead, kind="note", actor=coordinator, body="keep")
    response = logged_in(outsider).post(strike_url(lead, note), {"reason": "x"})
    assert response.status_code == 404
    note.refresh_from_db()
    assert note.struck_at is None


def test_the_admin_cannot_edit_or_delete_a_timeline_entry(client, lead, coordinator):
    note = activity_log(lead=lead, kind="note", actor=coordinator, body="keep")
    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))

    edit = client.post(
        reverse("admin:leads_activity_change", args=[note.pk]), {"body": "rewritten"}
    )
    delete = client.post(reverse("admin:leads_activity_delete", args=[note.pk]), {"post": "yes"})
    stage = client.post(reverse("admin:leads_lead_change", args=[lead.pk]), {"stage": "1"})

    assert (edit.status_code, delete.status_code, stage.status_code) == (403, 403, 403)
    note.refresh_from_db()
    assert note.body == "keep"
