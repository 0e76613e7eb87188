"""Editing and deleting liaison visits. Each change keeps who, when, why and the values
before and after (LiaisonVisitChange), shown on every source the visit touched."""

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from apps.accounts.models import User
from apps.referral_sources.models import ReferralSource
from apps.referrals.choices import PersonMet
from apps.referrals.figures import gift_split_evenly
from apps.referrals.models import (
    LiaisonVisit,
    LiaisonVisitChange,
    LiaisonVisitSource,
    VisitChangeAction,
)
from apps.referrals.selectors import user_sees_all_referral_sources
from apps.referrals.services import visit_validate
from apps.servicelines.models import ServiceLine

PERSON_MET_LABELS = dict(PersonMet.choices)


@transaction.atomic
def visit_update(
    *,
    visit: LiaisonVisit,
    actor: User,
    reason: str,
    sources: Sequence[ReferralSource],
    visited_on: dt.date,
    kind: str,
    service_lines: Iterable[ServiceLine] = (),
    people_met: Iterable[str] = (),
    materials_left: str = "",
    gift_value: Decimal = Decimal("0.00"),
    gift_description: str = "",
    notes: str = "",
    follow_up: str = "",
    follow_up_due_on: dt.date | None = None,
) -> LiaisonVisitChange | None:
    """Correct a visit, with the same rules as logging one, and record the fields changed
    (before and after) and the reason. The gift is split across the sources again.
    Returns the change recorded, or None when nothing changed."""
    visit = LiaisonVisit.objects.select_for_update().select_related("liaison").get(pk=visit.pk)
    reason = _reason_checked(visit=visit, actor=actor, reason=reason)
    sources = list(dict.fromkeys(sources))
    people_met = list(dict.fromkeys(people_met))
    follow_up = follow_up.strip()
    visit_validate(
        actor=actor,
        liaison=visit.liaison,
        sources=sources,
        visited_on=visited_on,
        kind=kind,
        people_met=people_met,
        gift_value=gift_value,
        follow_up=follow_up,
        follow_up_due_on=follow_up_due_on,
    )
    before, before_source_ids = _visit_values(visit)
    visit.visited_on, visit.kind, visit.people_met = visited_on, kind, people_met
    visit.materials_left, visit.gift_value = materials_left.strip(), gift_value
    visit.gift_description, visit.notes = gift_description.strip(), notes.strip()
    visit.follow_up, visit.follow_up_due_on = follow_up, follow_up_due_on
    visit.save()
    visit.visit_sources.all().delete()
    shares = gift_split_evenly(total=gift_value, parts=len(sources))
    LiaisonVisitSource.objects.bulk_create(
        [
            LiaisonVisitSource(visit=visit, source=source, visited_on=visited_on, gift_value=share)
            for source, share in zip(sources, shares, strict=True)
        ]
    )
    visit.service_lines.set(list(service_lines))
    after, after_source_ids = _visit_values(visit)
    changes = {
        label: [before[label], after[label]] for label in after if before[label] != after[label]
    }
    if not changes:
        return None
    return LiaisonVisitChange.objects.create(
        visit=visit,
        visit_number=visit.pk,
        action=VisitChangeAction.EDITED,
        actor=actor,
        reason=reason,
        changes=changes,
        source_ids=sorted(set(before_source_ids) | set(after_source_ids)),
    )


@transaction.atomic
def visit_delete(*, visit: LiaisonVisit, actor: User, reason: str) -> LiaisonVisitChange:
    """Remove a visit logged in error (its gift shares and follow-up go with it), keeping
    a record of everything it said and why it was removed on each source's history."""
    visit = LiaisonVisit.objects.select_for_update().select_related("liaison").get(pk=visit.pk)
    reason = _reason_checked(visit=visit, actor=actor, reason=reason)
    values, source_ids = _visit_values(visit)
    number = visit.pk
    visit.delete()
    return LiaisonVisitChange.objects.create(
        visit=None,
        visit_number=number,
        action=VisitChangeAction.DELETED,
        actor=actor,
        reason=reason,
        changes={label: [value, ""] for label, value in values.items() if value},
        source_ids=source_ids,
    )


def _reason_checked(*, visit: LiaisonVisit, actor: User, reason: str) -> str:
    if visit.liaison_id != actor.pk and not user_sees_all_referral_sources(user=actor):
        raise ValidationError({"reason": "You can change only your own visits."})
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why, for the record."})
    return reason[:500]


def _visit_values(visit: LiaisonVisit) -> tuple[dict[str, str], list[int]]:
    """A visit as the history shows it: a label and a text per field; and its sources."""
    shares = list(visit.visit_sources.select_related("source").order_by("source__name", "pk"))
    lines = sorted(line.name for line in visit.service_lines.all())
    values = {
        "Date": visit.visited_on.isoformat(),
        "How": visit.get_kind_display(),
        "Sources": ", ".join(share.source.name for share in shares),
        "Service lines": ", ".join(lines),
        "People met": ", ".join(PERSON_MET_LABELS.get(p, p) for p in visit.people_met),
        "Materials left": visit.materials_left,
        "Gift or meal value": f"${visit.gift_value:.2f}" if visit.gift_value else "",
        "What was given": visit.gift_description,
        "Notes": visit.notes,
        "Follow-up task": visit.follow_up,
        "Follow-up due": visit.follow_up_due_on.isoformat() if visit.follow_up_due_on else "",
    }
    return values, [share.source_id for share in shares]
