"""A PHI canary: a unique synthetic patient goes through intake (the web process
`make run` starts), is routed by a real worker, called, searched and nurtured (beat and
worker, email to an SMTP server the test starts); then neither the name, the email, the
phone nor the message appears in any log line (web and worker output, the access log,
this process's logging), in any Redis key or value (broker messages decoded), or in any
email subject."""

import base64
import binascii
import json
import logging
import secrets
import time
import urllib.request
from email import message_from_bytes, policy

import pytest
import redis
from aiosmtpd.controller import Controller
from django.conf import settings
from rest_framework.authtoken.models import Token

from apps.accounts.choices import Role
from apps.leads.models import Lead
from apps.nurture.choices import SendStatus, StepAction
from apps.nurture.models import NurtureSend, NurtureStep, NurtureTrack
from apps.nurture.services import nurture_enroll, nurture_track_save
from tests.alerts.test_alert_emails import SmtpSink, free_port
from tests.celery_processes import broker_purge, celery_beat, celery_worker, gunicorn_server
from tests.factories import TeamFactory, UserFactory
from tests.intake.conftest import (  # noqa: F401 - the intake fixtures, reused here
    intake_key,
    intake_key_pair,
    orthopedics,
    raw_key,
    riverside,
)
from tests.intake.payloads import intake_payload
from tests.routing.factories import RoutingRuleFactory

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def canary() -> dict[str, str]:
    tag = secrets.token_hex(4)
    return {
        "first_name": f"Quorvane{tag}",
        "last_name": f"Ildwhistle{tag}",
        "email": f"canary.{tag}@example.com",
        "phone": f"+1312555{int(tag, 16) % 10_000:04d}",
        "message": f"Knee pain since the ferry accident {tag}",
    }


def call(base_url: str, path: str, *, token: str | None = None, key: str | None = None,
         body: dict | None = None) -> tuple[int, dict]:  # fmt: skip
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Token {token}"
    if key:
        headers["Authorization"] = f"Api-Key {key}"
    request = urllib.request.Request(  # noqa: S310 - a local test server
        base_url + path,
        data=json.dumps(body).encode() if body is not None else None,
        headers=headers,
        method="POST" if body is not None else "GET",
    )
    with urllib.request.urlopen(request, timeout=15) as answer:  # noqa: S310
        return answer.status, json.loads(answer.read())


def wait_for(condition, *, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.25)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def redis_texts() -> list[str]:
    """Every key and value in the test's Redis database, broker message bodies decoded."""
    client = redis.Redis.from_url(settings.REDIS_URL)
    texts = []
    for key in client.scan_iter(count=500):
        kind = client.type(key).decode()
        if kind == "string":
            values = [client.get(key)]
        elif kind == "list":
            values = client.lrange(key, 0, -1)
        elif kind == "hash":
            values = [item for pair in client.hgetall(key).items() for item in pair]
        elif kind == "set":
            values = list(client.smembers(key))
        elif kind == "zset":
            values = [member for member, _ in client.zrange(key, 0, -1, withscores=True)]
        else:
            values = []
        texts.append(key.decode(errors="replace"))
        for value in values:
            texts.extend(_decoded(value or b""))
    return texts


def _decoded(value: bytes) -> list[str]:
    texts = [value.decode(errors="replace")]
    try:  # a kombu message: JSON whose body is base64
        message = json.loads(value)
        body = message[0] if isinstance(message, list) else message
        texts.append(base64.b64decode(body["body"]).decode(errors="replace"))
    except (ValueError, TypeError, KeyError, IndexError, binascii.Error):
        pass
    return texts


