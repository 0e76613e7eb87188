"""Writes of the liaison's work: territories, visits, referrer health, closed-loop
feedback and attribution at appointment, and the overdue-feedback alerts."""

import datetime as dt
import logging
from collections import Counter
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.contrib.postgres.aggregates import ArrayAgg
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, Max, Min, OuterRef, Q, Value
from django.utils import timezone
from django.utils.formats import date_format

from apps.accounts.choices import Role
from apps.accounts.models import User
from apps.accounts.selectors import user_has_role
from apps.alerts.choices import AlertLevel
from apps.alerts.models import Alert
from apps.alerts.services import AlertSpec, alerts_fire
from apps.core.db import advisory_xact_lock
from apps.leads.choices import ActivityKind
from apps.leads.models import Activity, Lead
from apps.leads.services import activity_log
from apps.pipeline.models import StageKind
from apps.referral_sources.models import ReferralSource
from apps.referrals.choices import FeedbackMethod, PersonMet, VisitKind
from apps.referrals.conf import HealthThresholds, feedback_due_days
from apps.referrals.figures import gift_split_evenly
from apps.referrals.health import HealthWindows, ReferralHistory, health_classify
from apps.referrals.models import (
    LiaisonTerritory,
    LiaisonVisit,
    LiaisonVisitSource,
    ReferralSourceHealth,
)
from apps.referrals.selectors import referral_source_visible_to, user_sees_all_referral_sources
from apps.servicelines.models import ServiceLine
from apps.webhooks import services as webhooks

logger = logging.getLogger(__name__)

GIFT_VALUE_MAX = Decimal("10000.00")


# --- Territories ------------------------------------------------------------------------


@transaction.atomic
def liaison_territories_set(*, liaison: User, territories: Iterable[str]) -> list[str]:
    """Make `territories` the ones a liaison covers (adds and removes). Returns them."""
    if not user_has_role(user=liaison, roles={Role.LIAISON}):
        raise ValidationError({"liaison": "Only a liaison covers a territory."})
    names = sorted({name.strip() for name in territories if name.strip()})
    LiaisonTerritory.objects.filter(liaison=liaison).exclude(territory__in=names).delete()
    LiaisonTerritory.objects.bulk_create(
        [LiaisonTerritory(liaison=liaison, territory=name) for name in names],
        ignore_conflicts=True,
    )
    liaison.__dict__.pop("_liaison_territory_names", None)
    return names


# --- Visits -----------------------------------------------------------------------------


