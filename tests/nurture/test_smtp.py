"""Email through SMTP: failures retried with backoff and then left failed where staff
see them; and the real thing, a message sent to an SMTP server the test starts."""

from email import message_from_bytes, policy

import pytest
from django.core import mail
from django.test import Client

from apps.leads.choices import ActivityKind
from apps.nurture import delivery
from apps.nurture.choices import SendStatus
from apps.nurture.models import NurtureEnrollment
from apps.nurture.services import nurture_changes_sweep
from apps.nurture.tasks import nurture_send_deliver
from apps.people.selectors import consent_is_granted
from tests.nurture.conftest import step

pytestmark = pytest.mark.django_db


@pytest.fixture
def due_email(make_track, make_lead, to_stage):
    make_track(steps=[step(), step(wait=2)])
    lead = to_stage(make_lead(), "not-ready")
    nurture_changes_sweep()
    return NurtureEnrollment.objects.get(lead=lead).sends.get(step__position=1)


def test_first_smtp_failure_leaves_the_send_pending_for_a_retry(due_email, mail_server_down):
    with pytest.raises(delivery.SendAttemptFailed) as failure:
        delivery.nurture_send_deliver(send_id=due_email.pk)

    assert failure.value.will_retry is True
    due_email.refresh_from_db()
    assert (due_email.status, due_email.attempts, due_email.last_error) == (
        SendStatus.PENDING,
        1,
        "ConnectionRefusedError",
    )
    # Nothing was recorded as sent: the timeline entry rolled back with the send.
    assert not due_email.enrollment.lead.activities.filter(kind=ActivityKind.EMAIL).exists()


def test_smtp_failures_are_retried_then_left_failed_for_staff(
    due_email, mail_server_down, settings, client, manager
):
    settings.NURTURE_SEND_MAX_ATTEMPTS = 4
    # Eager apply runs each retry at once (a worker would wait the jittered backoff).
    result = nurture_send_deliver.apply(args=[due_email.pk])

    assert result.get() == "failed"
    due_email.refresh_from_db()
    assert (due_email.status, due_email.attempts) == (SendStatus.FAILED, 4)
    lead = due_email.enrollment.lead
    assert lead.activities.filter(
        kind=ActivityKind.NOTE, body__contains="could not be sent"
    ).exists()
    # The track moves on to its next step.
    assert due_email.enrollment.sends.get(step__position=2).status == SendStatus.PENDING
    client.force_login(manager)
    page = client.get("/nurture/failed/")
    assert f"Lead #{lead.pk}".encode() in page.content
    assert b"ConnectionRefusedError" in page.content


def test_staff_send_a_failed_message_again(due_email, mail_server_down, settings, client, manager):
    settings.NURTURE_SEND_MAX_ATTEMPTS = 1
    nurture_send_deliver.apply(args=[due_email.pk])
    client.force_login(manager)

    response = client.post(f"/nurture/failed/{due_email.pk}/retry/")

    assert response.status_code == 302
    due_email.refresh_from_db()
    assert (due_email.status, due_email.attempts) == (SendStatus.PENDING, 0)


def test_email_arrives_at_a_real_smtp_server_once_with_unsubscribe_headers(due_email, smtp_server):
    nurture_send_deliver(due_email.pk)
    nurture_send_deliver(due_email.pk)

    (envelope,) = smtp_server.envelopes
    person = due_email.enrollment.lead.person
    assert envelope.rcpt_tos == [person.email]
    message = message_from_bytes(envelope.original_content, policy=policy.default)
    assert message["Subject"] == "A note from Lakeside Campus"
    for detail in (person.first_name, person.last_name, "Bariatrics", "Acme", "gastric"):
        assert detail not in message["Subject"]
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["Message-ID"] == f"<nurture-send-{due_email.pk}@crm.hospital.test>"
    link = str(message["List-Unsubscribe"]).strip().strip("<>")
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert link in text
    assert f'href="{link}"' in html
    assert "Hi Rosalind" in text
    assert mail.outbox == []

    response = Client(enforce_csrf_checks=True).post(
        link.removeprefix("https://crm.hospital.test"), {"List-Unsubscribe": "One-Click"}
    )

    assert response.status_code == 200
    assert not consent_is_granted(person=person, channel="email", purpose="care_coordination")
