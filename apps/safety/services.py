"""Writes of safety screening: flagging a lead whose inquiry reads like an emergency,
alerting the people who must call now, and managers' changes to the phrases."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.alerts.choices import AlertLevel
from apps.alerts.selectors import managers_to_alert
from apps.alerts.services import alert_fire
from apps.leads.choices import ActivityKind, Urgency
from apps.leads.models import Activity, Lead
from apps.leads.services import activity_log
from apps.safety import engine
from apps.safety.choices import PhraseKind
from apps.safety.languages import LANGUAGES, answer_language
from apps.safety.models import (
    BuiltInPhraseOff,
    LeadSafetyFlag,
    PhraseChange,
    SafetyPhrase,
    SafetyPhraseLog,
)
from apps.safety.selectors import built_in_phrase_get, safety_screen_text
from apps.webhooks import services as webhooks

MAX_HOSPITAL_PHRASES = 500


@dataclass(frozen=True)
class SafetyAnswer:
    """What the intake form must show the person now."""

    category: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"category": self.category, "message": self.message}


def safety_answer(*, category: str, preferred_language: str) -> SafetyAnswer:
    """The answer for a category in the person's language (988 for self-harm, else 911)."""
    messages = LANGUAGES[answer_language(preferred_language)].MESSAGES
    return SafetyAnswer(category=category, message=messages.get(category, messages["default"]))


def inquiry_text(*, message: str, condition_interest: str = "") -> str:
    """The fields of an inquiry that are screened, as one text."""
    return "\n".join(part for part in (message, condition_interest) if part.strip())


@transaction.atomic(savepoint=False)
def lead_safety_screen(
    *, lead: Lead, inquiry: Activity | None, message: str, condition_interest: str = ""
) -> LeadSafetyFlag | None:
    """Screen one inquiry on a lead (its first, or a repeat touch); on a hit flag the lead.

    Called by intake inside its transaction, before routing. Returns the flag, or None.
    Side effects on a hit: Lead.urgency becomes urgent (its response target the shortest,
    on the wall clock), a LeadSafetyFlag row, a lead.safety_flagged webhook event, a note
    on the timeline, and, when the lead is routed already, alerts to call now (see
    lead_safety_alert); an unrouted lead is alerted by routing (apps.sla calls
    lead_safety_alert_routed).
    """
    screening = safety_screen_text(
        text=inquiry_text(message=message, condition_interest=condition_interest)
    )
    if screening.category is None:
        return None
    now = timezone.now()
    if lead.urgency != Urgency.URGENT:
        # A direct UPDATE rather than lead_update: its full_clean must never be able to
        # fail an intake over an unrelated field, least of all an emergency's.
        Lead.objects.filter(pk=lead.pk).update(urgency=Urgency.URGENT, updated_at=now)
        lead.urgency = Urgency.URGENT
    flag = LeadSafetyFlag.objects.create(
        lead=lead,
        inquiry=inquiry,
        category=screening.category,
        matched_words=screening.matched_words,
        flagged_at=now,
    )
    # The category only: the words that matched are the patient's own.
    webhooks.lead_safety_flagged_emit(lead=lead, flags=[flag.category])
    quoted = ", ".join(f"“{words}”" for words in flag.matched_words)
    activity_log(
        lead=lead,
        kind=ActivityKind.NOTE,
        actor=None,
        occurred_at=max(now, lead.created_at),
        body=f"Safety screening: possible {flag.get_category_display().lower()} ({quoted}). "
        "Marked urgent; the person was told to call 911 or 988 now, and staff are alerted "
        "to call them.",
        details={"safety": flag.category},
    )
    if lead.team_id is not None:
        lead_safety_alert(lead=lead, flag=flag)
    return flag


def lead_safety_alert(*, lead: Lead, flag: LeadSafetyFlag) -> list[int]:
    """Alert at once, about one flagged inquiry: the lead's team lead when on shift (the
    managers when there is none on shift), and its owner, or every active member of its
    team while nobody owns it. Once per flagged inquiry and recipient (the alert's
    uniqueness includes the inquiry). Side effects: alert rows, email tasks after commit.
    """
    lead = Lead.objects.select_related("owner", "team__team_lead").get(pk=lead.pk)
    return alert_fire(
        lead=lead,
        level=AlertLevel.RED_FLAG,
        recipients=safety_alert_recipients(lead=lead),
        activity=flag.inquiry,
    )


def safety_alert_recipients(*, lead: Lead) -> list[User]:
    """Who hears of a flagged lead: see lead_safety_alert."""
    recipients: list[User] = []
    team_lead = lead.team.team_lead if lead.team_id is not None else None
    if team_lead is not None and team_lead.is_active and team_lead.is_on_shift:
        recipients.append(team_lead)
    else:
        recipients += managers_to_alert()
    if lead.owner_id is not None and lead.owner.is_active:
        recipients.append(lead.owner)
    elif lead.team_id is not None:
        recipients += list(lead.team.members.filter(is_active=True).order_by("id"))
    return list(dict.fromkeys(recipients))


