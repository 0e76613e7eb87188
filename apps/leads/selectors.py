"""Reads of leads, always scoped to what the asking user may see."""

from dataclasses import dataclass
from functools import cache

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Lower

from apps.accounts.choices import Role
from apps.accounts.models import User
from apps.accounts.selectors import user_has_role, user_sees_all_leads
from apps.audit.services import access_record
from apps.facilities.selectors import locations_by_id
from apps.leads.models import Activity, Lead
from apps.people.models import Person
from apps.people.selectors import name_query_words, name_search_condition, person_search
from apps.pipeline.models import PipelineStage
from apps.pipeline.selectors import stages_by_id
from apps.referral_sources.selectors import referral_source_ids_owned_by
from apps.servicelines.models import ServiceLine
from apps.servicelines.selectors import service_lines_by_id
from apps.teams.selectors import team_ids_for_user


def lead_visible_to(*, user: User, leads: QuerySet[Lead] | None = None) -> QuerySet[Lead]:
    """The leads whose patient the user may see (name, contact, messages, timeline):
    managers and admins every lead; everyone else the leads they own and the leads of
    their teams. The one definition of a lead's patient-level scope.

    `leads` (default: all of them) is the queryset to narrow, such as a values() query.
    Liaisons' referral leads are not here: see lead_referral_visible_to.
    """
    if leads is None:
        leads = Lead.objects.all()
    if user_sees_all_leads(user=user):
        return leads
    return leads.filter(Q(owner=user) | Q(team_id__in=team_ids_for_user(user=user)))


def lead_referral_visible_to(*, user: User, leads: QuerySet[Lead] | None = None) -> QuerySet[Lead]:
    """The leads the user may see at referral level (de-identified: REFERRAL_LEAD_FIELDS):
    those of lead_visible_to and, for liaisons, the leads from referral sources they own."""
    if leads is None:
        leads = Lead.objects.all()
    if user_sees_all_leads(user=user):
        return leads
    # Ids, not joins: with every branch on a lead column PostgreSQL combines the
    # owner, team and referral-source indexes. A join to referral sources inside the OR
    # scanned all 1M leads (0.9 s) for a user who sees few of them.
    visible = Q(owner=user) | Q(team_id__in=team_ids_for_user(user=user))
    if user_has_role(user=user, roles={Role.LIAISON}):
        visible |= Q(referral_source_id__in=referral_source_ids_owned_by(user=user))
    return leads.filter(visible)


# What a liaison may read of a lead: referral-level facts, nothing naming or describing
# the patient (no person, caregiver, message, condition, answers, notes, lost-reason note).
REFERRAL_LEAD_FIELDS = (
    "id",
    "lead_type",
    "channel",
    "service_line_id",
    "location_id",
    "stage_id",
    "stage_entered_at",
    "referral_source_id",
    "referral_source_at_appointment_id",
    "created_at",
    "first_response_at",
    "scheduled_at",
    "appointment_at",
    "converted_at",
    "closed_at",
    "lost_reason",
    "referral_feedback_sent_at",
)


def lead_referral_rows_for_user(*, user: User) -> QuerySet[Lead]:
    """De-identified lead rows (dicts of REFERRAL_LEAD_FIELDS) the user may see."""
    return lead_referral_visible_to(user=user).values(*REFERRAL_LEAD_FIELDS)


def lead_referral_get_for_user(*, user: User, lead_id: int) -> Lead:
    """One lead at referral level, only REFERRAL_LEAD_FIELDS loaded; raises
    Lead.DoesNotExist outside the user's referral scope (views answer 404)."""
    return (
        lead_referral_visible_to(user=user)
        .select_related(
            "service_line", "stage", "referral_source", "referral_source_at_appointment"
        )
        .only(
            *REFERRAL_LEAD_FIELDS,
            "service_line__slug",
            "service_line__name",
            "stage__slug",
            "stage__name",
            "stage__kind",
            "referral_source__name",
            "referral_source_at_appointment__name",
        )
        .get(pk=lead_id)
    )


