"""Closed loop (summary back to the referrer, overdue alerts) and attribution."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from apps.alerts.models import Alert
from apps.leads.models import Activity
from apps.referrals.services import (
    referral_feedback_overdue_alerts_fire,
    referral_feedback_record,
    referral_source_at_appointment_record,
)
from apps.referrals.tasks import referral_feedback_overdue_sweep
from tests.factories import ReferralSourceFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now()


@pytest.fixture
def coordinator():
    return UserFactory(username="coordinator", roles=["intake coordinator"])


@pytest.fixture
def referrer(liaison):
    return ReferralSourceFactory(name="Dr. Okafor", owning_liaison=liaison)


@pytest.fixture
def completed_referral(make_referrals, referrer, coordinator):
    def make(days_since_completion: float, **fields):
        completed_at = NOW - dt.timedelta(days=days_since_completion)
        fields.setdefault("owner", coordinator)
        (lead,) = make_referrals(
            referrer,
            [completed_at - dt.timedelta(days=20)],
            stage="completed",
            converted_at=completed_at,
            closed_at=completed_at,
            **fields,
        )
        return lead

    return make


# --- Recording the summary sent --------------------------------------------------------


def test_recording_the_summary_sets_the_time_and_writes_a_note(completed_referral, coordinator):
    lead = completed_referral(3)
    sent_at = NOW - dt.timedelta(days=1)

    activity = referral_feedback_record(
        lead=lead, actor=coordinator, method="fax", sent_at=sent_at, note="Consult note, 2 pages"
    )

    lead.refresh_from_db()
    assert lead.referral_feedback_sent_at == sent_at
    assert (activity.kind, activity.author, activity.occurred_at) == ("note", coordinator, sent_at)
    assert activity.body == "Visit summary sent to the referrer (Fax). Consult note, 2 pages"
    assert activity.details["referral_feedback"]["method"] == "fax"


def test_recording_the_summary_does_not_stop_the_response_clock(completed_referral, coordinator):
    lead = completed_referral(3)
    referral_feedback_record(lead=lead, actor=coordinator, method="ehr")
    lead.refresh_from_db()
    assert lead.first_response_at is None


def test_the_summary_is_recorded_once(completed_referral, coordinator):
    lead = completed_referral(3)
    referral_feedback_record(lead=lead, actor=coordinator, method="fax")
    with pytest.raises(ValidationError) as error:
        referral_feedback_record(lead=lead, actor=coordinator, method="fax")
    assert "already recorded" in error.value.message_dict["sent_at"][0]
    assert Activity.objects.filter(lead=lead, kind="note").count() == 1


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"method": "pigeon"}, "method"),
        ({"sent_at": NOW + dt.timedelta(hours=2)}, "sent_at"),
        ({"sent_at": NOW - dt.timedelta(days=60)}, "sent_at"),
    ],
)
def test_bad_summary_records_are_refused(completed_referral, coordinator, fields, field):
    lead = completed_referral(3)
    with pytest.raises(ValidationError) as error:
        referral_feedback_record(lead=lead, actor=coordinator, **{"method": "fax", **fields})
    assert field in error.value.message_dict
    lead.refresh_from_db()
    assert lead.referral_feedback_sent_at is None


def test_summary_page_records_it_for_a_lead_the_user_may_see(
    client, completed_referral, coordinator
):
    lead = completed_referral(3)
    client.force_login(coordinator)
    response = client.post(
        reverse("referrals:lead_referral", args=[lead.pk]),
        {
            "action": "feedback",
            "method": "portal",
            "sent_at": timezone.localtime(NOW).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.referral_feedback_sent_at is not None


def test_summary_page_is_404_for_a_lead_the_user_may_not_see(client, completed_referral):
    lead = completed_referral(3)
    client.force_login(UserFactory(roles=["intake coordinator"]))
    assert client.get(reverse("referrals:lead_referral", args=[lead.pk])).status_code == 404


# --- Overdue alerts --------------------------------------------------------------------


def test_owner_is_alerted_when_a_completed_referral_has_no_summary_after_7_days(
    completed_referral, coordinator
):
    overdue = completed_referral(8)
    completed_referral(6)  # not yet due

    assert referral_feedback_overdue_alerts_fire(now=NOW) == 1

    alert = Alert.objects.get()
    assert (alert.lead, alert.recipient, alert.level) == (
        overdue,
        coordinator,
        "referral_feedback",
    )


def test_no_alert_once_the_summary_was_sent(completed_referral, coordinator):
    completed_referral(8, referral_feedback_sent_at=NOW - dt.timedelta(days=2))
    assert referral_feedback_overdue_alerts_fire(now=NOW) == 0


def test_the_overdue_alert_fires_once_however_often_the_sweep_runs(completed_referral):
    completed_referral(8)
    assert referral_feedback_overdue_alerts_fire(now=NOW) == 1
    assert referral_feedback_overdue_alerts_fire(now=NOW) == 0
    assert referral_feedback_overdue_sweep() == 0
    assert Alert.objects.count() == 1


def test_without_an_owner_the_owning_liaison_is_alerted(completed_referral, liaison):
    completed_referral(8, owner=None)
    referral_feedback_overdue_alerts_fire(now=NOW)
    assert Alert.objects.get().recipient == liaison


def test_the_number_of_days_is_configurable(completed_referral, settings):
    completed_referral(4)
    settings.REFERRALS_FEEDBACK_DUE_DAYS = 3
    assert referral_feedback_overdue_alerts_fire(now=NOW) == 1


def test_open_and_unreferred_leads_are_never_alerted(make_referrals, referrer, coordinator):
    long_ago = NOW - dt.timedelta(days=30)
    make_referrals(referrer, [long_ago], owner=coordinator)  # still open
    make_referrals(
        None, [long_ago], stage="completed", converted_at=long_ago, owner=coordinator
    )  # no referral source
    assert referral_feedback_overdue_alerts_fire(now=NOW) == 0


# --- Attribution -----------------------------------------------------------------------


def test_source_at_appointment_is_kept_apart_when_it_differs(
    completed_referral, coordinator, referrer
):
    lead = completed_referral(3)
    other = ReferralSourceFactory(name="Dr. Lindqvist")

    referral_source_at_appointment_record(lead=lead, source=other, actor=coordinator)

    lead.refresh_from_db()
    assert (lead.referral_source, lead.referral_source_at_appointment) == (referrer, other)
    note = Activity.objects.get(lead=lead, kind="note")
    assert note.body == "Source at appointment: Dr. Lindqvist (first interaction: Dr. Okafor)."


def test_the_same_source_at_appointment_records_nothing(completed_referral, coordinator, referrer):
    lead = completed_referral(3)
    referral_source_at_appointment_record(lead=lead, source=referrer, actor=coordinator)
    lead.refresh_from_db()
    assert lead.referral_source_at_appointment is None
    assert not Activity.objects.filter(lead=lead, kind="note").exists()


def test_naming_the_first_source_again_clears_the_one_at_appointment(
    completed_referral, coordinator, referrer
):
    lead = completed_referral(3)
    referral_source_at_appointment_record(
        lead=lead, source=ReferralSourceFactory(), actor=coordinator
    )
    referral_source_at_appointment_record(lead=lead, source=referrer, actor=coordinator)
    lead.refresh_from_db()
    assert (lead.referral_source, lead.referral_source_at_appointment) == (referrer, None)


def test_attribution_page_records_the_source_at_appointment(
    client, completed_referral, coordinator
):
    lead = completed_referral(3)
    other = ReferralSourceFactory()
    client.force_login(coordinator)
    response = client.post(
        reverse("referrals:lead_referral", args=[lead.pk]),
        {"action": "attribution", "source": other.pk},
    )
    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.referral_source_at_appointment == other


def test_overdue_alert_email_names_the_lead_number_only(completed_referral):
    from apps.alerts.services import alert_email_message

    lead = completed_referral(8)
    referral_feedback_overdue_alerts_fire(now=NOW)

    message = alert_email_message(alert=Alert.objects.get())

    assert message.subject == f"Lead #{lead.pk}: the referrer is still waiting for a summary"
    assert lead.person.last_name not in message.subject + message.body
