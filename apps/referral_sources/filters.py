"""Filters of the staff referral source list."""

from django.db.models import QuerySet
from django_filters import rest_framework as filters

from apps.core.filters import IdFilter, StrictBooleanFilter, StrictFilterSet
from apps.referral_sources.models import ReferralSource, ReferralSourceKind
from apps.referral_sources.selectors import referral_source_search


class ReferralSourceFilter(StrictFilterSet):
    kind = filters.MultipleChoiceFilter(choices=ReferralSourceKind.choices, distinct=False)
    territory = filters.CharFilter(field_name="territory", lookup_expr="iexact")
    owning_liaison = IdFilter(
        field_name="owning_liaison_id", help_text="The owning liaison's user id."
    )
    is_active = StrictBooleanFilter()
    q = filters.CharFilter(
        method="filter_search",
        max_length=200,
        help_text="Part of the name or organization, or a whole NPI.",
    )

    class Meta:
        model = ReferralSource
        fields: list[str] = []

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return referral_source_search(sources=queryset, query=value)