def lead_referral_detail_for_user(*, user: User, lead_id: int) -> Lead:
    """lead_referral_get_for_user for showing the lead: the de-identified read is logged
    (lead ids only), as the API's is."""
    lead = lead_referral_get_for_user(user=user, lead_id=lead_id)
    access_record(user=user, what="referral lead page (de-identified)", lead_ids=[lead.pk])
    return lead


def lead_list_for_user(*, user: User) -> QuerySet[Lead]:
    """Leads for list views, with what a list row shows fetched in the same query."""
    return lead_visible_to(user=user).select_related(
        "person", "service_line", "location", "stage", "owner", "team"
    )


# What a lead's detail shows besides a list row's (lead_list_for_user).
LEAD_DETAIL_RELATED = ("caregiver", "referral_source", "appointment_location")


def lead_get_for_user(*, user: User, lead_id: int) -> Lead:
    """One lead the user may see; raises Lead.DoesNotExist otherwise (views answer 404)."""
    return lead_list_for_user(user=user).select_related(*LEAD_DETAIL_RELATED).get(pk=lead_id)


def lead_get_by_emergency_access(*, lead_id: int) -> Lead:
    """One lead loaded as lead_get_for_user loads it, whatever the user's scope: only for
    apps.privacy, once it has found the user's unexpired emergency access to the lead."""
    return Lead.objects.select_related(
        "person", "service_line", "location", "stage", "owner", "team", *LEAD_DETAIL_RELATED
    ).get(pk=lead_id)


def lead_rows_shown(*, user: User, rows: list[dict], what: str) -> None:
    """Record a page of lead rows (LEAD_ROW_FIELDS or REFERRAL_LEAD_FIELDS dicts) as
    shown to the user: one access log entry with every lead and person on the page."""
    access_record(
        user=user,
        what=what,
        lead_ids=[row["id"] for row in rows],
        person_ids=[row["person_id"] for row in rows if "person_id" in row],
    )


def lead_find_open_for_caregiver(
    *, service_line: ServiceLine, phone: str = "", email: str = "", patient_first_name: str = ""
) -> Lead | None:
    """The open lead for a service line that a caregiver with this phone or email already
    inquired about: a caregiver writing again for the same patient joins it. When both
    name the patient, the first names must agree (one caregiver, two parents)."""
    contact = Q()
    if phone:
        contact |= Q(caregiver__phone=phone)
    if email:
        contact |= Q(caregiver_email_lower=email.lower())
    if not contact:
        return None
    leads = Lead.objects.annotate(caregiver_email_lower=Lower("caregiver__email")).filter(
        contact, service_line=service_line, closed_at__isnull=True
    )
    if patient_first_name:
        leads = leads.filter(
            Q(person__first_name="") | Q(person__first_name__iexact=patient_first_name)
        )
    return leads.order_by("-created_at", "-id").first()


def lead_find_open_for_contact(
    *, service_line: ServiceLine, phone: str = "", email: str = ""
) -> Lead | None:
    """The open lead of a person with this phone (E.164) or email (any case) for a service
    line: a repeat inquiry joins it instead of opening a second lead."""
    contact = Q()
    if phone:
        contact |= Q(person__phone=phone)
    if email:
        contact |= Q(person_email_lower=email.lower())
    if not contact:
        return None
    return (
        Lead.objects.annotate(person_email_lower=Lower("person__email"))
        .filter(contact, service_line=service_line, closed_at__isnull=True)
        .order_by("-created_at", "-id")
        .first()
    )


def lead_timeline(*, lead: Lead) -> QuerySet[Activity]:
    """Everything that happened to a lead, newest first."""
    return lead.activities.select_related("author", "from_stage", "to_stage", "assignee").order_by(
        "-occurred_at", "-id"
    )


