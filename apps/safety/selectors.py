"""Reads of safety screening: the phrases in force, screening a text with them, the
phrases for managers to review, and a lead's flag."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from apps.accounts.models import User
from apps.audit.services import access_record
from apps.leads.models import Lead
from apps.leads.selectors import lead_visible_to
from apps.safety import engine
from apps.safety.models import BuiltInPhraseOff, LeadSafetyFlag, SafetyPhrase, SafetyPhraseLog

# The queue's banner shows a flag until someone has answered the lead since, or for
# this long at most (a repeat touch on a lead answered long ago is still shown).
BANNER_HOURS = 24
BANNER_LIMIT = 5


def screening_phrases() -> tuple[tuple[engine.PhraseSpec, ...], frozenset[str]]:
    """The hospital's active phrases and the keys of the built-in phrases switched off.

    Read on every screening (two small indexed reads), so a manager's change applies
    to the next inquiry in every process; the engine compiles each distinct set once.
    """
    custom = tuple(
        engine.PhraseSpec(
            key=phrase.key,
            category=phrase.category,
            language=phrase.language,
            text=phrase.phrase,
            kind=phrase.kind,
            built_in=False,
        )
        for phrase in SafetyPhrase.objects.filter(is_active=True).order_by("id")
    )
    inactive = frozenset(BuiltInPhraseOff.objects.values_list("key", flat=True))
    return custom, inactive


def safety_screen_text(*, text: str) -> engine.Screening:
    """Screen a text with the built-in phrases and this hospital's own."""
    if not text.strip():
        return engine.Screening()
    custom, inactive = screening_phrases()
    return engine.screen(text, custom=custom, inactive=inactive)


@dataclass(frozen=True)
class BuiltInPhraseRow:
    """A built-in phrase as the review page lists it."""

    spec: engine.PhraseSpec
    switched_off: BuiltInPhraseOff | None

    @property
    def is_active(self) -> bool:
        return self.switched_off is None


def built_in_phrase_list(*, category: str = "", language: str = "") -> list[BuiltInPhraseRow]:
    """Every built-in phrase (or one category's, one language's) with its on/off state."""
    off = {row.key: row for row in BuiltInPhraseOff.objects.select_related("switched_off_by")}
    return [
        BuiltInPhraseRow(spec=spec, switched_off=off.get(spec.key))
        for spec in engine.built_in_phrases()
        if (not category or spec.category == category)
        and (not language or spec.language == language)
    ]


def built_in_phrase_get(*, key: str) -> engine.PhraseSpec | None:
    return next((spec for spec in engine.built_in_phrases() if spec.key == key), None)


def safety_phrase_list() -> QuerySet[SafetyPhrase]:
    """The hospital's own phrases, active first."""
    return SafetyPhrase.objects.select_related("created_by").order_by(
        "-is_active", "kind", "category", "language", "phrase"
    )


def safety_phrase_log(*, limit: int = 50) -> QuerySet[SafetyPhraseLog]:
    """The latest changes to the phrases, newest first."""
    return SafetyPhraseLog.objects.select_related("actor")[:limit]


def lead_safety_flag_latest(*, lead: Lead) -> LeadSafetyFlag | None:
    """The lead's latest safety flag. The caller has already scoped the lead to the
    user (a lead selector); the flag adds no patient data beyond the lead's message."""
    return LeadSafetyFlag.objects.filter(lead_id=lead.pk).order_by("-flagged_at", "-id").first()


def safety_banner_for_user(*, user: User, now: dt.datetime | None = None) -> list[LeadSafetyFlag]:
    """The flags the queue's red banner shows the user: on open leads they may see,
    raised in the last BANNER_HOURS and not yet followed by a first response. One query;
    flags are few, so the flag table is read first and the leads by primary key."""
    now = now or timezone.now()
    leads = lead_visible_to(user=user, leads=Lead.objects.filter(closed_at__isnull=True))
    flags = list(
        LeadSafetyFlag.objects.filter(
            flagged_at__gte=now - dt.timedelta(hours=BANNER_HOURS), lead__in=leads
        )
        .filter(
            Q(lead__first_response_at__isnull=True) | Q(lead__first_response_at__lt=F("flagged_at"))
        )
        .select_related("lead__person")
        .order_by("-flagged_at", "-id")[:BANNER_LIMIT]
    )
    # The banner names the person and quotes their words. An entry of its own, only
    # while a flag shows (rare): the queue's entry is written by another selector.
    access_record(
        user=user,
        what="safety banner",
        lead_ids=[flag.lead_id for flag in flags],
        person_ids=[flag.lead.person_id for flag in flags],
    )
    return flags
