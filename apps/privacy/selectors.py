"""Reads of emergency access and the privacy officer's reports on the access log."""

import datetime as dt
from dataclasses import dataclass

from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone

from apps.accounts.choices import Role
from apps.accounts.models import User
from apps.accounts.selectors import user_has_role
from apps.audit.models import AccessLogEntry
from apps.audit.services import access_record
from apps.leads.models import Lead
from apps.leads.selectors import lead_get_by_emergency_access, lead_get_for_user
from apps.people.models import Person
from apps.people.selectors import person_search
from apps.privacy.models import EmergencyAccess


def emergency_access_active(*, user: User, lead_id: int) -> EmergencyAccess | None:
    """The user's unexpired emergency access to this lead, if any."""
    return (
        EmergencyAccess.objects.filter(user=user, lead_id=lead_id, expires_at__gt=timezone.now())
        .order_by("-expires_at")
        .first()
    )


def emergency_access_holders(*, lead_id: int) -> QuerySet[EmergencyAccess]:
    """Who has emergency access to the lead now (the lead page names them)."""
    return (
        EmergencyAccess.objects.filter(lead_id=lead_id, expires_at__gt=timezone.now())
        .select_related("user")
        .order_by("expires_at")
    )


def lead_get_with_emergency_access(
    *, user: User, lead_id: int
) -> tuple[Lead, EmergencyAccess | None]:
    """The lead if the user may see it, or else if they hold unexpired emergency access
    to it (returned with it, so the read is marked break-the-glass); Lead.DoesNotExist
    otherwise (the API answers 404, as for any lead outside the user's scope)."""
    try:
        return lead_get_for_user(user=user, lead_id=lead_id), None
    except Lead.DoesNotExist:
        emergency = emergency_access_active(user=user, lead_id=lead_id)
        if emergency is None:
            raise
        return lead_get_by_emergency_access(lead_id=lead_id), emergency


def lead_read_with_emergency_access(*, user: User, lead_id: int, what: str) -> Lead:
    """lead_get_with_emergency_access for showing the lead's patient: the read is in the
    access log, marked break-the-glass with its reason when opened that way."""
    lead, emergency = lead_get_with_emergency_access(user=user, lead_id=lead_id)
    access_record(
        user=user,
        what=what,
        lead_ids=[lead.pk],
        person_ids=[lead.person_id, lead.caregiver_id],
        break_glass=emergency is not None,
        reason=emergency_reason_text(emergency) if emergency else "",
    )
    return lead


def emergency_reason_text(emergency: EmergencyAccess) -> str:
    """The reason of a break-the-glass as the access log keeps it."""
    return f"{emergency.get_reason_display()}: {emergency.reason_text}"


# --- The privacy officer's reports ---------------------------------------------------

REPORT_LIMIT = 1000


def user_is_privacy_officer(*, user: User) -> bool:
    """The privacy officer's pages are theirs alone (a superuser passes too)."""
    return user_has_role(user=user, roles={Role.PRIVACY_OFFICER})


@dataclass
class PatientAccessReport:
    people: list[Person]
    lead_ids: list[int]
    entries: list[AccessLogEntry]


def access_report_for_patient(*, user: User, query: str) -> PatientAccessReport:
    """Every read of one patient's records, found by lead number, name, phone or email:
    the access log entries naming the people found or any of their leads, newest first.
    The report is itself a read of those records, and is logged."""
    query = query.strip()
    people: list[Person] = []
    lead_ids: list[int] = []
    if query.lstrip("#").isdigit() and len(query.lstrip("#")) < 10:
        lead = Lead.objects.filter(pk=int(query.lstrip("#"))).select_related("person").first()
        people = [lead.person] if lead else []
    elif query:
        people = list(person_search(query=query)[:20])
    if people:
        lead_ids = list(
            Lead.objects.filter(Q(person__in=people) | Q(caregiver__in=people)).values_list(
                "pk", flat=True
            )
        )
    entries = []
    if people:
        entries = list(
            AccessLogEntry.objects.filter(
                Q(person_ids__overlap=[p.pk for p in people]) | Q(lead_ids__overlap=lead_ids)
            ).order_by("-accessed_at", "-id")[:REPORT_LIMIT]
        )
    access_record(
        user=user,
        what="privacy: patient access report",
        lead_ids=lead_ids,
        person_ids=[p.pk for p in people],
    )
    return PatientAccessReport(people=people, lead_ids=lead_ids, entries=entries)


