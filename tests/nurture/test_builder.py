"""The track builder: step cards with only their channel's fields, the scheduling link's
rule as its help text says it, previews against a sample lead (a real lead's preview is
in the access log) and test sends to the manager only, through the real mail server."""

from email import message_from_bytes, policy

import pytest
from pytest_django.asserts import assertContains, assertNotContains

from apps.audit.models import AccessLogEntry
from apps.nurture.choices import StepAction
from apps.nurture.forms import NurtureTrackForm
from apps.nurture.models import NurtureTrack
from apps.nurture.previews import TEST_HEADER
from tests.nurture.test_views import EMAIL_STEP, SMS_STEP, track_post

pytestmark = pytest.mark.django_db

CALL_STEP = {
    "wait_amount": "1",
    "wait_unit": "business_days",
    "action": "call_task",
    "subject": "",
    "body": "Call {{ first_name }} about {{ service_line }}.",
}


def card_post(step, *, prefix="steps-0", **extra):
    """The builder form as a card's Preview or Test button posts it."""
    data = track_post([step])
    data.update({"step": prefix, **extra})
    return data


def test_text_and_call_steps_drop_a_subject_left_in_the_hidden_box(client, manager):
    client.force_login(manager)
    data = track_post([{**SMS_STEP, "subject": "Left from email"}, {**CALL_STEP, "subject": "x"}])

    response = client.post("/nurture/tracks/new/", data)

    assert response.status_code == 302
    steps = NurtureTrack.objects.get().steps.order_by("position")
    assert [(s.action, s.subject) for s in steps] == [
        (StepAction.SMS, ""),
        (StepAction.CALL_TASK, ""),
    ]


def test_builder_shows_cards_without_an_order_box_and_subject_only_on_emails(
    client, manager, make_track
):
    from tests.nurture.conftest import step

    track = make_track(steps=[step(), step(StepAction.SMS)])
    client.force_login(manager)

    response = client.get(f"/nurture/tracks/{track.pk}/")

    assertNotContains(response, "ORDER")
    assertContains(response, 'name="steps-0-position"')
    assertContains(response, "Move up", count=2)
    html = response.content.decode()
    sms_card = html[html.index('data-prefix="steps-1"') :]
    assert 'hidden data-channel-only="email"' in sms_card.split("</li>")[0]


@pytest.mark.parametrize(
    ("typed", "saved"),
    [
        ("hospital.test/book", "https://hospital.test/book"),
        (
            "https://hospital.test/book?service=bariatrics",
            "https://hospital.test/book?service=bariatrics",
        ),
        ("http://hospital.test/book", None),
        ("ftp://hospital.test/book", None),
        ("call the front desk", None),
        ("https://hospital.test/" + "a" * 480, None),
    ],
)
def test_scheduling_link_accepts_what_its_help_text_says(client, manager, typed, saved):
    client.force_login(manager)

    response = client.post("/nurture/tracks/new/", track_post([EMAIL_STEP], scheduling_link=typed))

    if saved is None:
        assert response.status_code == 400
        assert list(response.context["form"].errors) == ["scheduling_link"]
        assert not NurtureTrack.objects.exists()
    else:
        assert response.status_code == 302
        assert NurtureTrack.objects.get().scheduling_link == saved


def test_scheduling_link_help_text_names_the_rule_and_the_default(settings):
    settings.NURTURE_SCHEDULING_URL = "https://hospital.test/book"
    help_text = NurtureTrackForm().fields["scheduling_link"].help_text
    assert "starting with https://" in help_text
    assert "https:// is added" in help_text
    assert "at most 500 characters" in help_text
    assert "Empty: the hospital's booking page, https://hospital.test/book." in help_text

    settings.NURTURE_SCHEDULING_URL = ""
    assert "Needed when a step uses {{ scheduling_link }}" in (
        NurtureTrackForm().fields["scheduling_link"].help_text
    )


