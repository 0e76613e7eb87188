"""Texts: STOP withdraws SMS consent and stops SMS steps, any other reply ends the
tracks, the inbound webhook is authenticated, and the Twilio backend speaks Twilio's
API (checked against a fake Twilio on 127.0.0.1, never the internet)."""

import base64
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlencode

import pytest
from django.core import mail
from django.http import QueryDict
from django.test import Client
from twilio.request_validator import RequestValidator

from apps.leads.choices import ActivityKind, Direction, Outcome
from apps.nurture import delivery
from apps.nurture.choices import EnrollmentStatus, ExitReason, SendStatus, StepAction
from apps.nurture.models import NurtureEnrollment
from apps.nurture.replies import sms_is_stop
from apps.nurture.services import nurture_changes_sweep
from apps.nurture.sms import SmsError, SmsRejected, TwilioSmsBackend
from apps.nurture.views import twilio_request_valid
from apps.people.models import ConsentPurpose
from apps.people.selectors import consent_is_granted
from tests.nurture.conftest import EVERY_CONSENT, step

pytestmark = pytest.mark.django_db

INBOUND = "/nurture/sms/inbound/"
SECRET = {"HTTP_X_LEADCRM_WEBHOOK_SECRET": "inbound-secret-for-tests"}


@pytest.mark.parametrize(
    ("text", "is_stop"),
    [
        ("STOP", True),
        ("stop", True),
        ("  Stop. ", True),
        ("STOP!", True),
        ("Stop please", True),
        ("please stop", True),
        ("Stop texting me", True),
        ("StopAll", True),
        ("UNSUBSCRIBE", True),
        ("Cancel", True),
        ("end", True),
        ("Quit", True),
        ("opt-out", True),
        ("Opt out", True),
        ("Stopping by the clinic tomorrow", False),
        ("Don't stop", False),
        ("End of the month works for me", False),
        ("Can I cancel my appointment?", False),
        ("Yes", False),
        ("", False),
    ],
)
def test_stop_words(text, is_stop):
    assert sms_is_stop(text) is is_stop


@pytest.fixture
def texting(make_track, make_lead, to_stage):
    """A lead on a track texting first, then emailing; the person consented to all."""
    make_track(steps=[step(StepAction.SMS, wait=1), step(StepAction.EMAIL)])
    lead = to_stage(make_lead(consents=EVERY_CONSENT), "not-ready")
    nurture_changes_sweep()
    return NurtureEnrollment.objects.get(lead=lead)


def inbound(body, *, number="(312) 555-0142", sid="SM0001", **headers):
    return Client().post(
        INBOUND, {"From": number, "Body": body, "MessageSid": sid}, **(headers or SECRET)
    )


def test_stop_withdraws_sms_consent_for_every_purpose(texting):
    response = inbound("STOP")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/xml"
    person = texting.lead.person
    for purpose in ConsentPurpose.values:
        assert not consent_is_granted(person=person, channel="sms", purpose=purpose)
    assert consent_is_granted(person=person, channel="email", purpose="care_coordination")


def test_after_stop_sms_steps_are_skipped_and_email_steps_carry_on(texting, clock, sms_outbox):
    inbound("Stop")
    clock.shift(60 * 60 * 24)

    delivery.nurture_send_deliver(send_id=texting.sends.get(step__position=1).pk)
    delivery.nurture_send_deliver(send_id=texting.sends.get(step__position=2).pk)

    statuses = [send.status for send in texting.sends.order_by("step__position")]
    assert statuses == [SendStatus.SKIPPED, SendStatus.SENT]
    assert (sms_outbox, len(mail.outbox)) == ([], 1)
    texting.refresh_from_db()
    assert texting.status == EnrollmentStatus.COMPLETED


def test_stop_is_on_the_timeline_but_is_not_a_reply(texting):
    inbound("STOP")

    received = texting.lead.activities.get(kind=ActivityKind.SMS)
    assert (received.direction, received.body, received.author) == (Direction.INBOUND, "STOP", None)
    texting.refresh_from_db()
    assert texting.status == EnrollmentStatus.ACTIVE


