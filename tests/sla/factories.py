"""Factories for the response clock's models (synthetic data only)."""

import factory

from apps.facilities.models import Holiday
from apps.sla.models import ResponsePolicy
from tests.factories import LocationFactory, ServiceLineFactory


class HolidayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Holiday

    location = factory.SubFactory(LocationFactory)
    name = "Independence Day"


class ResponsePolicyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ResponsePolicy

    service_line = factory.SubFactory(ServiceLineFactory)
