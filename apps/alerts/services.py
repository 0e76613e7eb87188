"""Writes of alerts: firing them exactly once, emailing them, marking them read.

Exactly once is the database's job: `Alert` has a unique constraint on (lead, level,
recipient, activity) and `alerts_fire` inserts with ON CONFLICT DO NOTHING, so a sweep
that runs twice, a task delivered twice or a worker killed mid-run never makes a second
alert. Only rows that were really inserted get an email task.
"""

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone

from apps.accounts.choices import AlertEmails
from apps.accounts.models import User
from apps.alerts.choices import AlertLevel, EmailStatus
from apps.alerts.models import Alert
from apps.alerts.selectors import lead_owner_or_team_lead
from apps.core.queueing import task_queue
from apps.leads.choices import ActivityKind
from apps.leads.models import Activity, Lead

logger = logging.getLogger(__name__)

# A claimed email not finished within this is taken as lost (worker killed) and retried.
EMAIL_CLAIM_LEASE = dt.timedelta(minutes=10)
# A pending email older than this has lost its task (broker down at commit): requeue it.
EMAIL_RELAY_AFTER = dt.timedelta(minutes=5)


@dataclass(frozen=True)
class AlertSpec:
    """One alert to fire: what happened to which lead, for whom."""

    lead_id: int
    level: str
    recipient_id: int
    activity_id: int | None = None


@transaction.atomic
def alerts_fire(*, alerts: Iterable[AlertSpec], now: dt.datetime | None = None) -> list[int]:
    """Insert the alerts that do not exist yet, in one statement, and return their ids.

    Side effects: one `alert_email_send` task per new alert, queued after commit.
    Alerts that already exist are left as they are (no second email).
    """
    specs = list(dict.fromkeys(alerts))
    if not specs:
        return []
    now = now or timezone.now()
    rows_sql = ", ".join(["(%s, %s, %s, %s, %s, %s, 0)"] * len(specs))
    params: list = []
    for spec in specs:
        params += [
            spec.recipient_id,
            spec.lead_id,
            spec.level,
            spec.activity_id,
            now,
            EmailStatus.PENDING,
        ]
    table = Alert._meta.db_table
    with connection.cursor() as cursor:
        # ON CONFLICT DO NOTHING on the uniqueness constraint: a concurrent or repeated
        # firing waits for the other transaction and then inserts nothing.
        cursor.execute(
            f"INSERT INTO {table} "  # noqa: S608 - table name from model meta, values bound
            "(recipient_id, lead_id, level, activity_id, created_at, email_status, "
            "email_attempts) "
            f"VALUES {rows_sql} ON CONFLICT DO NOTHING RETURNING id",
            params,
        )
        new_ids = [row[0] for row in cursor.fetchall()]
    if new_ids:
        transaction.on_commit(lambda: alert_emails_queue(alert_ids=new_ids))
    return new_ids


def alert_fire(
    *,
    lead: Lead,
    level: str,
    recipients: Iterable[User],
    activity: Activity | None = None,
    now: dt.datetime | None = None,
) -> list[int]:
    """Fire one level about one lead to each recipient; see `alerts_fire`."""
    return alerts_fire(
        alerts=[
            AlertSpec(
                lead_id=lead.pk,
                level=level,
                recipient_id=user.pk,
                activity_id=activity.pk if activity else None,
            )
            for user in recipients
        ],
        now=now,
    )


def alert_emails_queue(*, alert_ids: list[int]) -> int:
    """Queue the emails of new alerts; returns how many alerts were handed to the broker.

    One alert: its `alert_email_send` task directly. Several (a sweep batch): one
    `alert_emails_dispatch` task with their ids, which queues the per-alert tasks from
    a worker, so a burst of breaches never holds the sweep up publishing each email.
    Never raises: this runs after an intake or sweep transaction has committed, and a
    broker that is down or hangs must not fail or stall it. The alerts then stay
    pending for `alert_emails_relay`.
    """
    from apps.alerts.tasks import alert_email_send, alert_emails_dispatch

    if not alert_ids:
        return 0
    if len(alert_ids) == 1:
        return int(_publish(alert_email_send, alert_ids[0], pending=1))
    return (
        len(alert_ids) if _publish(alert_emails_dispatch, alert_ids, pending=len(alert_ids)) else 0
    )


