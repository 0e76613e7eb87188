"""Delivering nurture steps: the delivery of one send (the sweep that queues due sends
is apps.nurture.send_queue).

Exactly once, in the database:

1. A send row exists once per (enrollment, step) (unique constraint).
2. A worker claims it with a conditional UPDATE, pending → sending, writing a fresh
   claim token. A second delivery of the same task finds nothing to claim.
3. It then locks the row (and the enrollment), checks the rules again, writes the
   timeline entry, the `sent` status and the next step, and sends the message as the
   last thing before COMMIT. The message and its record commit together: if the
   worker dies before the mail server accepted the message, the transaction rolls back
   and the row is still `sending` under the dead worker's claim.
4. A claim older than NURTURE_SEND_LEASE_SECONDS whose row nobody holds locked belongs
   to a dead worker (a live one holds the lock while it sends): the sweep queues it
   again and the next worker takes it over with a new token.

The one window left is between the mail server's "250 accepted" and our COMMIT (a few
hundred microseconds): a worker killed exactly then sends the message again later,
with the same Message-ID, which mail clients use to fold the two into one.
"""

import datetime as dt
import logging
import smtplib
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import get_connection
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from apps.leads.choices import ActivityKind, Direction, Outcome
from apps.leads.models import Lead
from apps.leads.services import activity_log
from apps.nurture.choices import EnrollmentStatus, SendStatus, SkipReason, StepAction
from apps.nurture.merge_fields import merge_fields_render
from apps.nurture.messages import email_build, merge_values, sms_text
from apps.nurture.models import NurtureEnrollment, NurtureSend
from apps.nurture.selectors import CONSENT_CHANNELS, enrollment_exit_reason
from apps.nurture.services import nurture_enrollment_exit, send_schedule
from apps.nurture.sms import SmsError, SmsRejected, sms_backend
from apps.nurture.timing import MESSAGE_CHANNELS, messages_sent_to, send_hold
from apps.people.selectors import consent_is_granted
from apps.pipeline.selectors import stages_by_id
from apps.webhooks import services as webhooks

logger = logging.getLogger(__name__)

# Errors worth another try later: the mail server or SMS provider refused for now,
# dropped the connection or timed out. Anything else is final at once.
RETRYABLE_ERRORS = (smtplib.SMTPException, SmsError, ConnectionError, TimeoutError, OSError)
PERMANENT_ERRORS = (SmsRejected, smtplib.SMTPRecipientsRefused)
# Person-scoped transaction lock (pg_advisory_xact_lock) so that two sends to one
# person never both pass the weekly cap.
PERSON_LOCK_NAMESPACE = 60_601


class SendAttemptFailed(Exception):
    """A delivery attempt failed; `will_retry` says whether the send waits for another."""

    def __init__(self, *, send_id: int, attempts: int, will_retry: bool, error: str):
        super().__init__(f"nurture send {send_id} attempt {attempts} failed: {error}")
        self.send_id, self.attempts, self.will_retry = send_id, attempts, will_retry


# --- Delivering one send ------------------------------------------------------------


def nurture_send_claim(*, send_id: int, now: dt.datetime | None = None) -> uuid.UUID | None:
    """Claim a due send for this worker; None when it is not ours to send (already
    claimed, done, not yet due). Takes over a claim whose worker died (see above)."""
    now = now or timezone.now()
    token = uuid.uuid4()
    claim = {
        "status": SendStatus.SENDING,
        "claim_token": token,
        "claimed_at": now,
        "attempts": F("attempts") + 1,
    }
    if NurtureSend.objects.filter(pk=send_id, status=SendStatus.PENDING, due_at__lte=now).update(
        **claim
    ):
        return token
    lease_before = now - dt.timedelta(seconds=settings.NURTURE_SEND_LEASE_SECONDS)
    with transaction.atomic():
        abandoned = (
            NurtureSend.objects.select_for_update(skip_locked=True)
            .filter(pk=send_id, status=SendStatus.SENDING, claimed_at__lt=lease_before)
            .values_list("pk", flat=True)
            .first()
        )
        if abandoned and NurtureSend.objects.filter(pk=send_id).update(**claim):
            logger.warning("nurture send %s: took over a claim left by a dead worker", send_id)
            return token
    return None


