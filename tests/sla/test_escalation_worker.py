"""A breach alert made and emailed by a real Celery worker and beat, against Redis.

Nothing here calls a task: beat runs the sweep on its schedule, the worker fires the
alert and then sends its email to an SMTP server this test starts.
"""

import datetime as dt
import socket
import time
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone

from apps.accounts.choices import Role
from apps.alerts.choices import EmailStatus
from apps.alerts.models import Alert
from apps.leads.choices import Urgency
from apps.sla.services import lead_sla_start
from tests.celery_processes import broker_purge, celery_beat, celery_worker
from tests.factories import (
    LeadFactory,
    LocationFactory,
    ServiceLineFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


class SmtpSink:
    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.25)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def test_real_beat_and_worker_fire_and_email_the_breach_alert(transactional_db, tmp_path):
    sink = SmtpSink()
    port = free_port()
    smtp = Controller(sink, hostname="127.0.0.1", port=port)
    smtp.start()
    broker_purge()
    UserFactory(username="manager", roles=[Role.MANAGER])
    team_lead = UserFactory(username="teamlead")
    owner = UserFactory(username="coordinator")
    team = TeamFactory(slug="cardiology-intake", team_lead=team_lead)
    lead = LeadFactory(
        service_line=ServiceLineFactory(slug="cardiology", urgent_response_minutes=15),
        location=LocationFactory(slug="main-campus", time_zone="America/New_York"),
        urgency=Urgency.URGENT,
        owner=owner,
        team=team,
    )
    breach_at = timezone.now() + dt.timedelta(seconds=3)
    lead_sla_start(lead=lead, started_at=breach_at - dt.timedelta(minutes=15))
    env = {
        "DJANGO_SETTINGS_MODULE": "tests.sla.worker_settings",
        "LEADCRM_TEST_SMTP_PORT": str(port),
        "SLA_SWEEP_SECONDS": "2",
        "SITE_URL": "https://crm.hospital.test",
    }
    try:
        with celery_worker(tmp_path, env=env), celery_beat(tmp_path, env=env):
            wait_for(
                lambda: (
                    Alert.objects.filter(
                        lead=lead, level="breach", email_status=EmailStatus.SENT
                    ).count()
                    == 2
                ),
                timeout=90,
                what="two breach alerts emailed",
            )
            wait_for(lambda: len(sink.envelopes) >= 3, timeout=30, what="three emails")
    finally:
        smtp.stop()

    breach = Alert.objects.filter(lead=lead, level="breach")
    assert sorted(breach.values_list("recipient__username", flat=True)) == [
        "manager",
        "teamlead",
    ]
    assert all(alert.created_at >= breach_at for alert in breach)
    assert Alert.objects.filter(lead=lead, level="owner_notice", recipient=owner).count() == 1
    subjects = sorted(
        message_from_bytes(envelope.original_content, policy=policy.default)["Subject"]
        for envelope in sink.envelopes
    )
    assert subjects == [
        f"Lead #{lead.pk} breached its response time",
        f"Lead #{lead.pk} breached its response time",
        f"Lead #{lead.pk} is due for a first response soon",
    ]
    assert all(
        f"https://crm.hospital.test/leads/{lead.pk}/".encode() in envelope.original_content
        for envelope in sink.envelopes
    )
