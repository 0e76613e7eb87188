"""Nurture through a real Celery beat and worker against Redis: a lead reaching Not
ready is enrolled by the beat sweep and its email and text go out once each; leads put
on a track by hand are delivered too, each step exactly once."""

import json
import time
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller

from apps.accounts.choices import Role
from apps.leads.services import lead_stage_change
from apps.nurture.choices import SendStatus, StepAction
from apps.nurture.models import NurtureSend, NurtureStep, NurtureTrack
from apps.nurture.services import nurture_enroll, nurture_track_save
from apps.pipeline.selectors import stage_get_by_slug
from tests.alerts.test_alert_emails import SmtpSink, free_port
from tests.celery_processes import broker_purge, celery_beat, celery_worker
from tests.factories import ConsentFactory, LeadFactory, LocationFactory, PersonFactory, UserFactory

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

MANUAL_LEADS = 8


def wait_for(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.25)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def consenting_lead(location, owner, **fields):
    person = PersonFactory()
    for channel in ("email", "sms"):
        ConsentFactory(person=person, channel=channel)
    return LeadFactory(person=person, location=location, owner=owner, **fields)


def test_beat_and_worker_enroll_and_deliver_each_step_once(transactional_db, tmp_path):
    sink = SmtpSink()
    port = free_port()
    smtp = Controller(sink, hostname="127.0.0.1", port=port)
    smtp.start()
    broker_purge()
    manager = UserFactory(username="manager", roles=[Role.MANAGER])
    owner = UserFactory(username="coordinator")
    location = LocationFactory(slug="main-campus", time_zone="America/Chicago")
    steps = [
        NurtureStep(
            action=StepAction.EMAIL, subject="From {{ location }}", body="Hi {{ first_name }}"
        ),
        NurtureStep(action=StepAction.SMS, body="Questions? Call {{ coordinator_phone }}."),
    ]
    nurture_track_save(
        track=NurtureTrack(
            name="Not ready", entry_stage=stage_get_by_slug("not-ready"), is_active=True
        ),
        steps=steps,
        actor=manager,
    )
    by_hand = nurture_track_save(
        track=NurtureTrack(name="By hand", entry_trigger="manual", is_active=True),
        steps=[NurtureStep(action=StepAction.EMAIL, subject="Hello", body="Hi {{ first_name }}")],
        actor=manager,
    )
    for _ in range(MANUAL_LEADS):
        nurture_enroll(track=by_hand, lead=consenting_lead(location, owner), actor=manager)
    not_ready = consenting_lead(location, owner)
    lead_stage_change(
        lead=not_ready,
        to_stage=stage_get_by_slug("not-ready"),
        actor=owner,
        recontact_on=not_ready.created_at.date().replace(year=not_ready.created_at.year + 1),
    )
    sms_file = tmp_path / "sms.jsonl"
    env = {
        "DJANGO_SETTINGS_MODULE": "tests.nurture.worker_settings",
        "LEADCRM_TEST_SMTP_PORT": str(port),
        "NURTURE_SMS_FILE_PATH": str(sms_file),
        "NURTURE_SWEEP_SECONDS": "1",
        "NURTURE_QUIET_HOURS": "off",
        "SITE_URL": "https://crm.hospital.test",
    }
    try:
        with celery_worker(tmp_path, concurrency=2, env=env), celery_beat(tmp_path, env=env):
            wait_for(
                lambda: (
                    NurtureSend.objects.filter(status=SendStatus.SENT).count() == MANUAL_LEADS + 2
                ),
                timeout=90,
                what="every step sent",
            )
            time.sleep(2)  # a second delivery, if any, would arrive now
    finally:
        smtp.stop()

    message_ids = [
        message_from_bytes(envelope.original_content, policy=policy.default)["Message-ID"]
        for envelope in sink.envelopes
    ]
    assert len(message_ids) == len(set(message_ids)) == MANUAL_LEADS + 1
    texts = [json.loads(line) for line in sms_file.read_text().splitlines()]
    assert [text["to"] for text in texts] == [str(not_ready.person.phone)]
    assert not_ready.activities.filter(kind="email", is_automated=True).count() == 1
    assert not_ready.activities.filter(kind="sms", is_automated=True).count() == 1
