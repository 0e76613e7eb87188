"""Factories shared by every app's tests. Synthetic people only (Faker)."""

import factory
from django.contrib.auth.models import Group
from django.utils import timezone

from apps.accounts.models import User
from apps.facilities.models import BusinessHours, Location
from apps.leads.choices import Channel, LeadType, Urgency
from apps.leads.models import Activity, Lead
from apps.people.models import Consent, Person
from apps.pipeline.selectors import stage_get_by_slug
from apps.referral_sources.models import ReferralSource, ReferralSourceKind
from apps.referral_sources.validators import npi_check_digit
from apps.servicelines.models import ServiceLine
from apps.teams.models import Team, TeamMembership


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@hospital.test")
    is_on_shift = True
    languages = factory.LazyFunction(lambda: ["en"])
    password = factory.django.Password("correct-horse-battery")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(*Group.objects.filter(name__in=extracted))


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Location
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Riverside Campus {n}")
    slug = factory.Sequence(lambda n: f"riverside-{n}")
    city = "Springfield"
    state = "IL"
    time_zone = "America/Chicago"


class BusinessHoursFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BusinessHours

    location = factory.SubFactory(LocationFactory)
    weekday = 0
    opens_at = "08:00"
    closes_at = "17:00"


class ServiceLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceLine
        django_get_or_create = ("slug",)

    name = factory.LazyAttribute(lambda s: s.slug.replace("-", " ").title())
    slug = factory.Sequence(lambda n: f"service-line-{n}")


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Intake team {n}")
    slug = factory.Sequence(lambda n: f"intake-team-{n}")


class TeamMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TeamMembership

    team = factory.SubFactory(TeamFactory)
    user = factory.SubFactory(UserFactory)


class ReferralSourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReferralSource

    kind = ReferralSourceKind.PROVIDER
    name = factory.Faker("name")
    npi = factory.Sequence(lambda n: (base := f"1{n:08d}") + npi_check_digit(base))
    specialty = "Family Medicine"


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    phone = factory.Sequence(lambda n: f"+1312555{n % 10000:04d}")
    email = factory.LazyAttribute(lambda p: f"{p.first_name}.{p.last_name}@example.com".lower())
    preferred_language = "en"


class LeadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lead

    person = factory.SubFactory(PersonFactory)
    lead_type = LeadType.PATIENT
    channel = Channel.WEB_FORM
    service_line = factory.SubFactory(ServiceLineFactory)
    location = factory.SubFactory(LocationFactory)
    urgency = Urgency.ROUTINE
    stage = factory.LazyFunction(lambda: stage_get_by_slug("new"))
    first_touch_channel = factory.SelfAttribute("channel")
    latest_touch_channel = factory.SelfAttribute("channel")
    created_at = factory.LazyFunction(timezone.now)


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity

    lead = factory.SubFactory(LeadFactory)
    kind = "note"
    body = "Called back about parking."


class ConsentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Consent

    person = factory.SubFactory(PersonFactory)
    channel = "email"
    purpose = "care_coordination"
    status = "granted"
    method = "web_form"
    wording = "You may contact me about my inquiry."


def lead_with_journey(*, created_at, journey=(), **fields) -> Lead:
    """A lead that went through `journey` [(stage slug, when), ...], each move recorded
    as a stage_change activity, and stands at the last stage."""
    closing = {"completed", "disqualified", "referred-elsewhere"}
    final_slug, final_at = journey[-1] if journey else ("new", created_at)
    lead = LeadFactory(
        created_at=created_at,
        stage=stage_get_by_slug(final_slug),
        stage_entered_at=final_at,
        closed_at=final_at if final_slug in closing else None,
        converted_at=final_at if final_slug == "completed" else None,
        **fields,
    )
    previous = "new"
    for slug, when in journey:
        ActivityFactory(
            lead=lead,
            kind="stage_change",
            from_stage=stage_get_by_slug(previous),
            to_stage=stage_get_by_slug(slug),
            occurred_at=when,
            body="",
        )
        previous = slug
    return lead
