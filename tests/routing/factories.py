"""Factories of routing's own models (the shared ones are in tests/factories.py)."""

import factory

from apps.routing.choices import Strategy
from apps.routing.models import MemberSkills, RoutingRule
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