def nurture_send_deliver(*, send_id: int) -> str:
    """Claim and deliver one send. Returns what happened: "sent", "skipped", "held",
    "cancelled", "exited" or "not_claimed".

    Side effects: the email, text or call task; a timeline entry; the next step
    scheduled (or the enrollment completed). On a failure the send goes back to
    pending for a retry, or to failed after NURTURE_SEND_MAX_ATTEMPTS (or at once when
    retrying cannot help), and SendAttemptFailed is raised for the task to retry.
    """
    token = nurture_send_claim(send_id=send_id)
    if token is None:
        return "not_claimed"
    try:
        return _deliver_claimed(send_id=send_id, token=token)
    except Exception as exc:
        attempts, will_retry = _release_after_failure(send_id=send_id, token=token, error=exc)
        raise SendAttemptFailed(
            send_id=send_id, attempts=attempts, will_retry=will_retry, error=_error_text(exc)
        ) from exc


def _deliver_claimed(*, send_id: int, token: uuid.UUID) -> str:
    email_connection = None
    try:
        with transaction.atomic():
            send = _claimed_send_lock(send_id=send_id, token=token)
            if send is None:  # another worker took the claim over
                return "not_claimed"
            lead = send.enrollment.lead
            now = timezone.now()
            stopped = _delivery_stopped(send=send, lead=lead, now=now)
            if stopped:
                return stopped
            if send.channel == StepAction.CALL_TASK:
                activity = _call_task_create(send=send, lead=lead, now=now)
                _sent(send=send, lead=lead, now=now, activity=activity)
                return "sent"
            if send.channel == StepAction.EMAIL:
                email_connection = _email_send(send=send, lead=lead, now=now)
                return "sent"
            provider_id = _sms_send(send=send, lead=lead, now=now)
        # After COMMIT: the text is out and recorded whether or not this lands.
        NurtureSend.objects.filter(pk=send_id).update(provider_message_id=provider_id[:64])
        return "sent"
    finally:
        if email_connection is not None:
            _email_connection_close(email_connection)


def _delivery_stopped(*, send: NurtureSend, lead: Lead, now: dt.datetime) -> str:
    """Why this send goes no further now (its outcome), or "" to deliver it: the
    enrollment ended or must end, the step is skipped, or the person's quiet hours or
    weekly cap hold it."""
    enrollment = send.enrollment
    if enrollment.status != EnrollmentStatus.ACTIVE:
        _finish(send, status=SendStatus.CANCELLED)
        return "cancelled"
    reason = enrollment_exit_reason(enrollment=enrollment, lead=lead)
    if reason:
        nurture_enrollment_exit(enrollment=enrollment, reason=reason)
        _finish(send, status=SendStatus.CANCELLED)
        return "exited"
    skip_reason = _skip_reason(send=send, lead=lead)
    if skip_reason:
        _finish(send, status=SendStatus.SKIPPED, skip_reason=skip_reason)
        _next_step(send=send, lead=lead)
        return "skipped"
    if send.channel in MESSAGE_CHANNELS and _held(send=send, now=now):
        return "held"
    return ""


def _held(*, send: NurtureSend, now: dt.datetime) -> bool:
    """Put the send back to wait when quiet hours or the weekly cap say so."""
    with connection.cursor() as cursor:
        # One person's messages are counted and sent one at a time, whichever worker.
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, %s)",
            [PERSON_LOCK_NAMESPACE, send.person_id % 2**31],
        )
    hold_until, hold_reason = send_hold(
        send=send,
        sent_times={send.person_id: messages_sent_to(person_id=send.person_id, at=now)},
        now=now,
    )
    if hold_until is None:
        return False
    NurtureSend.objects.filter(pk=send.pk).update(
        status=SendStatus.PENDING,
        claim_token=None,
        queued_at=None,
        due_at=hold_until,
        hold_reason=hold_reason,
        attempts=F("attempts") - 1,  # waiting is not a failed attempt
    )
    return True


def _sent(*, send: NurtureSend, lead: Lead, now: dt.datetime, activity) -> None:
    _finish(send, status=SendStatus.SENT, sent_at=now, activity=activity)
    _next_step(send=send, lead=lead)


