"""LeadCRM behind PgBouncer in transaction mode: pointing DATABASE_URL at the pooler is
all an operator does. The web process (gunicorn, as `make run` starts it) takes
inquiries and serves the queue, a real Celery worker routes the leads and sends a
nurture email, and manage.py works, all through a PgBouncer the test starts, whose two
server connections every process shares, transaction by transaction."""

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.test import Client

from apps.accounts.choices import Role
from apps.intake.services import intake_key_create
from apps.leads.models import Lead
from apps.nurture.choices import SendStatus, StepAction
from apps.nurture.models import NurtureSend, NurtureStep, NurtureTrack
from apps.nurture.services import nurture_enroll, nurture_track_save
from tests.alerts.test_alert_emails import SmtpSink, free_port
from tests.celery_processes import (
    BASE_DIR,
    broker_purge,
    celery_beat,
    celery_worker,
    gunicorn_server,
)
from tests.factories import (
    ConsentFactory,
    LeadFactory,
    LocationFactory,
    PersonFactory,
    ServiceLineFactory,
    TeamFactory,
    TeamMembershipFactory,
    UserFactory,
)
from tests.intake.payloads import intake_payload, minimal_payload
from tests.pgbouncer import pgbouncer
from tests.routing.factories import RoutingRuleFactory

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def _wait_for(condition, *, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.25)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def _request(url: str, *, body: dict | None = None, headers: dict) -> tuple[int, str]:
    request = urllib.request.Request(  # noqa: S310 - a local test server
        url,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Content-Type": "application/json", **headers},
        method="POST" if body is not None else "GET",
    )
    try:
        with urllib.request.urlopen(request, timeout=15) as answer:  # noqa: S310
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_intake_routing_and_the_queue_work_through_pgbouncer(tmp_path):
    ServiceLineFactory(slug="orthopedics", name="Orthopedics")
    LocationFactory(slug="riverside", name="Riverside Hospital")
    team = TeamFactory(name="Ortho intake", slug="ortho-intake")
    RoutingRuleFactory(target_team=team)
    coordinator = UserFactory(username="avery", roles=[Role.INTAKE_COORDINATOR])
    TeamMembershipFactory(team=team, user=coordinator)
    _, raw_key = intake_key_create(name="website-ortho-form")
    browser = Client()
    browser.force_login(coordinator)
    session = browser.cookies[settings.SESSION_COOKIE_NAME].value
    broker_purge()

    with pgbouncer() as database_url:
        # Kept connections (CONN_MAX_AGE), as in production: each holds a PgBouncer
        # client, never a server session.
        env = {"DATABASE_URL": database_url, "CONN_MAX_AGE": "300"}
        with (
            gunicorn_server(tmp_path, workers=2, env=env) as base_url,
            celery_worker(tmp_path, env=env),
        ):
            key = {"Authorization": f"Api-Key {raw_key}"}
            answers = []
            for number in range(6):
                body = intake_payload()
                body["person"].update(phone=f"(312) 555-01{number:02d}", email="")
                answers.append(
                    _request(
                        f"{base_url}/api/v1/intake/",
                        body=body,
                        headers={**key, "Idempotency-Key": f"form-{number}"},
                    )
                )
            repeat = _request(
                f"{base_url}/api/v1/intake/",
                body=minimal_payload(phone="312.555.0100"),
                headers=key,
            )
            replay = _request(
                f"{base_url}/api/v1/intake/",
                body=body,
                headers={**key, "Idempotency-Key": "form-5"},
            )
            _wait_for(
                lambda: not Lead.objects.filter(owner__isnull=True).exists(),
                timeout=60,
                what="every lead routed by the worker",
            )
            queue_status, queue_page = _request(
                f"{base_url}/queue/",
                headers={"Cookie": f"{settings.SESSION_COOKIE_NAME}={session}"},
            )

    assert [status for status, _ in answers] == [201] * 6, answers
    leads = [json.loads(text)["id"] for _, text in answers]
    assert (repeat[0], json.loads(repeat[1])["id"]) == (200, leads[0])
    assert (replay[0], json.loads(replay[1])["id"]) == (201, leads[5])
    assert set(Lead.objects.values_list("owner", flat=True)) == {coordinator.pk}
    assert queue_status == 200
    for lead_id in leads:
        assert f"/leads/{lead_id}/" in queue_page