def alert_emails_dispatch(*, alert_ids: list[int]) -> int:
    """Queue one `alert_email_send` task per alert id (run by a worker); returns how
    many were queued. Stops at the first broker error: the relay sends the rest."""
    from apps.alerts.tasks import alert_email_send

    for queued, alert_id in enumerate(alert_ids):
        if not _publish(alert_email_send, alert_id, pending=len(alert_ids) - queued):
            return queued
    return len(alert_ids)


def _publish(task, argument, *, pending: int) -> bool:
    if not task_queue(task, argument):
        logger.warning("alert emails not queued: %d left for the relay", pending)
        return False
    return True


def lead_repeat_inquiry_alert(*, lead: Lead, touch: Activity | None = None) -> list[int]:
    """Alert the owner (or the team lead while unowned) that a person still waiting for
    a first response has inquired again.

    Called at intake after `lead_add_touch`. `touch` is the repeat inquiry; by default
    the lead's latest inquiry on the timeline. Fires once per touch (the touch is part
    of the alert's uniqueness); nothing when the lead was answered, is closed, or has
    nobody to alert yet. Side effects: alert rows, email tasks after commit.
    """
    lead = Lead.objects.select_related("owner", "team__team_lead").get(pk=lead.pk)
    if lead.first_response_at is not None or lead.closed_at is not None:
        return []
    if touch is None:
        touch = (
            Activity.objects.filter(lead=lead, kind=ActivityKind.INQUIRY)
            .order_by("-occurred_at", "-id")
            .first()
        )
    recipients = lead_owner_or_team_lead(lead=lead)
    if touch is None or not recipients:
        return []  # not routed yet: routing and the SLA clock take it from here
    return alert_fire(
        lead=lead, level=AlertLevel.REPEAT_INQUIRY, recipients=recipients, activity=touch
    )


@transaction.atomic
def webhook_endpoint_disabled_alert(*, endpoint_id: int, owner_id: int) -> int:
    """Tell an endpoint's owner that LeadCRM gave up on it and turned it off.

    Each disablement is news: an alert left from an earlier one is replaced.
    Side effect: its email, queued after commit.
    """
    Alert.objects.filter(
        level=AlertLevel.WEBHOOK_DISABLED, webhook_endpoint_id=endpoint_id, recipient_id=owner_id
    ).delete()
    alert = Alert.objects.create(
        level=AlertLevel.WEBHOOK_DISABLED, webhook_endpoint_id=endpoint_id, recipient_id=owner_id
    )
    transaction.on_commit(lambda: alert_emails_queue(alert_ids=[alert.pk]))
    return alert.pk


# What "only urgent ones" means on the account page: someone may be in danger, or a
# person is waiting past their response target, or a record was opened by break-glass.
URGENT_ALERT_LEVELS = frozenset(
    {AlertLevel.RED_FLAG, AlertLevel.BREACH, AlertLevel.EMERGENCY_ACCESS}
)


def alert_email_wanted(*, alert: Alert) -> bool:
    """Whether the recipient gets this alert by email: an active account with an email
    address, and their choice on the account page (every alert, urgent ones, none)."""
    recipient = alert.recipient
    if not recipient.email or not recipient.is_active:
        return False
    if recipient.alert_emails == AlertEmails.NONE:
        return False
    if recipient.alert_emails == AlertEmails.URGENT:
        return alert.level in URGENT_ALERT_LEVELS
    return True


def alert_email_send(*, alert_id: int, final_attempt: bool = False) -> bool:
    """Send one alert's email, at most once per claim. Returns True when sent.

    The alert is claimed first with a conditional UPDATE (pending, or a claim older
    than EMAIL_CLAIM_LEASE), so a task delivered twice sends once. No transaction is
    held open across the SMTP conversation. On an SMTP or connection error the claim
    is released (or, on the final attempt, the alert marked failed) and the error
    re-raised for the task to retry. Side effect: one email.
    """
    now = timezone.now()
    claimed = Alert.objects.filter(
        Q(email_status=EmailStatus.PENDING)
        | Q(email_status=EmailStatus.SENDING, email_claimed_at__lt=now - EMAIL_CLAIM_LEASE),
        pk=alert_id,
    ).update(
        email_status=EmailStatus.SENDING,
        email_claimed_at=now,
        email_attempts=F("email_attempts") + 1,
    )
    if not claimed:
        return False
    alert = Alert.objects.select_related("recipient", "lead").get(pk=alert_id)
    if not alert_email_wanted(alert=alert):
        Alert.objects.filter(pk=alert_id).update(email_status=EmailStatus.NOT_SENT)
        return False
    try:
        alert_email_message(alert=alert).send()
    except Exception:
        Alert.objects.filter(pk=alert_id, email_status=EmailStatus.SENDING).update(
            email_status=EmailStatus.FAILED if final_attempt else EmailStatus.PENDING,
            email_claimed_at=None,
        )
        raise
    Alert.objects.filter(pk=alert_id).update(
        email_status=EmailStatus.SENT, emailed_at=timezone.now()
    )
    return True


