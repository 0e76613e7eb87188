"""Reads of service lines and their qualification questions."""

from django.db.models import QuerySet

from apps.core.reference_cache import RowsBySlug
from apps.servicelines.models import ServiceLine


def service_line_list() -> QuerySet[ServiceLine]:
    """Every service line by name, with its qualification questions in one more query."""
    return ServiceLine.objects.prefetch_related("qualification_questions").order_by("name")


def service_line_get_by_slug(*, slug: str) -> ServiceLine:
    """One service line; raises ServiceLine.DoesNotExist (views answer 404)."""
    return service_line_list().get(slug=slug)


_service_lines = RowsBySlug(ServiceLine)


def service_line_find_by_slug(*, slug: str) -> ServiceLine | None:
    """The service line with this slug, active or not, or None, for the intake API.

    Read from the cached table (apps.core.reference_cache), so an inquiry pays no query.
    The caller gets its own instance.
    """
    return _service_lines.find(slug)


def service_lines_by_id(ids) -> dict[int, ServiceLine]:
    """Service lines by id, from the cached table: a list page names them without a query."""
    return _service_lines.by_id(ids)


def service_line_slugs(*, active_only: bool = False) -> list[str]:
    """Every service line's slug (or the active ones'), for the published API schema."""
    rows = ServiceLine.objects.filter(is_active=True) if active_only else ServiceLine.objects
    return list(rows.values_list("slug", flat=True))
