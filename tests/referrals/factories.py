"""Factories of the referrals app's own models."""

import datetime as dt

import factory
from django.utils import timezone

from apps.referrals.choices import HealthStatus, VisitKind
from apps.referrals.models import (
    LiaisonTerritory,
    LiaisonVisit,
    LiaisonVisitSource,
    ReferralSourceHealth,
)
from tests.factories import ReferralSourceFactory, UserFactory


class LiaisonTerritoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LiaisonTerritory

    liaison = factory.SubFactory(UserFactory, roles=["liaison"])
    territory = "North Shore"


class ReferralSourceHealthFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReferralSourceHealth

    source = factory.SubFactory(ReferralSourceFactory)
    status = HealthStatus.ACTIVE
    classified_at = factory.LazyFunction(timezone.now)


class LiaisonVisitFactory(factory.django.DjangoModelFactory):
    """A visit written straight to the tables (fixtures with dates in the past);
    behaviour tests log visits through `visit_log`."""

    class Meta:
        model = LiaisonVisit

    liaison = factory.SubFactory(UserFactory, roles=["liaison"])
    visited_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=7))
    kind = VisitKind.IN_PERSON


class LiaisonVisitSourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LiaisonVisitSource

    visit = factory.SubFactory(LiaisonVisitFactory)
    source = factory.SubFactory(ReferralSourceFactory)
    visited_on = factory.SelfAttribute("visit.visited_on")


def visit_to(*sources, visited_on: dt.date, liaison=None, gift_values=None, **fields):
    """A visit to `sources` on a date, with each source's gift share (default none)."""
    visit = LiaisonVisitFactory(
        visited_on=visited_on, **({"liaison": liaison} if liaison else {}), **fields
    )
    gift_values = gift_values or [0] * len(sources)
    for source, gift in zip(sources, gift_values, strict=True):
        LiaisonVisitSourceFactory(visit=visit, source=source, gift_value=gift)
    return visit
