"""Reads of the liaison's work, always scoped to the asking user.

Liaisons see the referral sources in their territories (and any they own, wherever it
sits: the owner answers for it); managers and admins see every source; other staff see
none of these pages. A source outside a user's scope does not exist for them (404).
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Case,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone

from apps.accounts.choices import Role
from apps.accounts.models import User
from apps.accounts.selectors import user_has_role
from apps.leads.models import Lead
from apps.leads.selectors import lead_visible_to
from apps.pipeline.models import StageKind
from apps.referral_sources.models import ReferralSource
from apps.referrals import figures
from apps.referrals.choices import HealthStatus
from apps.referrals.conf import visit_trend_days
from apps.referrals.models import LiaisonTerritory, LiaisonVisit, LiaisonVisitSource

PROFILE_VISITS_SHOWN = 10


# Liaisons, managers and admins use the referral pages.
REFERRALS_ROLES = (Role.LIAISON, Role.MANAGER, Role.ADMIN)


def user_works_referrals(*, user: User) -> bool:
    """Liaisons, managers and admins use the referral pages."""
    return user_has_role(user=user, roles=set(REFERRALS_ROLES))


def user_sees_all_referral_sources(*, user: User) -> bool:
    return user_has_role(user=user, roles={Role.MANAGER, Role.ADMIN})


def liaison_territory_names(*, user: User) -> list[str]:
    """The territories a liaison covers (read once per request, cached on the user)."""
    names = getattr(user, "_liaison_territory_names", None)
    if names is None:
        names = list(
            LiaisonTerritory.objects.filter(liaison=user).values_list("territory", flat=True)
        )
        user._liaison_territory_names = names
    return names


def referral_source_visible_to(*, user: User) -> QuerySet[ReferralSource]:
    """Every source the user may see and edit on the referral pages."""
    return _narrow_to_scope(sources=ReferralSource.objects.all(), user=user)


def _narrow_to_scope(*, sources: QuerySet[ReferralSource], user: User) -> QuerySet[ReferralSource]:
    if user_sees_all_referral_sources(user=user):
        return sources
    if not user_has_role(user=user, roles={Role.LIAISON}):
        return sources.none()
    return sources.filter(
        Q(territory__in=liaison_territory_names(user=user)) | Q(owning_liaison=user)
    )


def referral_source_get_for_user(*, user: User, source_id: int) -> ReferralSource:
    """One source in the user's scope; raises ReferralSource.DoesNotExist otherwise."""
    return (
        referral_source_visible_to(user=user)
        .select_related("owning_liaison", "parent", "health")
        .get(pk=source_id)
    )


def _last_visited_on() -> Subquery:
    return Subquery(
        LiaisonVisitSource.objects.filter(source=OuterRef("pk"))
        .order_by("-visited_on")
        .values("visited_on")[:1]
    )


# --- Directory --------------------------------------------------------------------------


@dataclass(frozen=True)
class DirectoryFilters:
    query: str = ""
    kind: str = ""
    territory: str = ""
    owning_liaison_id: int | None = None
    health_status: str = ""  # a HealthStatus value, or "unclassified"
    service_line_id: int | None = None


UNCLASSIFIED = "unclassified"


def referral_source_directory(*, user: User, filters: DirectoryFilters) -> QuerySet[ReferralSource]:
    """The directory: sources in the user's scope matching the filters, with their
    owner, health and last visit fetched in the same query."""
    sources = referral_source_visible_to(user=user)
    query = filters.query.strip()
    if query:
        match = Q(name__icontains=query) | Q(organization_name__icontains=query)
        if query.isdigit():
            match |= Q(npi=query)
        sources = sources.filter(match)
    if filters.kind:
        sources = sources.filter(kind=filters.kind)
    if filters.territory:
        sources = sources.filter(territory=filters.territory)
    if filters.owning_liaison_id:
        sources = sources.filter(owning_liaison_id=filters.owning_liaison_id)
    if filters.health_status == UNCLASSIFIED:
        sources = sources.filter(health__isnull=True)
    elif filters.health_status:
        sources = sources.filter(health__status=filters.health_status)
    if filters.service_line_id:
        # Lines referred for in the last 12 months, as of the nightly classification.
        sources = sources.filter(health__service_line_ids__contains=[filters.service_line_id])
    return (
        sources.select_related("owning_liaison", "health")
        .annotate(last_visited_on=_last_visited_on())
        .order_by("name", "pk")
    )


