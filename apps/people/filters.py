"""Filters of the staff people list."""

from django.db.models import QuerySet
from django_filters import rest_framework as filters

from apps.core.filters import StrictFilterSet
from apps.people.models import Person
from apps.people.selectors import person_search


class PersonFilter(StrictFilterSet):
    q = filters.CharFilter(
        method="filter_search",
        max_length=200,
        help_text=(
            "A name (one word: the start of a last name; two: the starts of first and last "
            "name, in either order), "
            "an email in any case, or a phone in any format."
        ),
    )

    class Meta:
        model = Person
        fields: list[str] = []

    def filter_search(self, queryset: QuerySet[Person], name: str, value: str) -> QuerySet:
        return queryset.filter(pk__in=person_search(query=value).values("pk"))