def access_report_for_user(
    *, user: User, subject: User, start: dt.date, end: dt.date
) -> list[AccessLogEntry]:
    """Everything one member of staff was shown between two dates (inclusive)."""
    zone = timezone.get_current_timezone()
    since = dt.datetime.combine(start, dt.time.min, tzinfo=zone)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    entries = list(
        AccessLogEntry.objects.filter(
            user_id=subject.pk, accessed_at__gte=since, accessed_at__lt=until
        ).order_by("-accessed_at", "-id")[:REPORT_LIMIT]
    )
    access_record(
        user=user,
        what="privacy: user access report",
        lead_ids={pk for entry in entries for pk in entry.lead_ids},
        person_ids={pk for entry in entries for pk in entry.person_ids},
    )
    return entries


def emergency_accesses_awaiting_review(*, user: User) -> list[EmergencyAccess]:
    """Break-the-glass uses no privacy officer has reviewed yet, oldest first. Their
    reasons say what a patient needed: the page is in the access log (the leads)."""
    accesses = list(
        EmergencyAccess.objects.filter(reviewed_at__isnull=True)
        .select_related("user")
        .order_by("granted_at", "id")
    )
    access_record(
        user=user,
        what="privacy: break-the-glass review",
        lead_ids=[access.lead_id for access in accesses],
    )
    return accesses


def emergency_access_get(*, access_id: int) -> EmergencyAccess:
    return EmergencyAccess.objects.get(pk=access_id)


@dataclass(frozen=True)
class UnusualDay:
    """A member of staff who opened far more patients' leads on a day than usual."""

    user_id: int
    username: str
    leads: int
    usual: float  # the median of their earlier active days in the window


def unusual_access_days(
    *, day: dt.date, baseline_days: int = 30, factor: float = 3.0, minimum: int = 20
) -> list[UnusualDay]:
    """Users who opened at least `minimum` distinct leads on `day`, more than `factor`
    times their usual day (the median of their active days in the `baseline_days` before).
    One GROUP BY over the access log's partitions for the window."""
    zone = timezone.get_current_timezone()
    since = dt.datetime.combine(day - dt.timedelta(days=baseline_days), dt.time.min, tzinfo=zone)
    until = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH daily AS (
                SELECT a.user_id, a.username, (a.accessed_at AT TIME ZONE %(zone)s)::date AS day,
                    count(DISTINCT lead_id) AS leads
                FROM audit_accesslog a CROSS JOIN LATERAL unnest(a.lead_ids) AS lead_id
                WHERE a.accessed_at >= %(since)s AND a.accessed_at < %(until)s
                GROUP BY 1, 2, 3
            )
            SELECT t.user_id, t.username, t.leads,
                coalesce(percentile_cont(0.5) WITHIN GROUP (ORDER BY b.leads), 0) AS usual
            FROM daily t LEFT JOIN daily b ON b.user_id = t.user_id AND b.day < t.day
            WHERE t.day = %(day)s
            GROUP BY t.user_id, t.username, t.leads
            HAVING t.leads >= %(minimum)s
                AND t.leads > %(factor)s
                    * coalesce(percentile_cont(0.5) WITHIN GROUP (ORDER BY b.leads), 0)
            ORDER BY t.leads DESC
            """,
            {
                "zone": str(zone),
                "since": since,
                "until": until,
                "day": day,
                "minimum": minimum,
                "factor": factor,
            },
        )
        return [UnusualDay(*row) for row in cursor.fetchall()]


def emergency_accesses_on(*, user: User, day: dt.date) -> list[EmergencyAccess]:
    """Leads opened outside the opener's teams (break-the-glass) on a day, with their
    reasons: the page is in the access log (the leads)."""
    accesses = list(EmergencyAccess.objects.filter(granted_at__date=day).select_related("user"))
    access_record(
        user=user,
        what="privacy: unusual patterns",
        lead_ids=[access.lead_id for access in accesses],
    )
    return accesses