def visit_validate(
    *,
    actor: User,
    liaison: User,
    sources: list[ReferralSource],
    visited_on: dt.date,
    kind: str,
    people_met: list[str],
    gift_value: Decimal,
    follow_up: str,
    follow_up_due_on: dt.date | None,
) -> None:
    """The rules of a visit, logged or edited. Raises ValidationError keyed by field."""
    today = timezone.localdate()
    errors: dict[str, str] = {}
    if not sources:
        errors["sources"] = "Choose the source or sources you visited."
    else:
        visible = set(
            referral_source_visible_to(user=actor)
            .filter(pk__in=[source.pk for source in sources])
            .values_list("pk", flat=True)
        )
        if len(visible) != len(sources):
            errors["sources"] = "You can log visits only to sources in your territory."
    if liaison != actor and not user_sees_all_referral_sources(user=actor):
        errors["liaison"] = "You can log only your own visits."
    elif not user_has_role(user=liaison, roles={Role.LIAISON}) and liaison != actor:
        errors["liaison"] = "Choose a liaison."
    if visited_on > today:
        errors["visited_on"] = "A visit cannot be in the future."
    elif visited_on < today - dt.timedelta(days=366):
        errors["visited_on"] = "That is more than a year ago; check the date."
    if kind not in VisitKind.values:
        errors["kind"] = "Choose how the visit took place."
    if set(people_met) - set(PersonMet.values):
        errors["people_met"] = "Choose who you met from the list."
    if gift_value < 0:
        errors["gift_value"] = "The value cannot be negative."
    elif gift_value > GIFT_VALUE_MAX:
        errors["gift_value"] = f"Enter a value up to {GIFT_VALUE_MAX}."
    elif gift_value != gift_value.quantize(Decimal("0.01")):
        errors["gift_value"] = "Enter the value in dollars and cents."
    if follow_up_due_on is not None and not follow_up:
        errors["follow_up"] = "Say what the follow-up is."
    elif follow_up_due_on is not None and follow_up_due_on < visited_on:
        errors["follow_up_due_on"] = "The follow-up cannot be due before the visit."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def visit_log(
    *,
    actor: User,
    liaison: User,
    sources: Sequence[ReferralSource],
    visited_on: dt.date,
    kind: str = VisitKind.IN_PERSON,
    service_lines: Iterable[ServiceLine] = (),
    people_met: Iterable[str] = (),
    materials_left: str = "",
    gift_value: Decimal = Decimal("0.00"),
    gift_description: str = "",
    notes: str = "",
    follow_up: str = "",
    follow_up_due_on: dt.date | None = None,
) -> LiaisonVisit:
    """Record a liaison's visit to one or more referral sources.

    The gift value (meals, items) is split evenly across the sources, cent by cent, so
    each referrer's yearly total for Stark Law records adds up to what was spent.
    A liaison logs their own visits to sources in their scope; managers and admins may
    log for any liaison. Raises ValidationError keyed by field.
    """
    sources = list(dict.fromkeys(sources))
    people_met = list(dict.fromkeys(people_met))
    follow_up = follow_up.strip()
    visit_validate(
        actor=actor,
        liaison=liaison,
        sources=sources,
        visited_on=visited_on,
        kind=kind,
        people_met=people_met,
        gift_value=gift_value,
        follow_up=follow_up,
        follow_up_due_on=follow_up_due_on,
    )

    visit = LiaisonVisit.objects.create(
        liaison=liaison,
        logged_by=actor,
        visited_on=visited_on,
        kind=kind,
        people_met=people_met,
        materials_left=materials_left.strip(),
        gift_value=gift_value,
        gift_description=gift_description.strip(),
        notes=notes.strip(),
        follow_up=follow_up,
        follow_up_due_on=follow_up_due_on,
    )
    shares = gift_split_evenly(total=gift_value, parts=len(sources))
    LiaisonVisitSource.objects.bulk_create(
        [
            LiaisonVisitSource(visit=visit, source=source, visited_on=visited_on, gift_value=share)
            for source, share in zip(sources, shares, strict=True)
        ]
    )
    service_lines = list(service_lines)
    if service_lines:
        visit.service_lines.set(service_lines)
    return visit


@transaction.atomic
def visit_follow_up_complete(*, visit: LiaisonVisit, actor: User) -> bool:
    """Mark a visit's follow-up task done; False when there was none open."""
    done = (
        LiaisonVisit.objects.filter(pk=visit.pk, follow_up_completed_at__isnull=True)
        .exclude(follow_up="")
        .update(follow_up_completed_at=timezone.now())
    )
    visit.refresh_from_db(fields=["follow_up_completed_at"])
    return bool(done)


# --- Referrer health --------------------------------------------------------------------