def lead_search(*, leads: QuerySet[Lead], query: str) -> QuerySet[Lead]:
    """The leads whose patient or caregiver matches a search box: a name, an email in any
    case, or a phone typed in any format (see apps.people.selectors.person_search).
    Closed leads too: the lead list's search, unlike the queue's (open_lead_match)."""
    people = person_search(query=query).values("pk")
    # A UNION of two index lookups: `person IN (...) OR caregiver IN (...)` cannot use
    # either index and walked every lead (0.5 s on 1M leads for one phone number).
    narrowed = leads.order_by()
    matching = (
        narrowed.filter(person__in=people)
        .values("pk")
        .union(narrowed.filter(caregiver__in=people).values("pk"))
    )
    return leads.filter(pk__in=matching)


def lead_ids_search(*, leads: QuerySet[Lead], query: str, limit: int) -> list[int]:
    """The ids of up to `limit` of the open leads in `leads` whose patient or caregiver
    matches a search box (open_lead_match): patients' leads first, then caregivers' if
    there is room.

    Each side stops once it has enough. Not one UNION ALL under a LIMIT: PostgreSQL runs
    its two sides side by side in parallel workers, and reads the caregivers' side
    whole."""
    sides = _open_lead_match_sides(query=query)
    if sides is None:
        return []
    leads = leads.filter(closed_at__isnull=True).order_by()
    patients, caregivers = (leads.filter(side).values_list("pk", flat=True) for side in sides)
    found = list(patients[:limit])
    if len(found) < limit:
        found += caregivers[: limit - len(found)]
    # A lead whose patient and caregiver both match is found twice: kept once.
    return list(dict.fromkeys(found))


def open_lead_match(*, query: str, prefix: str = "") -> Q:
    """A search box's text as a condition on open leads (or on a relation to them, with
    `prefix`, such as "lead__" from a task): their patient or caregiver matches it as
    person_search matches people.

    A name is matched on the lead's own copy of its people's names, which the indexes of
    open leads by owner or team and name serve: a surname shared by tens of thousands of
    people costs what the leads within one coordinator's reach that have it cost, not a
    look at each of those people. An email or a phone finds its few people first."""
    sides = _open_lead_match_sides(query=query, prefix=prefix)
    return Q(pk__in=[]) if sides is None else sides[0] | sides[1]


def _open_lead_match_sides(*, query: str, prefix: str = "") -> tuple[Q, Q] | None:
    # (the patient matches, the caregiver matches); None when nothing is left to search.
    words = name_query_words(query)
    if words is None:
        people = person_search(query=query).values("pk")
        return Q(**{f"{prefix}person__in": people}), Q(**{f"{prefix}caregiver__in": people})
    if not words:
        return None
    patient = name_search_condition(
        words, last=f"{prefix}patient_last_name_lower", first=f"{prefix}patient_first_name_lower"
    )
    caregiver = name_search_condition(
        words,
        last=f"{prefix}caregiver_last_name_lower",
        first=f"{prefix}caregiver_first_name_lower",
    )
    return patient, Q(**{f"{prefix}caregiver__isnull": False}) & caregiver


# What a row of a lead list shows, read as dicts: model instances for 50 rows cost more
# than the query. The owner's and team's names are joined; the reference tables' names
# come from the reference cache (see lead_row_names).
LEAD_ROW_FIELDS = (
    "id",
    "person_id",
    "person__first_name",
    "person__last_name",
    "lead_type",
    "channel",
    "service_line_id",
    "location_id",
    "urgency",
    "stage_id",
    "stage_entered_at",
    "owner_id",
    "owner__username",
    "owner__first_name",
    "owner__last_name",
    "team_id",
    "team__name",
    "referral_source_id",
    "score",
    "created_at",
    "first_response_at",
    "sla_due_at",
    "closed_at",
)


def lead_rows(*, leads: QuerySet[Lead]) -> QuerySet[Lead]:
    """A lead list as dicts of LEAD_ROW_FIELDS: the lead with its person, owner and team."""
    return leads.values(*LEAD_ROW_FIELDS)


def lead_rows_for_user(*, user: User) -> QuerySet[Lead]:
    """The rows of the lead list the user may see, as dicts of LEAD_ROW_FIELDS; filter,
    order and page them like any queryset."""
    return lead_visible_to(user=user, leads=_all_lead_rows().all())