def test_preview_renders_the_sample_person_and_reads_no_patient(client, manager, campus):
    client.force_login(manager)

    response = client.post("/nurture/tracks/step-preview/", card_post(EMAIL_STEP))

    assertContains(response, "Preview for Alex, a made-up person")
    assertContains(response, "Subject:</strong> News from Lakeside Campus")
    assertContains(response, "Hi Alex, book at https://hospital.test/book.")
    assert not AccessLogEntry.objects.exists()


def test_preview_against_a_lead_is_recorded_in_the_access_log(client, manager, make_lead):
    lead = make_lead()
    client.force_login(manager)

    response = client.post(
        "/nurture/tracks/step-preview/", card_post(SMS_STEP, preview_lead=str(lead.pk))
    )

    assertContains(response, "Hi Rosalind, any questions? Call (312) 555-0199. Reply STOP")
    entry = AccessLogEntry.objects.get()
    assert (entry.what, entry.lead_ids, entry.person_ids) == (
        "nurture message preview",
        [lead.pk],
        [lead.person_id],
    )


def test_preview_of_an_unknown_lead_says_so_and_reads_nothing(client, manager):
    client.force_login(manager)

    response = client.post(
        "/nurture/tracks/step-preview/", card_post(SMS_STEP, preview_lead="999999")
    )

    assertContains(response, "No lead #999999 that you may see.")
    assert not AccessLogEntry.objects.exists()


def test_preview_shows_the_steps_own_errors(client, manager):
    client.force_login(manager)

    response = client.post(
        "/nurture/tracks/step-preview/", card_post({**EMAIL_STEP, "body": "Hi {{ payer }}"})
    )

    assertContains(response, "cannot be used in a message")
    assertContains(response, 'role="alert"')


def test_test_email_reaches_the_manager_only_through_a_real_smtp_server(
    client, manager, make_lead, smtp_server
):
    lead = make_lead()  # a patient exists, with an address, and must get nothing
    client.force_login(manager)

    response = client.post(
        "/nurture/tracks/step-test/", card_post(EMAIL_STEP, preview_lead=str(lead.pk))
    )

    assertContains(response, f"Test email sent to you at {manager.email}")
    (envelope,) = smtp_server.envelopes
    assert envelope.rcpt_tos == [manager.email]
    message = message_from_bytes(envelope.original_content, policy=policy.default)
    assert message["Subject"] == "[Test] News from Lakeside Campus"
    assert message[TEST_HEADER] == "nurture step test"
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert text.startswith("Test message from the nurture track builder")
    assert "Hi Alex" in text
    assert lead.person.first_name not in envelope.original_content.decode()
    assert not AccessLogEntry.objects.exists()


def test_test_email_refused_by_the_mail_server_is_reported(client, manager, mail_server_down):
    client.force_login(manager)

    response = client.post("/nurture/tracks/step-test/", card_post(EMAIL_STEP))

    assertContains(response, "No test was sent. The mail server did not take the test")


def test_test_text_goes_to_the_managers_own_phone(client, manager, sms_outbox):
    manager.phone = "+13125550177"
    manager.save(update_fields=["phone"])
    client.force_login(manager)

    response = client.post("/nurture/tracks/step-test/", card_post(SMS_STEP))

    assertContains(response, "Test text message sent to you at (312) 555-0177")
    (sent,) = sms_outbox
    assert sent["to"] == "+13125550177"
    assert sent["body"].startswith("[Test] Hi Alex, any questions?")


def test_test_text_without_a_phone_of_ones_own_is_refused(client, manager, sms_outbox):
    client.force_login(manager)

    response = client.post("/nurture/tracks/step-test/", card_post(SMS_STEP))

    assertContains(response, "Your account has no mobile number")
    assert sms_outbox == []


def test_call_task_is_previewed_not_sent(client, manager, smtp_server, sms_outbox):
    client.force_login(manager)

    preview = client.post("/nurture/tracks/step-preview/", card_post(CALL_STEP))
    test = client.post("/nurture/tracks/step-test/", card_post(CALL_STEP))

    assertContains(preview, "the task the coordinator gets")
    assertContains(test, "A call task is not sent")
    assert smtp_server.envelopes == [] and sms_outbox == []
