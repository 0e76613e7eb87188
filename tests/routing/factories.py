"""Factories of routing's own models (the shared ones are in tests/factories.py)."""

import factory
from django.utils import timezone

from apps.routing.choices import Strategy
from apps.routing.models import MemberSkills, RoutingRule, RoutingWait
from tests.factories import TeamFactory, UserFactory


class RoutingRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoutingRule
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Rule {n}")
    position = factory.Sequence(lambda n: n + 1)
    target_team = factory.SubFactory(TeamFactory)
    strategy = Strategy.ROUND_ROBIN

    @factory.post_generation
    def service_lines(self, create, extracted, **kwargs):
        if create and extracted:
            self.service_lines.set(extracted)

    @factory.post_generation
    def locations(self, create, extracted, **kwargs):
        if create and extracted:
            self.locations.set(extracted)


class MemberSkillsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MemberSkills
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)

    @factory.post_generation
    def service_lines(self, create, extracted, **kwargs):
        if create and extracted:
            self.service_lines.set(extracted)

    @factory.post_generation
    def locations(self, create, extracted, **kwargs):
        if create and extracted:
            self.locations.set(extracted)


def waiting_for_anyone(*, lead, team) -> RoutingWait:
    """The lead waits in `team`'s queue for routing to find someone free (as routing
    records it when nobody is available)."""
    now = timezone.now()
    return RoutingWait.objects.create(
        lead=lead, team=team, reason="nobody_available", waiting_since=now, last_tried_at=now
    )