def _email_send(*, send: NurtureSend, lead: Lead, now: dt.datetime):
    """Record the email as sent, then hand it to the mail server (inside the
    transaction: a refusal rolls the record back). Returns the open connection, closed
    by the caller after commit."""
    message = email_build(send=send)
    activity = _timeline_message(
        send=send, lead=lead, now=now, body=f"{message.subject}\n\n{_step_text(send)}"
    )
    _sent(send=send, lead=lead, now=now, activity=activity)
    email_connection = get_connection(**_email_timeout())
    email_connection.open()
    if email_connection.send_messages([message]) != 1:
        raise smtplib.SMTPException("the email backend sent nothing")
    return email_connection


def _sms_send(*, send: NurtureSend, lead: Lead, now: dt.datetime) -> str:
    """Record the text as sent, then hand it to the SMS provider; its message id."""
    text = sms_text(send=send)
    activity = _timeline_message(send=send, lead=lead, now=now, body=text)
    _sent(send=send, lead=lead, now=now, activity=activity)
    return sms_backend().send(to=str(lead.person.phone), body=text)


def _email_connection_close(email_connection) -> None:
    # After COMMIT the message is recorded as sent; a QUIT that fails changes nothing.
    try:
        email_connection.close()
    except (smtplib.SMTPException, OSError) as exc:
        logger.info("nurture email connection closed uncleanly (%s)", type(exc).__name__)


def _claimed_send_lock(*, send_id: int, token: uuid.UUID) -> NurtureSend | None:
    """Lock our claimed send and its enrollment (exits wait for this lock, so none lands
    half-way through a send) and load what the message needs, in three small queries
    rather than one twelve-table join (bench/README.md, nurture)."""
    send = (
        NurtureSend.objects.select_for_update(of=("self",))
        .select_related("step")
        .filter(pk=send_id, status=SendStatus.SENDING, claim_token=token)
        .first()
    )
    if send is None:
        return None
    send.enrollment = (
        NurtureEnrollment.objects.select_for_update(of=("self",))
        .select_related("track")
        .get(pk=send.enrollment_id)
    )
    lead = Lead.objects.select_related("person", "service_line", "location", "owner").get(
        pk=send.enrollment.lead_id
    )
    lead.stage = stages_by_id([lead.stage_id])[lead.stage_id]  # reference data, cached
    send.enrollment.lead = lead
    return send


def _email_timeout() -> dict:
    # A row lock is held while the mail server answers: never wait on it forever.
    if getattr(settings, "EMAIL_TIMEOUT", None):
        return {}
    return {"timeout": settings.NURTURE_SEND_TIMEOUT_SECONDS}


def _step_text(send: NurtureSend) -> str:
    values = merge_values(lead=send.enrollment.lead, track=send.enrollment.track)
    return merge_fields_render(send.step.body, values)


def _skip_reason(*, send: NurtureSend, lead: Lead) -> str:
    person = lead.person
    purpose = send.enrollment.track.purpose
    if not consent_is_granted(
        person=person, channel=CONSENT_CHANNELS[send.channel], purpose=purpose
    ):
        return SkipReason.NO_CONSENT
    if send.channel == StepAction.EMAIL and not person.email:
        return SkipReason.NO_ADDRESS
    if send.channel == StepAction.SMS and not person.phone:
        return SkipReason.NO_ADDRESS
    if send.channel == StepAction.CALL_TASK and _call_assignee(lead) is None:
        return SkipReason.NO_ASSIGNEE
    return ""


def _call_assignee(lead: Lead):
    if lead.owner is not None:
        return lead.owner
    return lead.team.team_lead if lead.team is not None else None


def _finish(send: NurtureSend, *, status: str, **fields) -> None:
    values = {"status": status, "claim_token": None, "hold_reason": "", **fields}
    NurtureSend.objects.filter(pk=send.pk).update(**values)
    for name, value in values.items():
        setattr(send, name, value)


def _next_step(*, send: NurtureSend, lead: Lead) -> None:
    """Schedule the step after this one from now, or complete the enrollment."""
    step = send.enrollment.track.steps.filter(position__gt=send.step.position).order_by("position")
    following = step.first()
    if following is not None:
        send_schedule(enrollment=send.enrollment, lead=lead, step=following, start=timezone.now())
        return
    completed = NurtureEnrollment.objects.filter(
        pk=send.enrollment_id, status=EnrollmentStatus.ACTIVE
    ).update(status=EnrollmentStatus.COMPLETED, ended_at=timezone.now())
    if completed:
        webhooks.nurture_enrollment_ended_emit(enrollment=send.enrollment, status="completed")