@transaction.atomic
def referrer_health_classify(
    *,
    as_of: dt.datetime | None = None,
    source_ids: Iterable[int] | None = None,
    thresholds: HealthThresholds | None = None,
) -> dict[str, int]:
    """Classify every referral source (or the given ones) as new, active, declining or
    inactive, and store the verdict with its figures. Returns how many got each status.

    One aggregate query over the leads (it reads the (referral_source, created_at)
    index), one upsert. Running it twice gives the same rows; concurrent runs take
    turns on an advisory lock instead of writing over each other.
    """
    # Days are counted in absolute time: 120 days across a daylight-saving change is
    # 120 x 24 hours, whatever time zone the caller's `as_of` carries.
    as_of = (as_of or timezone.now()).astimezone(dt.UTC)
    thresholds = thresholds or HealthThresholds.from_settings()
    windows = HealthWindows.ending(as_of=as_of, thresholds=thresholds)
    advisory_xact_lock("referrals", "referrer-health")

    sources = ReferralSource.objects.all()
    leads = Lead.objects.filter(referral_source__isnull=False, created_at__lte=as_of)
    if source_ids is not None:
        source_ids = list(source_ids)
        sources = sources.filter(pk__in=source_ids)
        leads = leads.filter(referral_source_id__in=source_ids)
    counts = {
        row["referral_source_id"]: row
        for row in leads.order_by()
        .values("referral_source_id")
        .annotate(
            first_referral_at=Min("created_at"),
            last_referral_at=Max("created_at"),
            recent=Count("id", filter=Q(created_at__gte=windows.recent_start)),
            baseline=Count(
                "id",
                filter=Q(
                    created_at__gte=windows.baseline_start, created_at__lt=windows.recent_start
                ),
            ),
            service_line_ids=ArrayAgg(
                "service_line_id",
                distinct=True,
                filter=Q(created_at__gte=as_of - dt.timedelta(days=365)),
                default=Value([]),
            ),
        )
    }

    rows = []
    statuses: Counter[str] = Counter()
    for source_id, listed_at in sources.order_by().values_list("id", "created_at").iterator():
        row = counts.get(source_id, {})
        history = ReferralHistory(
            listed_at=listed_at,
            first_referral_at=row.get("first_referral_at"),
            last_referral_at=row.get("last_referral_at"),
            recent_referrals=row.get("recent", 0),
            baseline_referrals=row.get("baseline", 0),
        )
        verdict = health_classify(history=history, as_of=as_of, thresholds=thresholds)
        statuses[verdict.status] += 1
        rows.append(
            ReferralSourceHealth(
                source_id=source_id,
                status=verdict.status,
                recent_referrals=history.recent_referrals,
                baseline_referrals=history.baseline_referrals,
                expected_recent_referrals=verdict.expected_recent_referrals,
                first_referral_at=history.first_referral_at,
                last_referral_at=history.last_referral_at,
                reason=verdict.reason[:300],
                service_line_ids=sorted(row.get("service_line_ids") or []),
                classified_at=as_of,
            )
        )
    ReferralSourceHealth.objects.bulk_create(
        rows,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["source"],
        update_fields=[
            "status",
            "recent_referrals",
            "baseline_referrals",
            "expected_recent_referrals",
            "first_referral_at",
            "last_referral_at",
            "reason",
            "service_line_ids",
            "classified_at",
        ],
    )
    return dict(statuses)


# --- Closed loop and attribution --------------------------------------------------------


@transaction.atomic
def referral_feedback_record(
    *,
    lead: Lead,
    actor: User,
    method: str,
    sent_at: dt.datetime | None = None,
    note: str = "",
) -> Activity:
    """Record that the visit summary or consult note went back to the referrer.

    Writes `Lead.referral_feedback_sent_at` (once: a second record is refused, naming
    the first) and a note on the lead's timeline. A note never stops the response
    clock: this is a message to the referrer, not a contact with the patient.
    """
    now = timezone.now()
    sent_at = sent_at or now
    errors: dict[str, str] = {}
    if lead.referral_source_id is None:
        errors["lead"] = "This lead has no referral source to send a summary to."
    elif lead.referral_feedback_sent_at is not None:
        sent_on = timezone.localtime(lead.referral_feedback_sent_at)
        errors["sent_at"] = "The summary was already recorded as sent on " + (
            f"{date_format(sent_on, 'SHORT_DATE_FORMAT')}."
        )
    if method not in FeedbackMethod.values:
        errors["method"] = "Choose how the summary was sent."
    if sent_at > now + dt.timedelta(minutes=1):
        errors["sent_at"] = "The summary cannot be sent in the future."
    elif sent_at < lead.created_at:
        errors["sent_at"] = "The summary cannot be sent before the referral came in."
    if errors:
        raise ValidationError(errors)

    # Conditional UPDATE: two people recording the same summary at once record it once.
    recorded = Lead.objects.filter(pk=lead.pk, referral_feedback_sent_at__isnull=True).update(
        referral_feedback_sent_at=sent_at, updated_at=now
    )
    if not recorded:
        raise ValidationError({"sent_at": "The summary was already recorded as sent."})
    lead.referral_feedback_sent_at = sent_at
    webhooks.referral_feedback_sent_emit(lead=lead, method=method)
    body = f"Visit summary sent to the referrer ({FeedbackMethod(method).label})."
    if note.strip():
        body += f" {note.strip()}"
    return activity_log(
        lead=lead,
        kind=ActivityKind.NOTE,
        actor=actor,
        body=body,
        occurred_at=sent_at,
        details={
            "referral_feedback": {
                "referral_source_id": lead.referral_source_id,
                "method": method,
            }
        },
    )


