"""Reads of service lines and their qualification questions."""

from django.db.models import QuerySet

from apps.servicelines.models import ServiceLine


def service_line_list() -> QuerySet[ServiceLine]:
    """Every service line by name, with its qualification questions in one more query."""
    return ServiceLine.objects.prefetch_related("qualification_questions").order_by("name")


def service_line_get_by_slug(*, slug: str) -> ServiceLine:
    """One service line; raises ServiceLine.DoesNotExist (views answer 404)."""
    return service_line_list().get(slug=slug)
