"""A step's message as a person would get it, while a manager builds a track: a
preview rendered against a sample lead, and a test sent to the manager themself.

Both use the builders real sends use (apps.nurture.messages); a test goes out through
the same mail connection and SMS backend as delivery, but only ever to the manager's own
address or phone, with the sample person's made-up details, marked as a test in its
subject (or first words) and in a header. Nothing is written: no send row, no
timeline entry, no access to a patient's record.
"""

import logging
import smtplib
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import get_connection

from apps.accounts.models import User
from apps.facilities.models import Location
from apps.leads.models import Lead
from apps.nurture.choices import StepAction
from apps.nurture.merge_fields import merge_fields_render
from apps.nurture.messages import email_compose, merge_values, sms_compose
from apps.nurture.models import NurtureStep, NurtureTrack
from apps.nurture.sms import SmsError, sms_backend
from apps.servicelines.models import ServiceLine

logger = logging.getLogger(__name__)

# The sample person is made up: previews and tests never need a patient.
SAMPLE_FIRST_NAME = "Alex"
TEST_SUBJECT_PREFIX = "[Test] "
TEST_NOTE = "Test message from the nurture track builder: sent to you only, no patient got it."
TEST_HEADER = "X-LeadCRM-Test"
UNSUBSCRIBE_PLACEHOLDER = "(each person's own unsubscribe link)"


@dataclass(frozen=True)
class StepMessage:
    """What a person would receive: an email's subject and text, a text message, or
    the call task's words for the coordinator."""

    channel: str
    subject: str
    text: str
    sample_is_real_lead: bool


def sample_merge_values(*, track: NurtureTrack, user: User) -> dict[str, str]:
    """Merge values of a made-up person on this track, with the manager as their
    coordinator and the track's (or first) service line and the first location."""
    service_line = track.service_line or ServiceLine.objects.filter(is_active=True).first()
    location = Location.objects.filter(is_active=True).order_by("name").first()
    coordinator_phone = user.phone.as_national if user.phone else ""
    if not coordinator_phone and location is not None:
        coordinator_phone = location.phone
    return {
        "first_name": SAMPLE_FIRST_NAME,
        "service_line": service_line.name if service_line else "your inquiry",
        "location": location.name if location else "",
        "coordinator_name": user.get_full_name() or "our intake team",
        "coordinator_phone": coordinator_phone,
        "scheduling_link": track.scheduling_link or settings.NURTURE_SCHEDULING_URL,
    }


def step_preview(
    *, step: NurtureStep, track: NurtureTrack, user: User, lead: Lead | None = None
) -> StepMessage:
    """The step's message for `lead` (one the caller read through
    selectors.preview_lead_get_for_user) or for the sample person."""
    if lead is not None:
        values = merge_values(lead=lead, track=track)
    else:
        values = sample_merge_values(track=track, user=user)
    real = lead is not None
    if step.action == StepAction.EMAIL:
        message = email_compose(
            step=step, track=track, values=values, to="", unsubscribe_link=UNSUBSCRIBE_PLACEHOLDER
        )
        return StepMessage(step.action, message.subject, message.body, real)
    if step.action == StepAction.SMS:
        return StepMessage(step.action, "", sms_compose(step=step, values=values), real)
    return StepMessage(step.action, "", step_call_task_text(step=step, values=values), real)


def step_call_task_text(*, step: NurtureStep, values: dict[str, str]) -> str:
    return merge_fields_render(step.body, values)


def step_test_send(*, step: NurtureStep, track: NurtureTrack, user: User) -> str:
    """Send the step's message, for the sample person, to the user's own email address
    or phone. Returns where it went. Raises ValidationError (keyed "test_send") when
    the user has no address for the channel or the mail server / SMS provider refused."""
    values = sample_merge_values(track=track, user=user)
    if step.action == StepAction.EMAIL:
        return _test_email_send(step=step, track=track, values=values, user=user)
    if step.action == StepAction.SMS:
        return _test_sms_send(step=step, values=values, user=user)
    raise ValidationError({"test_send": "A call task is not sent: its preview shows the task."})


def _test_email_send(*, step, track, values, user: User) -> str:
    if not user.email:
        raise ValidationError({"test_send": "Your account has no email address to send to."})
    message = email_compose(
        step=step,
        track=track,
        values=values,
        to=user.email,
        unsubscribe_link=UNSUBSCRIBE_PLACEHOLDER,
        headers={TEST_HEADER: "nurture step test"},
        subject_prefix=TEST_SUBJECT_PREFIX,
        note=TEST_NOTE,
    )
    try:
        # The connection and timeout deliveries use (apps.nurture.delivery).
        with get_connection(**_email_timeout()) as connection:
            sent = connection.send_messages([message])
    except (smtplib.SMTPException, OSError) as exc:
        logger.info("nurture test email not sent (%s)", type(exc).__name__)
        raise ValidationError(
            {"test_send": f"The mail server did not take the test ({type(exc).__name__})."}
        ) from exc
    if sent != 1:
        raise ValidationError({"test_send": "The mail server did not take the test."})
    return user.email


def _test_sms_send(*, step, values, user: User) -> str:
    if not user.phone:
        raise ValidationError(
            {"test_send": "Your account has no mobile number: add one to test text messages."}
        )
    text = TEST_SUBJECT_PREFIX + sms_compose(step=step, values=values)
    try:
        sms_backend().send(to=str(user.phone), body=text)
    except SmsError as exc:
        raise ValidationError(
            {"test_send": f"The text message provider did not take the test ({exc})."}
        ) from exc
    return user.phone.as_national


def _email_timeout() -> dict:
    # As deliveries do: EMAIL_TIMEOUT when set, else the nurture send timeout.
    if getattr(settings, "EMAIL_TIMEOUT", None):
        return {}
    return {"timeout": settings.NURTURE_SEND_TIMEOUT_SECONDS}