ALERT_SUBJECTS = {
    AlertLevel.OWNER_NOTICE: "Lead #{id} is due for a first response soon",
    AlertLevel.BREACH: "Lead #{id} breached its response time",
    AlertLevel.REASSIGNED: "Lead #{id} was reassigned to the fallback team",
    AlertLevel.RED_FLAG: "Lead #{id} needs a call now",
    AlertLevel.MISSED_CALL: "Lead #{id} has a missed call that was not returned",
    AlertLevel.REPEAT_INQUIRY: "Lead #{id} inquired again while waiting",
    AlertLevel.REFERRAL_FEEDBACK_OVERDUE: "Lead #{id}: the referrer is still waiting for a summary",
    AlertLevel.EMERGENCY_ACCESS: "Lead #{id} was opened with emergency access",
}


def lead_url(*, lead_id: int) -> str:
    """The lead page's absolute address, for emails (ids only, never personal data)."""
    return f"{settings.SITE_URL.rstrip('/')}/leads/{lead_id}/"


def alert_email_message(*, alert: Alert) -> EmailMultiAlternatives:
    """The email for one alert: subject with the lead number only, body with what
    happened, the due time and a link; never the person, condition or payer."""
    if alert.lead_id is None:
        return _webhook_alert_email_message(alert=alert)
    lead = alert.lead
    context = {
        "alert": alert,
        "recipient_name": alert.recipient.first_name or alert.recipient.username,
        "lead_id": lead.pk,
        "level_label": alert.get_level_display(),
        "sla_due_at": lead.sla_due_at,
        "lead_url": lead_url(lead_id=lead.pk),
        "alerts_url": f"{settings.SITE_URL.rstrip('/')}/alerts/",
    }
    message = EmailMultiAlternatives(
        subject=ALERT_SUBJECTS[alert.level].format(id=lead.pk),
        body=render_to_string("emails/alerts/alert.txt", context),
        to=[alert.recipient.email],
    )
    message.attach_alternative(render_to_string("emails/alerts/alert.html", context), "text/html")
    return message


def _webhook_alert_email_message(*, alert: Alert) -> EmailMultiAlternatives:
    context = {
        "recipient_name": alert.recipient.first_name or alert.recipient.username,
        "endpoint_id": alert.webhook_endpoint_id,
        "endpoint_url": f"{settings.SITE_URL.rstrip('/')}/webhooks/{alert.webhook_endpoint_id}/",
    }
    return EmailMultiAlternatives(
        subject=f"Webhook endpoint #{alert.webhook_endpoint_id} was disabled",
        body=render_to_string("emails/alerts/webhook_disabled.txt", context),
        to=[alert.recipient.email],
    )


def alert_emails_relay(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """Queue again the emails whose task was lost: pending longer than EMAIL_RELAY_AFTER
    (broker down at commit) or claimed longer than EMAIL_CLAIM_LEASE (worker killed).
    Returns how many were queued. Safe to run twice: the send claims in the database."""
    now = now or timezone.now()
    ids = list(
        Alert.objects.filter(
            Q(email_status=EmailStatus.PENDING, created_at__lt=now - EMAIL_RELAY_AFTER)
            | Q(email_status=EmailStatus.SENDING, email_claimed_at__lt=now - EMAIL_CLAIM_LEASE)
        )
        .order_by("created_at")
        .values_list("id", flat=True)[:limit]
    )
    return alert_emails_dispatch(alert_ids=ids) if ids else 0


def alert_mark_read(*, user: User, alert_id: int) -> bool:
    """Mark one of the user's own alerts read; False when it is not theirs or was read."""
    return bool(
        Alert.objects.filter(pk=alert_id, recipient=user, read_at__isnull=True).update(
            read_at=timezone.now()
        )
    )


def alert_mark_all_read(*, user: User) -> int:
    """Mark every unread alert of the user read; returns how many."""
    return Alert.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())