def referral_territory_choices(*, user: User) -> list[str]:
    """The territories the user can filter the directory by."""
    return list(
        referral_source_visible_to(user=user)
        .exclude(territory="")
        .order_by("territory")
        .values_list("territory", flat=True)
        .distinct()
    )


def liaison_list() -> QuerySet[User]:
    """Active liaisons, for filters and for managers logging a visit for someone."""
    return User.objects.filter(groups__name=Role.LIAISON, is_active=True).distinct()


# --- Profile ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceProfile:
    source: ReferralSource
    volume_by_month: list[figures.MonthVolume]
    progress_by_service_line: list[figures.ServiceLineProgress]
    median_days_to_appointment: Decimal | None
    leakage_by_service_line: list[figures.ServiceLineLeakage]
    closed_loop: figures.ClosedLoop
    gift_years: list[figures.GiftYear]
    visits: list[LiaisonVisit]
    open_follow_ups: list[LiaisonVisit]
    trend_around_visits: dict[int, figures.VisitTrend]

    @property
    def referrals_last_12_months(self) -> int:
        return sum(month.referrals for month in self.volume_by_month)

    @property
    def gift_this_year(self) -> figures.GiftYear | None:
        year = timezone.localdate().year
        return next((gift for gift in self.gift_years if gift.year == year), None)


def referral_source_profile(
    *, source: ReferralSource, as_of: dt.datetime | None = None
) -> SourceProfile:
    """Everything the profile page shows about one source (already checked to be in
    the user's scope), in a fixed number of queries whatever its history."""
    as_of = as_of or timezone.now()
    referrals = Lead.objects.filter(referral_source=source)
    visits = list(
        LiaisonVisit.objects.filter(visit_sources__source=source)
        .select_related("liaison")
        .prefetch_related(
            Prefetch("service_lines"),
            Prefetch(
                "visit_sources",
                queryset=LiaisonVisitSource.objects.filter(source=source),
                to_attr="this_source",
            ),
        )
        .order_by("-visited_on", "-id")[:PROFILE_VISITS_SHOWN]
    )
    open_follow_ups = list(
        LiaisonVisit.objects.filter(
            visit_sources__source=source, follow_up_completed_at__isnull=True
        )
        .exclude(follow_up="")
        .select_related("liaison")
        .order_by(F("follow_up_due_on").asc(nulls_last=True), "id")
    )
    trends = figures.referral_trend_around_visits(
        leads=referrals,
        visits=[(visit.pk, visit.visited_on, visit.get_kind_display()) for visit in visits],
        window_days=visit_trend_days(),
        as_of=as_of,
    )
    progress = figures.referral_progress_by_service_line(leads=referrals)
    return SourceProfile(
        source=source,
        volume_by_month=figures.referral_volume_by_month(leads=referrals, as_of=as_of),
        progress_by_service_line=progress,
        median_days_to_appointment=figures.referral_median_days_to_appointment(leads=referrals),
        leakage_by_service_line=figures.referral_leakage_by_service_line(
            leads=referrals, progress=progress
        ),
        closed_loop=figures.referral_closed_loop(leads=referrals),
        gift_years=figures.referral_gift_value_by_year(source_id=source.pk),
        visits=visits,
        open_follow_ups=open_follow_ups,
        trend_around_visits={trend.visit_id: trend for trend in trends},
    )


def referral_leads_awaiting_feedback(
    *, user: User, source: ReferralSource, limit: int = 20
) -> QuerySet[Lead]:
    """Completed referrals from a source whose summary has not gone back yet, oldest
    completion first; only the leads the user may see (ids and service lines, no names)."""
    return (
        lead_visible_to(user=user)
        .filter(
            referral_source=source,
            stage__kind=StageKind.WON,
            referral_feedback_sent_at__isnull=True,
        )
        .select_related("service_line")
        .only("id", "converted_at", "appointment_at", "service_line__name")
        .order_by(F("converted_at").asc(nulls_last=True), "id")[:limit]
    )