@cache
def _all_lead_rows() -> QuerySet[Lead]:
    # Built once per process and cloned per request, like a view's `queryset`
    # attribute: values() resolves nineteen field paths, and clones share the resolved
    # columns (the cost is in bench/README.md).
    return lead_rows(leads=Lead.objects.all())


@dataclass(frozen=True)
class LeadRowNames:
    """What the ids in a page of lead rows are called, keyed by id."""

    service_lines: dict[int, tuple[str, str]]  # (slug, name)
    locations: dict[int, tuple[str, str]]  # (slug, name)
    stages: dict[int, PipelineStage]
    users: dict[int, str]  # display name
    teams: dict[int, str]


def lead_row_names(*, rows: list[dict]) -> LeadRowNames:
    """The names of the service lines, locations, stages, owners and teams of a page of
    rows, without a query of its own: service lines, locations and stages from the
    reference cache (apps.core.reference_cache, its one staleness rule), owners' and
    teams' names from the rows (LEAD_ROW_FIELDS joins them; two small joins plan
    quickly, where the five reference tables made PostgreSQL plan a seven-way join)."""

    if not rows:
        return LeadRowNames(service_lines={}, locations={}, stages={}, users={}, teams={})

    def ids(column: str) -> set[int]:
        return {row[column] for row in rows if row.get(column) is not None}

    return LeadRowNames(
        service_lines={
            pk: (line.slug, line.name)
            for pk, line in service_lines_by_id(ids("service_line_id")).items()
        },
        locations={
            pk: (location.slug, location.name)
            for pk, location in locations_by_id(ids("location_id")).items()
        },
        stages=stages_by_id(ids("stage_id")),
        users={
            row["owner_id"]: _display_name(
                row["owner__first_name"], row["owner__last_name"], row["owner__username"]
            )
            for row in rows
            if row.get("owner_id") is not None
        },
        teams={row["team_id"]: row["team__name"] for row in rows if row.get("team_id") is not None},
    )


def _display_name(first_name: str | None, last_name: str | None, username: str) -> str:
    # User.display_name, from a row's columns
    return f"{first_name or ''} {last_name or ''}".strip() or username


def lead_list_for_person(*, user: User, person: Person) -> QuerySet[Lead]:
    """The leads of a person (as patient or caregiver) that the user may see, newest first."""
    return (
        lead_visible_to(user=user)
        .filter(Q(person=person) | Q(caregiver=person))
        .select_related("service_line", "stage")
        .order_by("-created_at", "-id")
    )


def person_list_for_user(*, user: User) -> QuerySet[Person]:
    """The people the user may see: the patient or caregiver of a lead visible to them."""
    people = Person.objects.all()
    if user_sees_all_leads(user=user):
        return people
    visible = lead_visible_to(user=user)
    # Two correlated EXISTS probe the person and caregiver indexes of leads while people
    # are read newest first, so a page stops after about 50 hits. (A UNION of visible
    # leads' people took 2.6 s for a coordinator seeing 250k of 1M leads; the price of
    # EXISTS is paid by a user who sees almost nothing: ~0.75 s to find that out.)
    return people.filter(
        Exists(visible.filter(person_id=OuterRef("pk")))
        | Exists(visible.filter(caregiver_id=OuterRef("pk")))
    )


def people_shown(*, user: User, person_ids: list[int], what: str) -> None:
    """Record a page of people as shown to the user (one access log entry)."""
    access_record(user=user, what=what, person_ids=person_ids)


def person_get_for_user(*, user: User, person_id: int) -> Person:
    """One person the user may see; raises Person.DoesNotExist otherwise (views answer
    404). The read is in the access log."""
    people = Person.objects.select_related("patient")
    if not user_sees_all_leads(user=user):
        people = people.filter(
            Exists(
                lead_visible_to(user=user).filter(
                    Q(person_id=OuterRef("pk")) | Q(caregiver_id=OuterRef("pk"))
                )
            )
        )
    person = people.get(pk=person_id)
    access_record(user=user, what="person", person_ids=[person.pk])
    return person
