"""Global search: any lead, person or referral source the user may see, by name (or a
part of it), phone in any format, email, lead number or NPI, closed leads included.

Every read is scoped by the selectors of the apps that own the data (lead_visible_to,
referral_source_visible_to). Names and emails are matched through the trigram indexes
of this app's migration, phones through the E.164 phone index, numbers by key.
"""

import re
from dataclasses import dataclass, field

import phonenumbers
from django.db.models import Q, QuerySet
from django.db.models.functions import Lower

from apps.accounts.models import User
from apps.audit.services import access_record
from apps.leads.models import Lead
from apps.leads.selectors import lead_visible_to
from apps.people.models import Person
from apps.people.selectors import name_search_words, phone_to_e164
from apps.pipeline.selectors import stage_list_cached
from apps.referral_sources.models import ReferralSource
from apps.referral_sources.validators import npi_is_valid
from apps.referrals.selectors import referral_source_visible_to

RESULT_LIMIT = 25
# A search matching more people than this is too vague to list in full: the leads of
# the first ones are shown, with a word to narrow it.
PEOPLE_LIMIT = 1000
# Trigrams need three letters: a shorter word is matched as the start of a name.
TRIGRAM_MIN = 3
LEAD_NUMBER = re.compile(r"#?\s*(\d{1,9})")
WHOLE_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
PHONE_LIKE = re.compile(r"[+(]?[0-9][0-9 ().\-]{5,}(\s*(x|ext\.?)\s*\d+)?", re.IGNORECASE)


@dataclass
class SearchResults:
    query: str
    leads: list[dict] = field(default_factory=list)
    sources: list[dict] = field(default_factory=list)
    more_leads: bool = False
    more_sources: bool = False

    @property
    def empty(self) -> bool:
        return not self.leads and not self.sources


def global_search(*, user: User, query: str) -> SearchResults:
    """What the header search box finds for this user: two queries, one for leads (with
    their person) and one for referral sources, whatever the query. The leads and people
    shown are recorded in the access log."""
    query = " ".join(query.split())[:100]
    results = SearchResults(query=query)
    if not query:
        return results
    leads = _matching_leads(query=query)
    if leads is not None:
        found = list(_lead_rows(lead_visible_to(user=user, leads=leads))[: RESULT_LIMIT + 1])
        results.leads, results.more_leads = found[:RESULT_LIMIT], len(found) > RESULT_LIMIT
        # Names, phones and emails are about to be shown: recorded first (not the words).
        access_record(
            user=user,
            what="search results",
            lead_ids=[row["pk"] for row in results.leads],
            person_ids=[row["person_id"] for row in results.leads],
        )
        stages = {stage.pk: stage for stage in stage_list_cached()}
        for row in results.leads:
            stage = stages.get(row["stage_id"])
            row["stage_name"] = stage.name if stage else ""
    sources = _matching_sources(query=query)
    if sources is not None:
        visible = referral_source_visible_to(user=user).filter(pk__in=sources.values("pk"))
        found = list(
            visible.order_by("name", "pk").values(
                "pk", "name", "npi", "kind", "specialty", "organization_name", "city", "phone"
            )[: RESULT_LIMIT + 1]
        )
        results.sources, results.more_sources = found[:RESULT_LIMIT], len(found) > RESULT_LIMIT
    return results


def _matching_people(*, query: str) -> QuerySet[Person] | None:
    people = Person.objects.annotate(
        first_lower=Lower("first_name"), last_lower=Lower("last_name"), email_lower=Lower("email")
    )
    if "@" in query:
        if WHOLE_EMAIL.fullmatch(query):
            # Through the lower(email) btree: as a trigram match, a whole address's
            # common trigrams ("exa", "com") read most of the index (280 ms at 10M people).
            return people.filter(email_lower=query.lower())
        # A part of one ("rivera@", "@example.org").
        return people.filter(email_lower__contains=query.lower())
    if PHONE_LIKE.fullmatch(query) and sum(c.isdigit() for c in query) >= 7:
        e164 = phone_to_e164(query)
        return people.filter(phone=e164) if e164 else None
    words = name_search_words(query)
    if not words or any(word.isdigit() for word in words):
        return None
    condition = Q()
    for word in words:
        lookup = "contains" if len(word) >= TRIGRAM_MIN else "startswith"
        condition &= Q(**{f"first_lower__{lookup}": word}) | Q(**{f"last_lower__{lookup}": word})
    return people.filter(condition)


def _matching_leads(*, query: str) -> QuerySet[Lead] | None:
    number = LEAD_NUMBER.fullmatch(query)
    if number and not (PHONE_LIKE.fullmatch(query) and len(number.group(1)) >= 7):
        return Lead.objects.filter(pk=int(number.group(1)))
    people = _matching_people(query=query)
    if people is None:
        return None
    # The people first, as a list: as a subquery, PostgreSQL merge-joined the caregiver
    # index whole (310 ms on 300k leads for a common surname) instead of looking up each.
    ids = list(people.order_by().values_list("pk", flat=True)[:PEOPLE_LIMIT])
    # A UNION of two index lookups: `person IN (...) OR caregiver IN (...)` can use
    # neither index (see apps.leads.selectors.lead_search).
    matching = (
        Lead.objects.filter(person__in=ids)
        .values("pk")
        .union(Lead.objects.filter(caregiver__in=ids).values("pk"))
    )
    return Lead.objects.filter(pk__in=matching)


def _lead_rows(leads: QuerySet[Lead]) -> QuerySet:
    """What a result row shows; newest first."""
    return leads.order_by("-created_at", "-pk").values(
        "pk",
        "created_at",
        "closed_at",
        "stage_id",
        "merged_into_id",
        "person_id",
        "person__first_name",
        "person__last_name",
        "person__phone",
        "person__email",
        "service_line__name",
        "owner__first_name",
        "owner__last_name",
    )


def _matching_sources(*, query: str) -> QuerySet[ReferralSource] | None:
    sources = ReferralSource.objects.annotate(name_lower=Lower("name"))
    digits = "".join(c for c in query if c.isdigit())
    if len(digits) == 10 and digits == query.strip() and npi_is_valid(digits):
        return sources.filter(npi=digits)
    if "@" in query:
        return sources.filter(email__iexact=query)
    if PHONE_LIKE.fullmatch(query) and len(digits) >= 7:
        e164 = phone_to_e164(query)
        if not e164:
            return None
        national = phone_to_national(e164)
        return sources.filter(phone__in=[e164, national, query])
    words = name_search_words(query)
    if not words or all(word.isdigit() for word in words):
        return None
    condition = Q()
    for word in words:
        lookup = "contains" if len(word) >= TRIGRAM_MIN else "startswith"
        condition &= Q(**{f"name_lower__{lookup}": word})
    return sources.filter(condition)


def phone_to_national(e164: str) -> str:
    """+13125550142 as (312) 555-0142; anything else as it is."""
    try:
        number = phonenumbers.parse(str(e164))
    except phonenumbers.NumberParseException:
        return str(e164)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