# --- Visit plan -------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanEntry:
    source: ReferralSource
    reason: str
    last_visited_on: dt.date | None


PLAN_DECLINING, PLAN_INACTIVE, PLAN_UNVISITED = 0, 1, 2


def visit_plan(
    *, user: User, liaison: User | None = None, limit: int = 50, today: dt.date | None = None
) -> list[PlanEntry]:
    """The sources to visit next, in the user's scope (or one liaison's, for managers):
    declining sources first, the highest former volume first; then inactive ones, the
    same way; then the rest, the longest unvisited (never visited first). One query."""
    today = today or timezone.localdate()
    sources = referral_source_visible_to(user=liaison or user).filter(is_active=True)
    if liaison is not None and liaison != user:
        # A manager looking at one liaison's plan still sees only what they may see.
        sources = _narrow_to_scope(sources=sources, user=user)
    ranked = (
        sources.select_related("health", "owning_liaison")
        .annotate(
            last_visited_on=_last_visited_on(),
            plan_group=Case(
                When(health__status=HealthStatus.DECLINING, then=Value(PLAN_DECLINING)),
                When(health__status=HealthStatus.INACTIVE, then=Value(PLAN_INACTIVE)),
                default=Value(PLAN_UNVISITED),
                output_field=IntegerField(),
            ),
            former_volume=Case(
                When(plan_group__lt=PLAN_UNVISITED, then=F("health__baseline_referrals")),
                default=Value(0),
                output_field=IntegerField(),
            ),
        )
        .order_by(
            "plan_group",
            F("former_volume").desc(),
            F("last_visited_on").asc(nulls_first=True),
            "name",
            "pk",
        )[:limit]
    )
    return [
        PlanEntry(
            source=source,
            reason=_plan_reason(source=source, today=today),
            last_visited_on=source.last_visited_on,
        )
        for source in ranked
    ]


def _plan_reason(*, source: ReferralSource, today: dt.date) -> str:
    if source.last_visited_on is None:
        visited = "Never visited."
    else:
        days = (today - source.last_visited_on).days
        visited = f"Last visit {days} day{'' if days == 1 else 's'} ago."
    if source.plan_group == PLAN_DECLINING:
        return f"Declining: {source.health.reason} {visited}"
    if source.plan_group == PLAN_INACTIVE:
        return f"Inactive: {source.health.reason} {visited}"
    if source.last_visited_on is None:
        return "Never visited."
    return f"Not visited in {(today - source.last_visited_on).days} days."


# --- Visits -----------------------------------------------------------------------------


def visit_source_choices(*, user: User) -> QuerySet[ReferralSource]:
    """The sources a user can log a visit to: active ones in their scope, by name."""
    return (
        referral_source_visible_to(user=user)
        .filter(is_active=True)
        .only("id", "name", "kind", "organization_name", "specialty", "territory")
        .order_by("name", "pk")
    )


def follow_ups_open_for_liaison(*, liaison: User) -> QuerySet[LiaisonVisit]:
    """A liaison's follow-up tasks not done yet, the soonest due first."""
    return (
        LiaisonVisit.objects.filter(liaison=liaison, follow_up_completed_at__isnull=True)
        .exclude(follow_up="")
        .prefetch_related("sources")
        .order_by(F("follow_up_due_on").asc(nulls_last=True), "id")
    )


def visit_get_for_user(*, user: User, visit_id: int) -> LiaisonVisit:
    """A visit the user may act on: their own, or any for managers and admins."""
    visits = LiaisonVisit.objects.all()
    if not user_sees_all_referral_sources(user=user):
        visits = visits.filter(liaison=user)
    return visits.get(pk=visit_id)


def visit_changes_for_source(*, source: ReferralSource, limit: int = 20):
    """Edits and deletions of visits to a source (already in the user's scope), newest
    first, from the GIN index on the sources each change touched."""
    from apps.referrals.models import LiaisonVisitChange

    return (
        LiaisonVisitChange.objects.filter(source_ids__contains=[source.pk])
        .select_related("actor")
        .order_by("-changed_at", "-id")[:limit]
    )
