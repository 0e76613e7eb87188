"""Alert emails: sent once, no personal data in the subject, a link to the lead, SMTP
errors retried with backoff; and one test against a real SMTP server."""

import socket

import pytest
import redis
from aiosmtpd.controller import Controller
from django.conf import settings
from django.core import mail

from apps.alerts.choices import EmailStatus
from apps.alerts.models import Alert
from apps.alerts.services import alert_emails_relay, alert_fire
from apps.alerts.tasks import alert_email_send
from tests.celery_processes import broker_purge, celery_broker_at
from tests.factories import PersonFactory
from tests.sla.scenario import T0

pytestmark = pytest.mark.django_db

PERSONAL_DETAILS = ("Zebulon", "Quistgaard", "atrial fibrillation", "Acme Health Plan")


@pytest.fixture
def breach_alert(make_lead, team_lead, settings):
    settings.SITE_URL = "https://crm.hospital.test"
    person = PersonFactory(first_name="Zebulon", last_name="Quistgaard")
    lead = make_lead(
        person=person,
        condition_interest="atrial fibrillation",
        payer="Acme Health Plan",
        message="Zebulon Quistgaard, atrial fibrillation, Acme Health Plan",
    )
    (alert_id,) = alert_fire(lead=lead, level="breach", recipients=[team_lead])
    return Alert.objects.get(pk=alert_id)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_email_task_run_twice_sends_once(breach_alert):
    alert_email_send(breach_alert.pk)
    alert_email_send(breach_alert.pk)

    assert len(mail.outbox) == 1
    breach_alert.refresh_from_db()
    assert (breach_alert.email_status, breach_alert.emailed_at) == (EmailStatus.SENT, T0)


def test_email_subject_has_no_personal_data_and_body_links_to_the_lead(breach_alert):
    alert_email_send(breach_alert.pk)

    (message,) = mail.outbox
    assert message.subject == f"Lead #{breach_alert.lead_id} breached its response time"
    assert message.to == ["teamlead@hospital.test"]
    assert f"https://crm.hospital.test/leads/{breach_alert.lead_id}/" in message.body
    html = message.alternatives[0][0]
    assert f'href="https://crm.hospital.test/leads/{breach_alert.lead_id}/"' in html
    for detail in PERSONAL_DETAILS:
        assert detail not in message.subject
        assert detail not in message.body
        assert detail not in html


def test_recipient_without_email_is_marked_not_sent(breach_alert):
    breach_alert.recipient.email = ""
    breach_alert.recipient.save()

    alert_email_send(breach_alert.pk)

    breach_alert.refresh_from_db()
    assert breach_alert.email_status == EmailStatus.NOT_SENT
    assert mail.outbox == []


@pytest.fixture
def mail_server_down(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nobody listens
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 2


def test_smtp_error_is_retried_then_marked_failed(breach_alert, mail_server_down):
    # Eager apply runs each retry at once (a worker would wait the jittered backoff).
    result = alert_email_send.apply(args=[breach_alert.pk])

    assert result.state == "FAILURE"
    assert isinstance(result.result, ConnectionRefusedError)
    breach_alert.refresh_from_db()
    # Each retry re-claimed the alert: the claim was released after every failure.
    assert breach_alert.email_attempts == alert_email_send.max_retries + 1
    assert breach_alert.email_status == EmailStatus.FAILED


def test_first_smtp_error_leaves_the_alert_pending_for_the_retry(breach_alert, mail_server_down):
    from apps.alerts import services

    with pytest.raises(ConnectionRefusedError):
        services.alert_email_send(alert_id=breach_alert.pk)

    breach_alert.refresh_from_db()
    assert (breach_alert.email_status, breach_alert.email_attempts) == (EmailStatus.PENDING, 1)


def test_relay_requeues_only_emails_whose_task_was_lost(clock, breach_alert, make_lead, team_lead):
    clock.shift(60)
    assert alert_emails_relay() == 0  # a minute old: its task is probably still queued

    clock.shift(5 * 60)
    assert alert_emails_relay() == 1


class SmtpSink:
    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted"


@pytest.fixture
def smtp_server(settings):
    sink = SmtpSink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    yield sink
    controller.stop()


def test_alert_email_arrives_at_a_real_smtp_server(breach_alert, smtp_server):
    from email import message_from_bytes, policy

    alert_email_send(breach_alert.pk)
    alert_email_send(breach_alert.pk)

    (envelope,) = smtp_server.envelopes
    assert envelope.rcpt_tos == ["teamlead@hospital.test"]
    message = message_from_bytes(envelope.original_content, policy=policy.default)
    assert message["Subject"] == f"Lead #{breach_alert.lead_id} breached its response time"
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert f"https://crm.hospital.test/leads/{breach_alert.lead_id}/" in text
    raw = envelope.original_content.decode()
    for detail in PERSONAL_DETAILS:
        assert detail not in raw


@pytest.fixture
def broker_down():
    """Point the Celery app at a port nobody listens on, then put the real one back."""
    from apps.core import queueing

    with celery_broker_at(f"redis://127.0.0.1:{free_port()}/0"):
        yield
    queueing._paused_until = 0.0


def test_alert_is_kept_pending_for_the_relay_when_the_broker_is_down(
    clock, make_lead, team_lead, broker_down, django_capture_on_commit_callbacks
):
    lead = make_lead()
    broker_purge()

    with django_capture_on_commit_callbacks(execute=True):
        (alert_id,) = alert_fire(lead=lead, level="breach", recipients=[team_lead])

    assert redis.Redis.from_url(settings.CELERY_BROKER_URL).llen("alert_emails") == 0

    # No error reached the caller (the transaction had already committed); the alert
    # is saved and its email waits for the relay.
    assert Alert.objects.get(pk=alert_id).email_status == EmailStatus.PENDING