def test_a_nurture_email_goes_out_once_through_pgbouncer(tmp_path):
    sink = SmtpSink()
    port = free_port()
    smtp = Controller(sink, hostname="127.0.0.1", port=port)
    smtp.start()
    broker_purge()
    manager = UserFactory(username="manager", roles=[Role.MANAGER])
    track = nurture_track_save(
        track=NurtureTrack(name="By hand", entry_trigger="manual", is_active=True),
        steps=[NurtureStep(action=StepAction.EMAIL, subject="Hello", body="Hi {{ first_name }}")],
        actor=manager,
    )
    person = PersonFactory()
    ConsentFactory(person=person, channel="email")
    lead = LeadFactory(person=person, location=LocationFactory(), owner=UserFactory())
    nurture_enroll(track=track, lead=lead, actor=manager)
    try:
        with pgbouncer() as database_url:
            env = {
                "DJANGO_SETTINGS_MODULE": "tests.nurture.worker_settings",
                "DATABASE_URL": database_url,
                "CONN_MAX_AGE": "300",
                "LEADCRM_TEST_SMTP_PORT": str(port),
                "NURTURE_SMS_FILE_PATH": str(tmp_path / "sms.jsonl"),
                "NURTURE_SWEEP_SECONDS": "1",
                "NURTURE_QUIET_HOURS": "off",
                "SITE_URL": "https://crm.hospital.test",
            }
            with celery_worker(tmp_path, env=env), celery_beat(tmp_path, env=env):
                _wait_for(
                    lambda: NurtureSend.objects.filter(status=SendStatus.SENT).exists(),
                    timeout=60,
                    what="the nurture email sent",
                )
                time.sleep(2)  # a second delivery, if any, would arrive now
    finally:
        smtp.stop()

    (envelope,) = sink.envelopes
    message = message_from_bytes(envelope.original_content, policy=policy.default)
    assert message["Subject"] == "Hello"
    assert envelope.rcpt_tos == [person.email]


def test_manage_py_commands_work_through_pgbouncer():
    with pgbouncer() as database_url:
        completed = subprocess.run(
            [sys.executable, "manage.py", "migrate", "--check"],
            cwd=BASE_DIR,
            env={
                **os.environ,
                "DJANGO_SETTINGS_MODULE": "tests.settings",
                "DATABASE_URL": database_url,
            },
            capture_output=True,
            text=True,
            timeout=120,
        )

    assert completed.returncode == 0, completed.stdout[-2000:] + completed.stderr[-2000:]


def test_the_change_history_names_who_acted_through_pgbouncer_and_never_leaks():
    """pghistory's context rides in each write as transaction-local settings
    (set_config(..., true)): through one pooled server connection shared by two clients,
    the second client's change is not attributed to the first's context."""
    lead = LeadFactory(urgency="routine")
    update_in_shell = (
        "from apps.leads.models import Lead;"
        f" Lead.objects.filter(pk={lead.pk}).update(urgency='urgent')"
    )
    update_by_hand = (
        "import os, sys, psycopg2; c = psycopg2.connect(os.environ['DATABASE_URL']);"
        " c.autocommit = True; c.cursor().execute("
        "\"UPDATE leads_lead SET payer = 'Acme' WHERE id = %s\", [int(sys.argv[1])])"
    )
    with pgbouncer(pool_size=1) as database_url:
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"}
        env["DATABASE_URL"] = database_url
        shell = subprocess.run(  # noqa: S603 - manage.py with fixed arguments
            [sys.executable, "manage.py", "shell", "-c", update_in_shell],
            cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=180,
        )  # fmt: skip
        assert shell.returncode == 0, shell.stdout[-2000:] + shell.stderr[-2000:]
        by_hand = subprocess.run(  # noqa: S603 - our own one-line client, fixed arguments
            [sys.executable, "-c", update_by_hand, str(lead.pk)],
            env=env, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert by_hand.returncode == 0, by_hand.stderr[-2000:]

    in_shell, outside_the_app = Lead.pgh_event_model.objects.filter(
        pgh_obj_id=lead.pk, pgh_label="update"
    ).order_by("pgh_id")
    assert (in_shell.urgency, in_shell.pgh_context) == ("urgent", {"command": "shell"})
    assert (outside_the_app.payer, outside_the_app.pgh_context) == ("Acme", None)
