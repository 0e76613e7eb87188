"""A filter set for the staff API's lists that refuses what it cannot read."""

import datetime as dt

from django import forms
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field


class StrictFilterSet(filters.FilterSet):
    """Refuses a single-valued filter given more than once: Django would silently take
    the last value, and a client sending a list would get a list filtered otherwise
    than it asked. Refuses an empty id, true/false or time too (`?owner=`): the schema
    types them, and Django would read "" as "not given", listing everything."""

    def is_valid(self) -> bool:
        valid = super().is_valid()
        for name, field in self.filters.items():
            values = self.data.getlist(name)
            if "" in values and not isinstance(field, filters.CharFilter):
                self.form.add_error(name, "Give a value, or leave this filter out.")
                valid = False
            elif len(values) > 1 and not isinstance(field, filters.MultipleChoiceFilter):
                self.form.add_error(name, "Give this filter once.")
                valid = False
        return valid


class _TrueOrFalseField(forms.Field):
    widget = forms.TextInput  # the raw text, not a widget's guess at it
    default_error_messages = {"invalid": "Give true or false."}

    def to_python(self, value):
        if value in (None, ""):
            return None
        if value not in ("true", "false"):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return value == "true"


class StrictBooleanFilter(filters.BooleanFilter):
    """`true` or `false`, and nothing else: DRF's boolean widget reads any other value
    as "not given", so `unassigned=1` listed every lead."""

    field_class = _TrueOrFalseField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, widget=forms.TextInput, **kwargs)


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(filters.NumberFilter):
    """An id: a whole number (NumberFilter alone takes decimals)."""

    field_class = forms.IntegerField


class _MomentField(forms.DateTimeField):
    """An ISO 8601 moment in any offset, read into UTC: PostgreSQL refuses offsets past
    ±15:59, which RFC 3339 allows (a 500 otherwise). A moment before the year 1 or after
    9999 in UTC is the earliest or latest there is, which a range filter means anyway."""

    default_error_messages = {
        "invalid": "Give a date and time in ISO 8601, e.g. 2026-03-01T08:00:00Z."
    }

    def to_python(self, value):
        moment = super().to_python(value)
        if moment is None:
            return None
        try:
            return moment.astimezone(dt.UTC)
        except OverflowError:
            edge = dt.datetime.min if moment.year == 1 else dt.datetime.max
            return edge.replace(tzinfo=dt.UTC)


class MomentFilter(filters.IsoDateTimeFilter):
    """A point in time for a `created_after`-style filter (see _MomentField)."""

    field_class = _MomentField