def lead_safety_alert_routed(*, lead: Lead) -> list[int]:
    """Routing gave a lead its team: alert about the lead's latest safety flag, if any
    and if staff have not since judged the lead not urgent."""
    if lead.urgency != Urgency.URGENT:
        return []
    flag = LeadSafetyFlag.objects.filter(lead_id=lead.pk).order_by("-flagged_at", "-id").first()
    if flag is None:
        return []
    return lead_safety_alert(lead=lead, flag=flag)


# --- Managers' phrases ------------------------------------------------------------


@transaction.atomic
def safety_phrase_add(
    *, actor: User, kind: str, category: str, language: str, phrase: str
) -> SafetyPhrase:
    """Add a hospital phrase after validation (ValidationError keyed by field), and log it.

    Limits: a flag phrase needs a category; a not-a-flag phrase may not be an emergency
    phrase itself (it must be a longer wording around one), so no manager can switch a
    whole category off by accident; at most MAX_HOSPITAL_PHRASES phrases.
    """
    phrase = " ".join(phrase.split())
    category = category if kind == PhraseKind.FLAG else ""
    errors: dict[str, str] = {}
    if not any(ch.isalpha() for ch in phrase):
        errors["phrase"] = "Write at least one word."
    elif kind == PhraseKind.FLAG and not category:
        errors["category"] = "Choose the emergency this phrase means."
    elif kind == PhraseKind.NOT_A_FLAG and _is_a_whole_flag(phrase):
        errors["phrase"] = (
            "This is an emergency phrase itself, so marking it not-a-flag would hide real "
            "emergencies. Write the longer, harmless wording around it instead (for "
            "example “can't breathe through my nose”)."
        )
    if SafetyPhrase.objects.count() >= MAX_HOSPITAL_PHRASES:
        errors["phrase"] = f"A hospital may add at most {MAX_HOSPITAL_PHRASES} phrases."
    if errors:
        raise ValidationError(errors)
    row = SafetyPhrase(
        kind=kind, category=category, language=language, phrase=phrase, created_by=actor
    )
    row.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError as exc:
        raise ValidationError({"phrase": "This phrase is already on the list."}) from exc
    _log(change=PhraseChange.ADDED, key=row.key, phrase=phrase, built_in=False, actor=actor)
    return row


def _is_a_whole_flag(phrase: str) -> bool:
    screening = engine.screen(phrase)
    return any(
        match.counts and len(match.words.split()) >= len(phrase.split())
        for match in screening.matches
    )


@transaction.atomic
def safety_phrase_switch(*, actor: User, phrase: SafetyPhrase, active: bool, reason: str = ""):
    """Switch a hospital phrase off or back on, and log it."""
    if phrase.is_active == active:
        return phrase
    SafetyPhrase.objects.filter(pk=phrase.pk).update(is_active=active)
    phrase.is_active = active
    change = PhraseChange.SWITCHED_ON if active else PhraseChange.SWITCHED_OFF
    _log(
        change=change,
        key=phrase.key,
        phrase=phrase.phrase,
        built_in=False,
        actor=actor,
        reason=reason,
    )
    return phrase


@transaction.atomic
def built_in_phrase_switch_off(*, actor: User, key: str, reason: str) -> BuiltInPhraseOff:
    """Switch a built-in phrase off for this hospital. A reason is required (ValidationError
    on `reason`); the change is logged with it. Side effect: from the next inquiry on,
    screening no longer looks for the phrase."""
    spec = built_in_phrase_get(key=key)
    if spec is None:
        raise ValidationError({"key": "No built-in phrase has this key."})
    reason = reason.strip()
    if len(reason) < 10:
        raise ValidationError(
            {
                "reason": "Say why this phrase should no longer flag an emergency "
                "(10 characters or more)."
            }
        )
    row, created = BuiltInPhraseOff.objects.get_or_create(
        key=key, defaults={"reason": reason, "switched_off_by": actor}
    )
    if created:
        _log(
            change=PhraseChange.SWITCHED_OFF,
            key=key,
            phrase=spec.text,
            built_in=True,
            actor=actor,
            reason=reason,
        )
    return row


@transaction.atomic
def built_in_phrase_switch_on(*, actor: User, key: str) -> bool:
    """Switch a built-in phrase back on; logged. False when it was on."""
    spec = built_in_phrase_get(key=key)
    deleted, _ = BuiltInPhraseOff.objects.filter(key=key).delete()
    if deleted and spec is not None:
        _log(change=PhraseChange.SWITCHED_ON, key=key, phrase=spec.text, built_in=True, actor=actor)
    return bool(deleted)


def _log(
    *, change: str, key: str, phrase: str, built_in: bool, actor: User | None, reason: str = ""
) -> None:
    SafetyPhraseLog.objects.create(
        change=change, phrase_key=key, phrase=phrase, built_in=built_in, actor=actor, reason=reason
    )