def _nurture_details(send: NurtureSend) -> dict:
    return {
        "nurture_send_id": send.pk,
        "nurture_track_id": send.enrollment.track_id,
        "nurture_step": send.step.position,
    }


def _timeline_message(*, send: NurtureSend, lead: Lead, now: dt.datetime, body: str):
    """The message on the lead's timeline: automatic, no author, so it never stops the
    response clock."""
    return activity_log(
        lead=lead,
        kind=ActivityKind.EMAIL if send.channel == StepAction.EMAIL else ActivityKind.SMS,
        actor=None,
        direction=Direction.OUTBOUND,
        outcome=Outcome.SENT,
        body=f"Nurture “{send.enrollment.track.name}”, step {send.step.position}:\n{body}",
        occurred_at=now,
        is_automated=True,
        details=_nurture_details(send),
    )


def _call_task_create(*, send: NurtureSend, lead: Lead, now: dt.datetime):
    return activity_log(
        lead=lead,
        kind=ActivityKind.TASK,
        actor=None,
        body=_step_text(send),
        occurred_at=now,
        due_at=now,
        assignee=_call_assignee(lead),
        is_automated=True,
        details={**_nurture_details(send), "task_type": "call"},
    )


def _error_text(error: BaseException) -> str:
    """The error's type and SMTP code: never its text, which can quote the address."""
    code = getattr(error, "smtp_code", None)
    text = type(error).__name__ + (f" {code}" if code else "")
    if isinstance(error, SmsError):
        text = f"{text}: {error}"  # our own wording: HTTP status and Twilio's error code
    return text[:200]


def _release_after_failure(
    *, send_id: int, token: uuid.UUID, error: BaseException
) -> tuple[int, bool]:
    """Put a send whose attempt failed back to pending (a retry will come) or, after the
    last attempt or an error retrying cannot fix, to failed, where staff see it.
    Returns (attempts so far, whether it will be retried)."""
    retryable = isinstance(error, RETRYABLE_ERRORS) and not isinstance(error, PERMANENT_ERRORS)
    with transaction.atomic():
        send = (
            NurtureSend.objects.select_for_update()
            .select_related("enrollment__track", "enrollment__lead", "step")
            .filter(pk=send_id, status=SendStatus.SENDING, claim_token=token)
            .first()
        )
        if send is None:
            return 0, False
        will_retry = retryable and send.attempts < settings.NURTURE_SEND_MAX_ATTEMPTS
        if will_retry:
            # Queued now: the task's own retry comes first, the sweep only if it is lost.
            _finish(
                send,
                status=SendStatus.PENDING,
                queued_at=timezone.now(),
                last_error=_error_text(error),
            )
        else:
            _finish(send, status=SendStatus.FAILED, last_error=_error_text(error))
            lead = send.enrollment.lead
            activity_log(
                lead=lead,
                kind=ActivityKind.NOTE,
                actor=None,
                body=(
                    f"Nurture “{send.enrollment.track.name}”, step {send.step.position}: the "
                    f"{send.get_channel_display().lower()} could not be sent "
                    f"after {send.attempts} attempt(s)."
                ),
                is_automated=True,
                details=_nurture_details(send),
            )
            if send.enrollment.status == EnrollmentStatus.ACTIVE:
                _next_step(send=send, lead=lead)
        logger.warning(
            "nurture send %s attempt %s failed (%s)%s",
            send_id,
            send.attempts,
            _error_text(error),
            ", will retry" if will_retry else ", marked failed",
        )
        return send.attempts, will_retry


@transaction.atomic
def nurture_send_retry(*, send: NurtureSend) -> NurtureSend:
    """Staff send a failed message again: back to pending, due now, attempts reset."""
    updated = NurtureSend.objects.filter(pk=send.pk, status=SendStatus.FAILED).update(
        status=SendStatus.PENDING,
        due_at=timezone.now(),
        queued_at=None,
        attempts=0,
        last_error="",
    )
    if not updated:
        raise ValidationError({"send": "Only a failed message can be sent again."})
    send.refresh_from_db()
    return send


def nurture_sends_unqueue(*, send_ids: list[int]) -> int:
    """Sends the broker never took: back to the sweep's next run at once."""
    return NurtureSend.objects.filter(pk__in=send_ids, status=SendStatus.PENDING).update(
        queued_at=None
    )
