"""Reads of locations, their business hours and holidays."""

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from apps.core.reference_cache import RowsBySlug
from apps.facilities.models import Holiday, Location


def location_list() -> QuerySet[Location]:
    """Every location by name."""
    return Location.objects.order_by("name")


def location_get_by_slug(*, slug: str) -> Location:
    """One location with its weekly hours and the holidays from today on; raises
    Location.DoesNotExist (views answer 404)."""
    upcoming = Holiday.objects.filter(date__gte=timezone.localdate()).order_by("date")
    return Location.objects.prefetch_related(
        "business_hours", Prefetch("holidays", queryset=upcoming, to_attr="upcoming_holidays")
    ).get(slug=slug)


_locations = RowsBySlug(Location)


def location_find_by_slug(*, slug: str) -> Location | None:
    """The location with this slug, active or not, or None, for the intake API.

    Read from the cached table (apps.core.reference_cache), so an inquiry pays no query.
    The caller gets its own instance, without its hours or holidays loaded.
    """
    return _locations.find(slug)


def locations_by_id(ids) -> dict[int, Location]:
    """Locations by id, from the cached table: a list page names them without a query."""
    return _locations.by_id(ids)


def location_slugs(*, active_only: bool = False) -> list[str]:
    """Every location's slug (or the active ones'), for the published API schema."""
    rows = Location.objects.filter(is_active=True) if active_only else Location.objects
    return list(rows.values_list("slug", flat=True))
