"""Duplicate leads: finding them, merging one into another, and undoing a merge.

A merge folds a duplicate lead into a survivor: every activity of the duplicate moves
to the survivor's timeline, the duplicate is closed as a duplicate (Disqualified,
lost reason "duplicate") and points at the survivor. A LeadMerge row records who merged
what, which activities moved and what each lead looked like before, so undo puts back
exactly that, and nothing logged since.
"""

import datetime as dt
import difflib
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max, Min, Q, QuerySet
from django.db.models.functions import Greatest, Lower
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from apps.accounts.models import User
from apps.leads.choices import ActivityKind, LostReason
from apps.leads.first_response import first_response_filter
from apps.leads.models import Activity, Lead, LeadMerge, clock_stop_expression
from apps.people.models import Person
from apps.pipeline.choices import DefaultStage
from apps.pipeline.selectors import stage_get_by_slug, stage_list_cached

MAX_SUGGESTIONS = 10
# "Jon" and "John", "Kathy" and "Kathie": close enough to ask staff, with the same birth date.
SIMILAR_FIRST_NAME_RATIO = 0.7


@dataclass(frozen=True)
class DuplicateSuggestion:
    """Another lead that may be the same inquiry, and why we think so."""

    lead: Lead
    reasons: tuple[str, ...]


def lead_duplicate_suggestions(
    *, lead: Lead, visible: QuerySet[Lead], limit: int = MAX_SUGGESTIONS
) -> list[DuplicateSuggestion]:
    """Other leads of the same person: the same phone or email (any case), or a similar
    first name with the same last name and birth date. One query.

    `visible` is the asking user's lead queryset (apps.leads.selectors.lead_visible_to):
    staff are never told about leads they may not see. Leads already merged away are left
    out. Needs `lead.person` loaded.
    """
    people = _people_like(lead.person)
    candidates = (
        visible.filter(person_id__in=people, merged_into__isnull=True)
        .exclude(pk=lead.pk)
        .select_related("person", "service_line")
        .order_by("-created_at", "-id")[: limit * 3]
    )
    stages = {stage.pk: stage for stage in stage_list_cached()}
    suggestions = []
    for candidate in candidates:
        candidate.stage = stages[candidate.stage_id]
        reasons = _duplicate_reasons(lead.person, candidate.person)
        if reasons:
            suggestions.append(DuplicateSuggestion(lead=candidate, reasons=reasons))
        if len(suggestions) == limit:
            break
    return suggestions


def _people_like(person: Person) -> QuerySet[Person]:
    """The people who may be this person, as one lookup on the people table.

    PostgreSQL answers the OR with a BitmapOr of the phone, lower(email) and name
    indexes. The same OR through the lead-to-person join scanned every lead (6 s on 1M
    leads). Names match on the last name and the first letter of the first name
    (person_name_dob_lower_idx); how similar the first names are is judged in Python.
    """
    same = Q(pk=person.pk)
    if person.phone:
        same |= Q(phone=person.phone)
    if person.email:
        same |= Q(email_lower=person.email.lower())
    first = person.first_name.strip().lower()
    if person.date_of_birth and person.last_name and first:
        same |= Q(
            last_lower=person.last_name.lower(),
            first_lower__gte=first[0],
            first_lower__lt=chr(ord(first[0]) + 1),
            date_of_birth=person.date_of_birth,
        )
    return (
        Person.objects.annotate(
            email_lower=Lower("email"),
            last_lower=Lower("last_name"),
            first_lower=Lower("first_name"),
        )
        .filter(same)
        .order_by()
        .values("pk")
    )


def lead_merge_reasons(*, survivor: Lead, duplicate: Lead) -> tuple[str, ...]:
    """Why two leads may be one person's (empty: they may not be merged). Needs both
    leads' `person` loaded."""
    return _duplicate_reasons(survivor.person, duplicate.person)


def _duplicate_reasons(person, other) -> tuple[str, ...]:
    if other.pk == person.pk:
        return ("same person",)
    reasons = []
    if person.phone and other.phone == person.phone:
        reasons.append("same phone")
    if person.email and other.email.lower() == person.email.lower():
        reasons.append("same email")
    if (
        person.date_of_birth
        and other.date_of_birth == person.date_of_birth
        and other.last_name.lower() == person.last_name.lower()
        and _first_names_similar(person.first_name, other.first_name)
    ):
        reasons.append("similar name, same birth date")
    return tuple(reasons)