@transaction.atomic
def referral_source_at_appointment_record(
    *, lead: Lead, source: ReferralSource | None, actor: User
) -> Lead:
    """Record the referral source named at the appointment.

    The source of the first meaningful interaction (`Lead.referral_source`) stays as
    it is; the one at appointment is kept apart only when it differs (naming the same
    source again clears it). Side effect: a note on the lead's timeline.
    """
    lead = (
        Lead.objects.select_for_update(of=("self",))
        .select_related("referral_source")
        .get(pk=lead.pk)
    )
    at_appointment = None if source is None or source.pk == lead.referral_source_id else source
    if at_appointment is None and lead.referral_source_at_appointment_id is None:
        return lead  # nothing changes, and nothing is written on the timeline
    lead.referral_source_at_appointment = at_appointment
    lead.save(update_fields=["referral_source_at_appointment", "updated_at"])
    if at_appointment is None:
        body = "Source at appointment is the same as the referring source."
    else:
        first = lead.referral_source.name if lead.referral_source else "no referral source"
        body = f"Source at appointment: {at_appointment.name} (first interaction: {first})."
    activity_log(
        lead=lead,
        kind=ActivityKind.NOTE,
        actor=actor,
        body=body,
        details={
            "referral_source_at_appointment_id": at_appointment.pk if at_appointment else None
        },
    )
    return lead


def referral_feedback_overdue_alerts_fire(
    *, now: dt.datetime | None = None, limit: int = 2000
) -> int:
    """Alert the owner of each completed referral whose summary has not gone back to
    the referrer `REFERRALS_FEEDBACK_DUE_DAYS` after completion. Returns alerts made.

    The recipient is the lead's owner, or the source's owning liaison when the lead has
    no active owner. Each lead is alerted once (the Alert uniqueness constraint, and the
    NOT EXISTS below keeps the nightly sweep from re-reading old ones). Side effects:
    alert rows, one email task per alert after commit.
    """
    now = now or timezone.now()
    due_before = now - dt.timedelta(days=feedback_due_days())
    level = AlertLevel.REFERRAL_FEEDBACK_OVERDUE
    overdue = (
        Lead.objects.filter(
            stage__kind=StageKind.WON,
            referral_source__isnull=False,
            referral_feedback_sent_at__isnull=True,
            converted_at__lte=due_before,
        )
        .exclude(Exists(Alert.objects.filter(lead=OuterRef("pk"), level=level)))
        .order_by("converted_at", "id")
        .values(
            "id",
            "owner_id",
            "owner__is_active",
            "referral_source__owning_liaison_id",
            "referral_source__owning_liaison__is_active",
        )[:limit]
    )
    specs = []
    for lead in overdue:
        if lead["owner_id"] and lead["owner__is_active"]:
            recipient_id = lead["owner_id"]
        elif lead["referral_source__owning_liaison__is_active"]:
            recipient_id = lead["referral_source__owning_liaison_id"]
        else:
            continue  # nobody to tell; the profile still lists it as awaiting feedback
        specs.append(AlertSpec(lead_id=lead["id"], level=level, recipient_id=recipient_id))
    return len(alerts_fire(alerts=specs, now=now))