def test_any_other_text_is_a_reply_that_ends_the_track(texting):
    inbound("Yes, call me tomorrow after 3")

    texting.refresh_from_db()
    assert (texting.status, texting.exit_reason) == (EnrollmentStatus.EXITED, ExitReason.REPLIED)
    received = texting.lead.activities.get(kind=ActivityKind.SMS)
    assert (received.outcome, received.body) == (Outcome.REPLIED, "Yes, call me tomorrow after 3")
    assert consent_is_granted(
        person=texting.lead.person, channel="sms", purpose="care_coordination"
    )


def test_provider_retrying_the_same_text_records_it_once(texting):
    inbound("Thanks!", sid="SM42")
    inbound("Thanks!", sid="SM42")

    assert texting.lead.activities.filter(kind=ActivityKind.SMS).count() == 1


def test_text_from_an_unknown_number_is_accepted_and_ignored(texting):
    response = inbound("Hello", number="+14155550100")

    assert response.status_code == 200
    texting.refresh_from_db()
    assert texting.status == EnrollmentStatus.ACTIVE


@pytest.mark.parametrize(
    "headers",
    [{}, {"HTTP_X_LEADCRM_WEBHOOK_SECRET": "wrong"}, {"HTTP_X_TWILIO_SIGNATURE": "bm9wZQ=="}],
    ids=["no-secret", "wrong-secret", "signature-without-token"],
)
def test_inbound_webhook_refuses_unauthenticated_posts(texting, headers):
    response = Client().post(INBOUND, {"From": "+13125550142", "Body": "STOP"}, **headers)

    assert response.status_code == 403
    assert consent_is_granted(
        person=texting.lead.person, channel="sms", purpose="care_coordination"
    )


# Twilio's published example (its webhook security docs, and the test suites of its
# SDKs): this auth token, URL and these form fields sign to this signature.
TWILIO_EXAMPLE_TOKEN = "12345"
TWILIO_EXAMPLE_URL = "https://example.com/myapp.php?foo=1&bar=2"
TWILIO_EXAMPLE_BODY = (
    "CallSid=CA1234567890ABCDE&Caller=%2B14158675310&Digits=1234"
    "&From=%2B14158675310&To=%2B18005551212"
)
TWILIO_EXAMPLE_SIGNATURE = "L/OH5YylLD5NRKLltdqwSvS0BnU="


def test_twilios_published_example_is_valid(settings):
    settings.TWILIO_AUTH_TOKEN = TWILIO_EXAMPLE_TOKEN
    fields = QueryDict(TWILIO_EXAMPLE_BODY)

    def valid(url=TWILIO_EXAMPLE_URL, params=fields, signature=TWILIO_EXAMPLE_SIGNATURE):
        return twilio_request_valid(url=url, params=params, signature=signature)

    tampered = fields.copy()
    tampered["Digits"] = "1235"
    assert valid()
    assert valid(url="https://example.com:443/myapp.php?foo=1&bar=2")  # port added by a proxy
    assert not valid(params=tampered)
    assert not valid(url="https://example.com/myapp.php?foo=1&bar=3")
    settings.TWILIO_AUTH_TOKEN = "54321"
    assert not valid()


def test_inbound_webhook_takes_a_stop_signed_by_twilio(texting, settings):
    """Signed by Twilio's own library for our address with its port, and with a field
    repeated in another order than the one Twilio sorts them into."""
    settings.TWILIO_AUTH_TOKEN = "twilio-auth-token"
    fields = {"From": "+13125550142", "Body": "STOP", "MessageSid": "SM9", "Tag": ["b", "a"]}
    signature = RequestValidator("twilio-auth-token").compute_signature(
        "https://crm.hospital.test:443" + INBOUND, QueryDict(urlencode(fields, doseq=True))
    )

    forged = Client().post(INBOUND, {**fields, "Body": "hi"}, HTTP_X_TWILIO_SIGNATURE=signature)
    good = Client().post(INBOUND, fields, HTTP_X_TWILIO_SIGNATURE=signature)

    assert (forged.status_code, good.status_code) == (403, 200)
    assert not consent_is_granted(
        person=texting.lead.person, channel="sms", purpose="care_coordination"
    )