def _first_names_similar(first: str, other: str) -> bool:
    first, other = first.casefold().strip(), other.casefold().strip()
    if not first or not other:
        return False
    if first.startswith(other) or other.startswith(first):
        return True
    return difflib.SequenceMatcher(a=first, b=other).ratio() >= SIMILAR_FIRST_NAME_RATIO


def lead_merges_for(*, lead_ids: list[int]) -> QuerySet[LeadMerge]:
    """The merges that involve these leads, either side, newest first, for the timeline."""
    return (
        LeadMerge.objects.filter(Q(survivor_id__in=lead_ids) | Q(duplicate_id__in=lead_ids))
        .select_related("merged_by", "undone_by")
        .order_by("-merged_at", "-id")
    )


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def _datetime(value: str | None) -> dt.datetime | None:
    return parse_datetime(value) if value else None


@transaction.atomic
def lead_merge(*, survivor: Lead, duplicate: Lead, actor: User) -> LeadMerge:
    """Fold `duplicate` into `survivor`.

    Side effects: the duplicate's activities move to the survivor; the survivor takes the
    duplicate's touches and, if earlier, its first response; the duplicate is closed as
    Disqualified (lost reason "duplicate") with a stage change on its own timeline; a
    LeadMerge row records all of it for undo. Raises ValidationError keyed by field.
    """
    # Both rows locked in id order, so two merges of the same pair cannot deadlock.
    locked = {
        lead.pk: lead
        for lead in Lead.objects.select_for_update(of=("self",))
        .select_related("stage", "person")
        .filter(pk__in=[survivor.pk, duplicate.pk])
        .order_by("pk")
    }
    survivor, duplicate = locked[survivor.pk], locked[duplicate.pk]
    errors = {}
    if survivor.pk == duplicate.pk:
        errors["duplicate"] = "A lead cannot be merged into itself."
    elif not lead_merge_reasons(survivor=survivor, duplicate=duplicate):
        # A merge moves inquiries and call notes: onto another patient's lead it would
        # show them to the wrong person's team.
        errors["duplicate"] = (
            f"Lead #{duplicate.pk} is not the same person: only leads of one person, or "
            "of people the duplicate check matches (phone, email, or name and birth "
            "date), can be merged."
        )
    elif duplicate.merged_into_id is not None:
        errors["duplicate"] = (
            f"Lead #{duplicate.pk} is already merged into #{duplicate.merged_into_id}."
        )
    elif survivor.merged_into_id is not None:
        errors["survivor"] = (
            f"Lead #{survivor.pk} is itself merged into #{survivor.merged_into_id}: merge there."
        )
    if errors:
        raise ValidationError(errors)

    now = timezone.now()
    moved_ids = list(
        Activity.objects.filter(lead=duplicate).order_by("id").values_list("id", flat=True)
    )
    Activity.objects.filter(pk__in=moved_ids).update(lead=survivor)

    survivor_before = {
        "touch_count": survivor.touch_count,
        "last_touch_at": _iso(survivor.last_touch_at),
        "first_response_at": _iso(survivor.first_response_at),
    }
    survivor.touch_count += duplicate.touch_count
    survivor.last_touch_at = max(survivor.last_touch_at, duplicate.last_touch_at)
    survivor_fields = ["touch_count", "last_touch_at", "updated_at"]
    # The person was already answered on the duplicate: the survivor's clock stops too,
    # unless that answer came before the survivor existed (a response cannot precede it).
    answered_on_duplicate = duplicate.first_response_at
    if (
        answered_on_duplicate is not None
        and answered_on_duplicate >= survivor.created_at
        and (
            survivor.first_response_at is None or answered_on_duplicate < survivor.first_response_at
        )
    ):
        survivor.first_response_at = answered_on_duplicate
        survivor_fields.append("first_response_at")
    survivor.save(update_fields=survivor_fields)

    duplicate_before = {
        "stage_id": duplicate.stage_id,
        "stage_entered_at": _iso(duplicate.stage_entered_at),
        "closed_at": _iso(duplicate.closed_at),
        "lost_reason": duplicate.lost_reason,
        "lost_reason_note": duplicate.lost_reason_note,
    }
    duplicate.merged_into = survivor
    duplicate_fields = ["merged_into", "updated_at"]
    from_stage = duplicate.stage
    if duplicate.closed_at is None:
        # Closed the way any duplicate inquiry is, so funnels and leakage reports agree.
        duplicate.stage = stage_get_by_slug(DefaultStage.DISQUALIFIED)
        duplicate.stage_entered_at = now
        duplicate.closed_at = now
        duplicate.lost_reason = LostReason.DUPLICATE
        duplicate.lost_reason_note = f"Merged into lead #{survivor.pk}"
        duplicate_fields += [
            "stage",
            "stage_entered_at",
            "closed_at",
            "lost_reason",
            "lost_reason_note",
        ]
    duplicate.save(update_fields=duplicate_fields)

    merge = LeadMerge.objects.create(
        survivor=survivor,
        duplicate=duplicate,
        merged_by=actor,
        merged_at=now,
        moved_activity_ids=moved_ids,
        survivor_before=survivor_before,
        duplicate_before=duplicate_before,
    )
    if from_stage.pk != duplicate.stage_id:
        Activity.objects.create(
            lead=duplicate,
            kind=ActivityKind.STAGE_CHANGE,
            author=actor,
            from_stage=from_stage,
            to_stage=duplicate.stage,
            occurred_at=now,
            body=f"Merged into lead #{survivor.pk}",
            details={"lost_reason": LostReason.DUPLICATE, "merge_id": merge.pk},
        )
    return merge