def test_the_canary_is_nowhere_in_logs_redis_or_email_subjects(
    tmp_path,
    caplog,
    raw_key,  # noqa: F811
    orthopedics,  # noqa: F811
    riverside,  # noqa: F811
):
    caplog.set_level(logging.INFO)
    person = canary()
    secrets_to_find = list(person.values())
    broker_purge()
    sink = SmtpSink()
    smtp_port = free_port()
    smtp = Controller(sink, hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    team = TeamFactory(name="Ortho intake", slug="ortho-intake")
    RoutingRuleFactory(target_team=team)
    manager = UserFactory(username="manager", roles=[Role.MANAGER])
    token = Token.objects.create(user=manager).key
    track = nurture_track_save(
        track=NurtureTrack(name="By hand", entry_trigger="manual", is_active=True),
        steps=[
            NurtureStep(
                action=StepAction.EMAIL,
                subject="A note from {{ location }}",
                body="Hi {{ first_name }}, we are here when you are ready.",
            )
        ],
        actor=manager,
    )
    worker_env = {
        "DJANGO_SETTINGS_MODULE": "tests.nurture.worker_settings",
        "LEADCRM_TEST_SMTP_PORT": str(smtp_port),
        "NURTURE_SMS_FILE_PATH": str(tmp_path / "sms.jsonl"),
        "NURTURE_SWEEP_SECONDS": "1",
        "NURTURE_QUIET_HOURS": "off",
        "NURTURE_WEEKLY_MESSAGE_CAP": "0",
    }
    redis_seen: list[str] = []
    try:
        with (
            gunicorn_server(tmp_path, args=("--access-logfile", "-")) as base_url,
            celery_worker(tmp_path, env=worker_env),
            celery_beat(tmp_path, env=worker_env),
        ):
            body = intake_payload()
            body["person"] |= {key: person[key] for key in ("first_name", "last_name", "email")}
            body["person"]["phone"] = person["phone"]
            body["message"] = person["message"]
            status, created = call(base_url, "/api/v1/intake/", key=raw_key, body=body)
            assert status == 201
            redis_seen += redis_texts()
            lead = wait_for(  # routed by the worker
                lambda: Lead.objects.filter(pk=created["id"], routed_at__isnull=False).first(),
                timeout=60, what="the lead routed",
            )  # fmt: skip
            assert lead.team == team

            call(base_url, f"/api/v1/leads/{lead.pk}/activities/", token=token, body={
                "kind": "call", "direction": "outbound", "outcome": "reached",
                "body": f"Spoke with {person['first_name']}: {person['message']}",
            })  # fmt: skip
            for path in (
                f"/api/v1/leads/?q={person['last_name']}",
                f"/api/v1/people/?q={person['email']}",
                f"/api/v1/leads/?q={person['phone'].replace('+', '%2B')}",
            ):
                status, found = call(base_url, path, token=token)
                assert status == 200 and found["results"], path
            redis_seen += redis_texts()

            nurture_enroll(track=track, lead=lead, actor=manager)
            sent = NurtureSend.objects.filter(enrollment__lead=lead, status=SendStatus.SENT)
            wait_for(sent.exists, timeout=60, what="the nurture email sent")
            redis_seen += redis_texts()
    finally:
        smtp.stop()
        broker_purge()

    emails = [
        message_from_bytes(envelope.original_content, policy=policy.default)
        for envelope in sink.envelopes
    ]
    assert any(person["email"] in message["To"] for message in emails)  # it went out
    assert person["first_name"] in str(emails[0].get_body(("plain",)).get_content())
    places = {
        "web and access log": (tmp_path / "gunicorn.log").read_text(),
        "worker log": (tmp_path / "celery-worker.log").read_text(),
        "beat log": (tmp_path / "celery-beat.log").read_text(),
        "this process's logging": "\n".join(
            record.getMessage()
            for record in caplog.records
            if record.name != "mail.log"  # aiosmtpd: the test's SMTP server, not LeadCRM
        ),
        "Redis": "\n".join(redis_seen),
        "email subjects": "\n".join(str(message["Subject"]) for message in emails),
    }
    assert "GET /api/v1/leads/ HTTP/1.1" in places["web and access log"]  # searches logged
    assert "Task apps.routing.tasks" in places["worker log"]  # the worker did log its work
    for place, text in places.items():
        for secret in secrets_to_find:
            for form in {secret, secret.lower(), secret.replace("+", "%2B"),
                         secret.replace("@", "%40"), secret.replace(" ", "%20")}:  # fmt: skip
                assert form not in text, f"{secret!r} found in {place}"