# --- The Twilio backend, against a fake Twilio on 127.0.0.1 -------------------------


class FakeTwilio(BaseHTTPRequestHandler):
    requests: list[dict] = []
    answer: tuple[int, dict] = (201, {"sid": "SM0123456789"})

    def do_POST(self):
        length = int(self.headers["Content-Length"])
        FakeTwilio.requests.append(
            {
                "path": self.path,
                "authorization": self.headers["Authorization"],
                "fields": parse_qs(self.rfile.read(length).decode()),
            }
        )
        status, body = FakeTwilio.answer
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


@pytest.fixture
def fake_twilio(settings):
    server = HTTPServer(("127.0.0.1", 0), FakeTwilio)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    FakeTwilio.requests = []
    FakeTwilio.answer = (201, {"sid": "SM0123456789"})
    settings.NURTURE_SMS_BACKEND = "apps.nurture.sms.TwilioSmsBackend"
    settings.TWILIO_API_URL = f"http://127.0.0.1:{server.server_port}"
    settings.TWILIO_ACCOUNT_SID = "AC00000000000000000000000000000000"
    settings.TWILIO_AUTH_TOKEN = "twilio-auth-token"
    settings.TWILIO_FROM_NUMBER = "+13125550000"
    yield FakeTwilio
    server.shutdown()
    server.server_close()


def test_twilio_backend_posts_the_text_with_basic_auth(fake_twilio):
    message_id = TwilioSmsBackend().send(to="+13125550142", body="Hello there")

    assert message_id == "SM0123456789"
    (request,) = fake_twilio.requests
    assert (
        request["path"] == "/2010-04-01/Accounts/AC00000000000000000000000000000000/Messages.json"
    )
    credentials = base64.b64decode(request["authorization"].removeprefix("Basic ")).decode()
    assert credentials == "AC00000000000000000000000000000000:twilio-auth-token"
    assert request["fields"] == {
        "To": ["+13125550142"],
        "From": ["+13125550000"],
        "Body": ["Hello there"],
    }


@pytest.mark.parametrize(
    ("status", "error"),
    [(400, SmsRejected), (404, SmsRejected), (429, SmsError), (503, SmsError)],
)
def test_twilio_errors_say_whether_a_retry_can_help(fake_twilio, status, error):
    fake_twilio.answer = (status, {"code": 21211, "message": "Invalid 'To' Phone Number: +1312"})

    with pytest.raises(error) as raised:
        TwilioSmsBackend().send(to="+13125550142", body="Hello")

    assert type(raised.value) is error
    assert "+1312" not in str(raised.value)


def test_twilio_unreachable_is_retryable(settings):
    settings.TWILIO_API_URL = "http://127.0.0.1:9"  # discard port: nobody listens

    with pytest.raises(SmsError):
        TwilioSmsBackend().send(to="+13125550142", body="Hello")


def test_text_step_sent_through_twilio_keeps_the_provider_id(texting, fake_twilio, clock):
    clock.shift(60 * 60 * 24)
    send = texting.sends.get(step__position=1)

    assert delivery.nurture_send_deliver(send_id=send.pk) == "sent"

    send.refresh_from_db()
    assert send.provider_message_id == "SM0123456789"
    assert fake_twilio.requests[0]["fields"]["To"] == ["+13125550142"]


def test_number_twilio_refuses_fails_at_once_without_retries(texting, fake_twilio, clock):
    clock.shift(60 * 60 * 24)
    fake_twilio.answer = (400, {"code": 21211})
    send = texting.sends.get(step__position=1)

    with pytest.raises(delivery.SendAttemptFailed) as failure:
        delivery.nurture_send_deliver(send_id=send.pk)

    assert failure.value.will_retry is False
    send.refresh_from_db()
    assert (send.status, send.attempts) == (SendStatus.FAILED, 1)
    assert send.last_error == "SmsRejected: Twilio HTTP 400, error 21211"
    # The record of a text that never went is rolled back with it.
    assert not texting.lead.activities.filter(kind=ActivityKind.SMS).exists()
