"""Filters of the staff lead list. Each one lands on an indexed lead column.

Reference data is named by slug, as in the intake API; a slug that does not exist is
a 400 naming the filter rather than an empty list. Repeat a parameter to match any of
several values (`?stage=new&stage=contacted`).
"""

from django.db.models import QuerySet
from django_filters import rest_framework as filters

from apps.core.api import slug_enum
from apps.core.filters import IdFilter, MomentFilter, StrictBooleanFilter, StrictFilterSet
from apps.facilities.models import Location
from apps.facilities.selectors import location_slugs
from apps.leads.choices import Channel, LeadType, Urgency
from apps.leads.models import Lead
from apps.leads.selectors import lead_search
from apps.pipeline.models import PipelineStage
from apps.pipeline.selectors import stage_list_cached
from apps.servicelines.models import ServiceLine
from apps.servicelines.selectors import service_line_slugs


class SlugsFilter(filters.ModelMultipleChoiceFilter):
    """Reference rows named by slug, filtered by their ids (`service_line_id IN (...)`):
    the slugs are looked up once in the small reference table, never joined per lead.
    The schema lists the slugs there are, so an empty or unknown one is a 400."""

    def __init__(self, *, queryset, slugs, **kwargs):
        super().__init__(queryset=queryset, to_field_name="slug", distinct=False, **kwargs)
        slug_enum(self, slugs=slugs)

    def filter(self, qs: QuerySet, value) -> QuerySet:
        # An absent filter arrives as `queryset.none()`: test for that without running
        # it (`if not value` compiles and "runs" a query per filter per request).
        if isinstance(value, QuerySet) and value.query.is_empty():
            return qs
        return qs.filter(**{f"{self.field_name}__in": [row.pk for row in value]})


class LeadFilter(StrictFilterSet):
    # distinct=False throughout: the filters never join a to-many relation, and
    # SELECT DISTINCT over the lead list would sort the whole result to page it.
    service_line = SlugsFilter(queryset=ServiceLine.objects.all(), slugs=service_line_slugs)
    location = SlugsFilter(queryset=Location.objects.all(), slugs=location_slugs)
    stage = SlugsFilter(
        queryset=PipelineStage.objects.all(),
        slugs=lambda: [stage.slug for stage in stage_list_cached()],
    )
    urgency = filters.MultipleChoiceFilter(choices=Urgency.choices, distinct=False)
    lead_type = filters.MultipleChoiceFilter(choices=LeadType.choices, distinct=False)
    channel = filters.MultipleChoiceFilter(choices=Channel.choices, distinct=False)
    owner = IdFilter(field_name="owner_id", help_text="The owner's user id.")
    unassigned = StrictBooleanFilter(
        field_name="owner_id", lookup_expr="isnull", help_text="true: leads nobody owns yet."
    )
    team = IdFilter(field_name="team_id", help_text="The team's id.")
    referral_source = IdFilter(
        field_name="referral_source_id", help_text="The referral source's id."
    )
    open = StrictBooleanFilter(
        field_name="closed_at",
        lookup_expr="isnull",
        help_text="true: leads still open; false: completed or lost.",
    )
    created_after = MomentFilter(
        field_name="created_at", lookup_expr="gte", help_text="Created at or after (ISO 8601)."
    )
    created_before = MomentFilter(
        field_name="created_at", lookup_expr="lt", help_text="Created before (ISO 8601)."
    )
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
        model = Lead
        fields: list[str] = []

    def filter_search(self, queryset: QuerySet[Lead], name: str, value: str) -> QuerySet[Lead]:
        return lead_search(leads=queryset, query=value)


class LeadFilterBackend(filters.DjangoFilterBackend):
    """Skips the filter set when the request names none of its filters: building its
    form took about as long as the whole unfiltered first page otherwise."""

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class and not set(request.query_params) & set(filterset_class.base_filters):
            return queryset
        return super().filter_queryset(request, queryset, view)
