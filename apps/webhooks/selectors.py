"""Reads of webhook endpoints and their delivery log: managers and admins only.

The log holds ids and event types, no patient details, but which leads moved when is
still the hospital's business: every read checks the role here.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from apps.accounts.choices import Role
from apps.accounts.models import User
from apps.accounts.selectors import user_has_role
from apps.core.reference_cache import ReferenceCache
from apps.webhooks.choices import DeliveryStatus
from apps.webhooks.models import WebhookDelivery, WebhookEndpoint

MANAGER_ROLES = {Role.MANAGER, Role.ADMIN}
LOG_PAGE_SIZE = 50


def _active_endpoint_event_types() -> dict[int, list[str]]:
    return dict(WebhookEndpoint.objects.filter(is_active=True).values_list("id", "event_types"))


# Every lead event asks which endpoints want it: from the reference cache, an event that
# no endpoint wants (most hospitals have none) costs no query. An endpoint added or
# switched off shows at once in the process that did it, within
# REFERENCE_CACHE_SECONDS in the others; deliveries are only claimed for active
# endpoints (apps.webhooks.delivery), so a stale entry never sends to one switched off.
_active_endpoints = ReferenceCache(
    "webhook-endpoints", _active_endpoint_event_types, watch=(WebhookEndpoint,)
)


def endpoint_ids_for_event(*, event_type: str) -> list[int]:
    """The active endpoints that want `event_type`, by id."""
    return sorted(pk for pk, types in _active_endpoints.get().items() if event_type in types)


def webhook_endpoints_cache_clear() -> None:
    """For writes that send no model signal (QuerySet.update)."""
    _active_endpoints.clear()


def user_manages_webhooks(*, user: User) -> bool:
    return user_has_role(user=user, roles=MANAGER_ROLES)


def _require(user: User) -> None:
    if not user_manages_webhooks(user=user):
        raise PermissionDenied("Only managers and admins manage webhooks.")


def _count_of(statuses: list[str]) -> Subquery:
    # A subquery per count, each on its partial index: the delivered rows (nearly all
    # of them, kept as the log) are never read for the list.
    return Subquery(
        WebhookDelivery.objects.filter(endpoint=OuterRef("pk"), status__in=statuses)
        .order_by()
        .values("endpoint")
        .annotate(count=Count("id"))
        .values("count")[:1]
    )


def webhook_endpoint_list(*, user: User) -> QuerySet[WebhookEndpoint]:
    """Every endpoint with its owner and how many deliveries wait or gave up (one query)."""
    _require(user)
    return WebhookEndpoint.objects.select_related("owner").annotate(
        waiting_count=Coalesce(_count_of([DeliveryStatus.PENDING, DeliveryStatus.SENDING]), 0),
        failed_count=Coalesce(_count_of([DeliveryStatus.FAILED]), 0),
    )


def webhook_endpoint_get(*, user: User, endpoint_id: int) -> WebhookEndpoint:
    """Raises WebhookEndpoint.DoesNotExist (404) or PermissionDenied."""
    _require(user)
    return WebhookEndpoint.objects.select_related("owner").get(pk=endpoint_id)


def webhook_delivery_log(
    *, user: User, endpoint: WebhookEndpoint, before_id: int | None = None
) -> list[WebhookDelivery]:
    """The endpoint's deliveries, newest first, a page at a time (keyset on id)."""
    _require(user)
    rows = WebhookDelivery.objects.filter(endpoint=endpoint).defer("payload")
    if before_id is not None:
        rows = rows.filter(id__lt=before_id)
    return list(rows.order_by("-id")[:LOG_PAGE_SIZE])


def webhook_delivery_get(*, user: User, delivery_id: int) -> WebhookDelivery:
    _require(user)
    return WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)
