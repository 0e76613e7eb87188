"""Correcting a patient's contact details from their lead, on the lead's timeline."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.formats import date_format

from apps.accounts.models import User
from apps.core.languages import language_name
from apps.core.readable import phone_text
from apps.leads.choices import ActivityKind
from apps.leads.models import Activity, Lead
from apps.leads.services import activity_log
from apps.people.models import Person

# What staff may correct, as the timeline names it.
PERSON_CONTACT_FIELDS = {
    "first_name": "First name",
    "last_name": "Last name",
    "phone": "Phone",
    "email": "Email",
    "date_of_birth": "Birth date",
    "preferred_language": "Language",
    "postal_code": "Postal code",
}


@transaction.atomic
def lead_person_update(*, lead: Lead, actor: User, **changes) -> Activity | None:
    """Correct the lead's person (name, phone, email, birth date, language, postal
    code), checked by the person's own field rules, and record on the lead's timeline
    each value before and after. Returns that entry, or None when nothing changed.
    Writes a note activity; a merged lead refuses it (Lead.actions_allowed)."""
    unknown = set(changes) - set(PERSON_CONTACT_FIELDS)
    if unknown:
        raise ValidationError({name: "This field cannot be edited here." for name in unknown})
    if refusal := lead.action_refusal("note"):
        raise ValidationError(refusal)
    person = Person.objects.select_for_update().get(pk=lead.person_id)
    before = {name: _shown(name, getattr(person, name)) for name in changes}
    for name, value in changes.items():
        setattr(person, name, value)
    if person.date_of_birth and person.date_of_birth > dt.date.today():
        raise ValidationError({"date_of_birth": "A birth date cannot be in the future."})
    person.full_clean(exclude=["patient"], validate_unique=False)
    changed = {
        name: [before[name], _shown(name, getattr(person, name))]
        for name in changes
        if _shown(name, getattr(person, name)) != before[name]
    }
    if not changed:
        return None
    person.save(update_fields=[*changed, "updated_at"])
    lead.person = person
    lines = [
        f"{PERSON_CONTACT_FIELDS[name]}: {old or '(empty)'} → {new or '(empty)'}"
        for name, (old, new) in changed.items()
    ]
    return activity_log(
        lead=lead,
        kind=ActivityKind.NOTE,
        actor=actor,
        body="Contact details corrected.\n" + "\n".join(lines),
        details={"contact_change": changed},
    )


def _shown(name: str, value) -> str:
    """A value as the timeline writes it."""
    if value in (None, ""):
        return ""
    if name == "phone":
        return phone_text(value)
    if name == "date_of_birth":
        return date_format(value, "SHORT_DATE_FORMAT")
    if name == "preferred_language":
        return f"{language_name(value)}"
    return str(value)
