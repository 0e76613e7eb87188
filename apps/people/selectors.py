"""Reads of people and their consent."""

import re

import phonenumbers
from django.conf import settings
from django.db.models import Q, QuerySet
from django.db.models.functions import Lower

from apps.people.models import Consent, ConsentStatus, Person

# Digits with the punctuation people type in phone numbers: (312) 555-0123, +1.312...
_PHONE_LIKE = re.compile(r"[+(]?[0-9][0-9 ().\-]{5,}")


def person_contact_filter(*, phone: str = "", email: str = "") -> Q | None:
    """A filter matching people by E.164 phone or by email in any case.

    `Lower("email")` matches the person_email_lower_idx index; `email__iexact` would
    compile to UPPER() and miss it (shared/PERFORMANCE.md).
    """
    condition = Q()
    if phone:
        condition |= Q(phone=phone)
    if email:
        condition |= Q(email_lower=email.lower())
    return condition or None


def person_find_match(
    *, first_name: str, phone: str = "", email: str = "", date_of_birth=None
) -> Person | None:
    """An existing person who is surely the same one: same first name and same phone or
    email, and no conflicting birth date. Looser matches are left to staff to merge."""
    contact = person_contact_filter(phone=phone, email=email)
    if contact is None:
        return None
    candidates = (
        Person.objects.annotate(email_lower=Lower("email"))
        .filter(contact)
        .order_by("-created_at", "-id")[:20]
    )
    for person in candidates:
        if person.first_name.casefold() != first_name.casefold():
            continue
        if date_of_birth and person.date_of_birth and person.date_of_birth != date_of_birth:
            continue
        return person
    return None


def consent_in_force(*, person: Person, channel: str, purpose: str) -> Consent | None:
    """The newest consent event for a channel and purpose, or None if never asked."""
    return (
        Consent.objects.filter(person=person, channel=channel, purpose=purpose)
        .order_by("-recorded_at", "-id")
        .first()
    )


def consent_is_granted(*, person: Person, channel: str, purpose: str) -> bool:
    consent = consent_in_force(person=person, channel=channel, purpose=purpose)
    return consent is not None and consent.status == ConsentStatus.GRANTED


def phone_to_e164(text: str, *, region: str | None = None) -> str | None:
    """A phone typed in any common format as E.164 ("+13125550123"), or None when the
    text is not a valid phone number. People's phones are stored in E.164."""
    try:
        number = phonenumbers.parse(text, region or settings.PHONENUMBER_DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def name_search_words(query: str) -> list[str]:
    """The words of a name typed in a search box, lower-cased, split at spaces and commas,
    without punctuation around them ("(Rosa)", "-"; O'Brien and Smith-Jones keep theirs).
    Trigram indexes ignore punctuation, so a word of it alone read the whole index (10 s
    at 10M people)."""
    words = (re.sub(r"^\W+|\W+$", "", word) for word in re.split(r"[\s,]+", query.lower()))
    return [word for word in words if word]


def _next_prefix(prefix: str) -> str:
    """The smallest string above every string that starts with `prefix`."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def _name_starts_with(field: str, prefix: str) -> Q:
    # The range lets PostgreSQL seek person_name_dob_lower_idx (LIKE 'x%' only uses a btree
    # index under the "C" collation); the LIKE keeps the answer exact under any collation.
    return Q(
        **{
            f"{field}__gte": prefix,
            f"{field}__lt": _next_prefix(prefix),
            f"{field}__startswith": prefix,
        }
    )


def person_search(*, query: str) -> QuerySet[Person]:
    """People matching what staff typed in a search box, through an index each time:

    - something with an "@" is an email, matched whole in any case (lower(email) index);
    - mostly digits is a phone in any format, normalized to E.164 first (phone index);
    - words are a name (name_search_condition).
    """
    query = " ".join(query.split())
    people = Person.objects.annotate(
        email_lower=Lower("email"), last_lower=Lower("last_name"), first_lower=Lower("first_name")
    )
    words = name_query_words(query)
    if words is not None:
        if not words:
            return people.none()
        return people.filter(name_search_condition(words, last="last_lower", first="first_lower"))
    if "@" in query:
        return people.filter(email_lower=query.lower())
    e164 = phone_to_e164(query)
    return people.filter(phone=e164) if e164 else people.none()


def name_query_words(query: str) -> list[str] | None:
    """The words of a search box's text when person_search takes it for a name (an empty
    list when nothing is left of it), None when it is an email or a phone."""
    query = " ".join(query.split())
    if "@" in query or _PHONE_LIKE.fullmatch(query):
        return None
    return name_search_words(query)


def name_search_condition(words: list[str], *, last: str, first: str) -> Q:
    """What a name typed in a search box matches, on lower-cased last and first name
    columns: one word matches last names starting with it; two words match "first last"
    or "last, first", each name by its start ("mar delg")."""
    if len(words) == 1:
        return _name_starts_with(last, words[0])
    first_word, last_word = words[0], words[-1]
    return (_name_starts_with(last, last_word) & _name_starts_with(first, first_word)) | (
        _name_starts_with(last, first_word) & _name_starts_with(first, last_word)
    )


def consents_in_force(*, person_ids: list[int]) -> dict[int, dict[str, dict[str, Consent]]]:
    """The consent in force for each person, purpose and channel, in one query:
    {person_id: {purpose: {channel: Consent}}}. A missing channel was never asked."""
    consents = (
        Consent.objects.filter(person_id__in=person_ids)
        .order_by("person_id", "channel", "purpose", "-recorded_at", "-id")
        .distinct("person_id", "channel", "purpose")
    )
    in_force: dict[int, dict[str, dict[str, Consent]]] = {pk: {} for pk in person_ids}
    for consent in consents:
        in_force[consent.person_id].setdefault(consent.purpose, {})[consent.channel] = consent
    return in_force
