"""The one-click unsubscribe: RFC 8058 headers, a signed token that names nobody, a GET
that only asks, a POST that works without login or CSRF token."""

import datetime as dt

import pytest
from django.conf import settings
from django.core import mail, signing
from django.test import Client

from apps.leads.choices import ActivityKind
from apps.nurture import delivery
from apps.nurture.choices import EnrollmentStatus, ExitReason, SendStatus
from apps.nurture.messages import unsubscribe_send_id, unsubscribe_token
from apps.nurture.models import NurtureEnrollment
from apps.nurture.services import nurture_changes_sweep
from apps.people.models import Consent, ConsentPurpose
from apps.people.selectors import consent_is_granted
from tests.nurture.conftest import EVERY_CONSENT, step

pytestmark = pytest.mark.django_db

CARE, MARKETING = ConsentPurpose.CARE_COORDINATION, ConsentPurpose.MARKETING


@pytest.fixture
def emailed(make_track, make_lead, to_stage):
    """A lead on a two-email care track whose first email went out."""
    make_track(steps=[step(), step(wait=2)])
    lead = to_stage(make_lead(consents=EVERY_CONSENT), "not-ready")
    nurture_changes_sweep()
    enrollment = NurtureEnrollment.objects.get(lead=lead)
    send = enrollment.sends.get(step__position=1)
    delivery.nurture_send_deliver(send_id=send.pk)
    (message,) = mail.outbox
    return enrollment, send, message


def unsubscribe_path(message) -> str:
    return (
        message.extra_headers["List-Unsubscribe"]
        .strip("<>")
        .removeprefix("https://crm.hospital.test")
    )


def test_email_carries_one_click_unsubscribe_headers(emailed):
    _, _, message = emailed

    url = message.extra_headers["List-Unsubscribe"]
    assert url.startswith("<https://crm.hospital.test/nurture/unsubscribe/") and url.endswith("/>")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert url.strip("<>") in message.body
    assert url.strip("<>") in message.alternatives[0][0]


def test_unsubscribe_address_holds_a_signed_send_id_and_no_personal_data(emailed):
    enrollment, send, message = emailed
    person = enrollment.lead.person
    path = unsubscribe_path(message)
    token = path.removeprefix("/nurture/unsubscribe/").rstrip("/")

    assert unsubscribe_send_id(token=token) == send.pk
    for detail in (person.email, person.first_name, person.last_name, str(person.phone)):
        assert detail.lower() not in path.lower()


def test_get_asks_to_confirm_and_changes_nothing(emailed):
    enrollment, _, message = emailed

    response = Client().get(unsubscribe_path(message))

    assert response.status_code == 200
    assert b'<form method="post">' in response.content
    assert response["Referrer-Policy"] == "no-referrer"
    assert consent_is_granted(person=enrollment.lead.person, channel="email", purpose=CARE)
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.ACTIVE


def test_one_click_post_without_login_or_csrf_token_unsubscribes(emailed):
    enrollment, _, message = emailed
    client = Client(enforce_csrf_checks=True)

    response = client.post(
        unsubscribe_path(message),
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200
    person = enrollment.lead.person
    assert not consent_is_granted(person=person, channel="email", purpose=CARE)
    withdrawal = Consent.objects.filter(person=person).first()
    assert (withdrawal.channel, withdrawal.method) == ("email", "unsubscribe_link")
    enrollment.refresh_from_db()
    assert (enrollment.status, enrollment.exit_reason) == (
        EnrollmentStatus.EXITED,
        ExitReason.UNSUBSCRIBED,
    )
    assert enrollment.lead.activities.filter(
        kind=ActivityKind.NOTE, body__startswith="Unsubscribed from care coordination emails"
    ).exists()


def test_unsubscribing_from_care_emails_keeps_other_consents(emailed):
    enrollment, _, message = emailed

    Client().post(unsubscribe_path(message))

    person = enrollment.lead.person
    assert consent_is_granted(person=person, channel="email", purpose=MARKETING)
    assert consent_is_granted(person=person, channel="sms", purpose=CARE)


def test_confirm_page_post_twice_withdraws_once(emailed):
    enrollment, _, message = emailed
    client = Client()

    client.post(unsubscribe_path(message))
    response = client.post(unsubscribe_path(message))

    assert response.status_code == 200
    assert Consent.objects.filter(person=enrollment.lead.person, status="withdrawn").count() == 1


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),
        lambda token: token[: len(token) // 2],
        lambda token: signing.dumps(
            unsubscribe_send_id(token=token), key=settings.NURTURE_UNSUBSCRIBE_KEY
        ),
        lambda token: signing.dumps(
            unsubscribe_send_id(token=token), salt="apps.nurture.unsubscribe"
        ),
        lambda token: unsubscribe_token(send_id=1).replace("MQ", "Mg", 1),
        lambda token: "not-a-token",
    ],
    ids=[
        "signature-changed",
        "truncated",
        "signed-without-our-salt",
        "signed-with-secret-key",
        "id-swapped",
        "garbage",
    ],
)
def test_tampered_link_is_refused_and_changes_nothing(emailed, tamper):
    enrollment, _, message = emailed
    token = unsubscribe_path(message).removeprefix("/nurture/unsubscribe/").rstrip("/")

    response = Client().post(f"/nurture/unsubscribe/{tamper(token)}/")

    assert response.status_code == 400
    assert b"not valid" in response.content
    assert consent_is_granted(person=enrollment.lead.person, channel="email", purpose=CARE)


def test_links_signed_with_a_rotated_key_still_unsubscribe(emailed, settings):
    enrollment, _, message = emailed
    path = unsubscribe_path(message)
    settings.NURTURE_UNSUBSCRIBE_KEY_FALLBACKS = [settings.NURTURE_UNSUBSCRIBE_KEY]
    settings.NURTURE_UNSUBSCRIBE_KEY = "a-new-unsubscribe-key-after-rotation-0123456789"

    assert Client().post(path).status_code == 200
    assert not consent_is_granted(person=enrollment.lead.person, channel="email", purpose=CARE)


def test_after_unsubscribing_the_next_email_is_never_sent(emailed, clock):
    enrollment, _, message = emailed
    Client().post(unsubscribe_path(message))

    clock.shift(dt.timedelta(days=3))

    assert enrollment.sends.get(step__position=2).status == SendStatus.CANCELLED
    assert delivery.nurture_sends_queue() == []
    assert len(mail.outbox) == 1
