"""Alerts fire once per lead, level and recipient, enforced by the database."""

import pytest
from django.db import IntegrityError

from apps.alerts.models import Alert
from apps.alerts.services import AlertSpec, alert_fire, alerts_fire, lead_repeat_inquiry_alert
from apps.leads.choices import ActivityKind, Channel, Direction, Outcome
from apps.leads.services import activity_log, lead_add_touch

pytestmark = pytest.mark.django_db


def test_firing_the_same_level_twice_makes_one_alert(make_lead, team_lead):
    lead = make_lead()

    first = alert_fire(lead=lead, level="breach", recipients=[team_lead])
    second = alert_fire(lead=lead, level="breach", recipients=[team_lead])

    assert len(first) == 1
    assert second == []
    assert Alert.objects.count() == 1


def test_new_recipients_of_a_fired_level_still_get_theirs(make_lead, team_lead, manager):
    lead = make_lead()
    alert_fire(lead=lead, level="breach", recipients=[team_lead])

    created = alert_fire(lead=lead, level="breach", recipients=[team_lead, manager])

    assert list(Alert.objects.filter(pk__in=created).values_list("recipient", flat=True)) == [
        manager.pk
    ]


def test_database_refuses_a_duplicate_alert(make_lead, team_lead):
    lead = make_lead()
    Alert.objects.create(lead=lead, level="breach", recipient=team_lead)

    with pytest.raises(IntegrityError):
        Alert.objects.create(lead=lead, level="breach", recipient=team_lead)


def test_duplicate_specs_in_one_call_insert_once(make_lead, team_lead):
    lead = make_lead()
    spec = AlertSpec(lead_id=lead.pk, level="breach", recipient_id=team_lead.pk)

    assert len(alerts_fire(alerts=[spec, spec])) == 1


def test_new_alert_queues_its_email_after_commit(
    make_lead, team_lead, django_capture_on_commit_callbacks
):
    lead = make_lead()

    with django_capture_on_commit_callbacks() as callbacks:
        alert_fire(lead=lead, level="breach", recipients=[team_lead])
        alert_fire(lead=lead, level="breach", recipients=[team_lead])

    assert len(callbacks) == 1


# --- repeat inquiries ----------------------------------------------------------


def repeat_touch(lead):
    return lead_add_touch(lead=lead, channel=Channel.PHONE, message="Calling again")


def test_repeat_inquiry_while_waiting_alerts_the_owner_once_per_touch(make_lead):
    lead = make_lead()
    touch = repeat_touch(lead)

    lead_repeat_inquiry_alert(lead=lead)
    lead_repeat_inquiry_alert(lead=lead)

    assert list(
        Alert.objects.filter(level="repeat_inquiry").values_list(
            "recipient__username", "activity_id"
        )
    ) == [("coordinator", touch.pk)]


def test_each_repeat_touch_alerts_again(make_lead):
    lead = make_lead()
    repeat_touch(lead)
    lead_repeat_inquiry_alert(lead=lead)

    second = repeat_touch(lead)
    lead_repeat_inquiry_alert(lead=lead, touch=second)

    assert Alert.objects.filter(level="repeat_inquiry").count() == 2


def test_repeat_inquiry_on_unowned_lead_alerts_the_team_lead(make_lead):
    lead = make_lead(owner=None)
    repeat_touch(lead)

    lead_repeat_inquiry_alert(lead=lead)

    assert list(Alert.objects.values_list("recipient__username", flat=True)) == ["teamlead"]


def test_repeat_inquiry_after_a_first_response_alerts_nobody(make_lead, owner):
    lead = make_lead()
    activity_log(
        lead=lead,
        kind=ActivityKind.CALL,
        direction=Direction.OUTBOUND,
        outcome=Outcome.REACHED,
        actor=owner,
    )
    repeat_touch(lead)

    lead_repeat_inquiry_alert(lead=lead)

    assert not Alert.objects.exists()


def test_repeat_inquiry_on_unrouted_lead_alerts_nobody(make_lead):
    lead = make_lead(owner=None, team=None)
    repeat_touch(lead)

    assert lead_repeat_inquiry_alert(lead=lead) == []