@transaction.atomic
def lead_merge_undo(*, merge: LeadMerge, actor: User) -> LeadMerge:
    """Undo a merge: the moved activities go back, the duplicate reopens at the stage it
    had, and the survivor's touches and first response are as if it never happened.

    Activities logged on the survivor since the merge stay on the survivor. Side effects:
    a stage change on the duplicate's timeline when it is reopened. Raises ValidationError.
    """
    merge = LeadMerge.objects.select_for_update().get(pk=merge.pk)
    if merge.undone_at is not None:
        raise ValidationError({"merge": "This merge has already been undone."})
    locked = {
        lead.pk: lead
        for lead in Lead.objects.select_for_update()
        .select_related("stage")
        .filter(pk__in=[merge.survivor_id, merge.duplicate_id])
        .order_by("pk")
    }
    survivor, duplicate = locked[merge.survivor_id], locked[merge.duplicate_id]
    now = timezone.now()

    Activity.objects.filter(pk__in=merge.moved_activity_ids, lead=survivor).update(lead=duplicate)

    before = merge.survivor_before
    merged_touches = max(0, survivor.touch_count - before["touch_count"])
    touches_since = (
        survivor.activities.filter(kind=ActivityKind.INQUIRY, occurred_at__gt=merge.merged_at)
        .order_by()
        .aggregate(latest=Max("occurred_at"))["latest"]
    )
    Lead.objects.filter(pk=survivor.pk).update(
        touch_count=Greatest(F("touch_count") - merged_touches, 1),
        last_touch_at=max(filter(None, [_datetime(before["last_touch_at"]), touches_since])),
        first_response_at=_earliest_first_response(
            lead=survivor, floor=_datetime(before["first_response_at"])
        ),
        updated_at=now,
    )

    duplicate_before = merge.duplicate_before
    reopened = duplicate.stage_id != duplicate_before["stage_id"]
    from_stage = duplicate.stage
    duplicate.merged_into = None
    duplicate.stage_id = duplicate_before["stage_id"]
    duplicate.stage_entered_at = _datetime(duplicate_before["stage_entered_at"])
    duplicate.closed_at = _datetime(duplicate_before["closed_at"])
    duplicate.lost_reason = duplicate_before["lost_reason"]
    duplicate.lost_reason_note = duplicate_before["lost_reason_note"]
    duplicate.save(
        update_fields=[
            "merged_into",
            "stage",
            "stage_entered_at",
            "closed_at",
            "lost_reason",
            "lost_reason_note",
            "updated_at",
        ]
    )
    if reopened:
        Activity.objects.create(
            lead=duplicate,
            kind=ActivityKind.STAGE_CHANGE,
            author=actor,
            from_stage=from_stage,
            to_stage_id=duplicate_before["stage_id"],
            occurred_at=now,
            body=f"Merge into lead #{survivor.pk} undone",
            details={"merge_id": merge.pk, "undo": True},
        )

    merge.undone_at, merge.undone_by = now, actor
    merge.save(update_fields=["undone_at", "undone_by"])
    return merge


def _earliest_first_response(*, lead: Lead, floor: dt.datetime | None) -> dt.datetime | None:
    """The response clock as activity_log would have stopped it: the earliest first
    response still on the lead, or what was recorded before (`floor`)."""
    earliest = (
        lead.activities.filter(first_response_filter())
        .order_by()
        .aggregate(earliest=Min(clock_stop_expression()))["earliest"]
    )
    candidates = [value for value in (earliest, floor) if value is not None]
    return min(candidates) if candidates else None
