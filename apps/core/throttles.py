"""Request throttles: DRF's, with rates read from settings when each request starts.

Counts live in the Django cache (Redis), so every web process shares them. A throttled
request answers 429 with Retry-After, so an integration waits and retries instead of
losing an inquiry. A rate setting left empty switches its throttle off.
"""

import math
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from rest_framework.exceptions import Throttled
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle


class SettingRateThrottle(SimpleRateThrottle):
    """SimpleRateThrottle whose rate is the Django setting `rate_setting` ("60/min").

    DRF's own rate lookup keeps the dict it saw at import, so a changed setting would
    go unseen.
    """

    rate_setting = ""

    def get_rate(self) -> str | None:
        return getattr(settings, self.rate_setting) or None


class StaffApiThrottle(SettingRateThrottle):
    """Per staff user (token or session) across the staff API."""

    scope = "staff"
    rate_setting = "STAFF_API_THROTTLE"

    def get_cache_key(self, request, view) -> str | None:
        user = request.user
        if not (user and user.is_authenticated):
            return None  # anonymous requests are refused by the permission check
        return self.cache_format % {"scope": self.scope, "ident": user.pk}


class AnonymousEndpointThrottle(SettingRateThrottle):
    """Per client address (settings.REST_FRAMEWORK NUM_PROXIES says which) on an
    endpoint that takes no login: unsubscribe links, the SMS provider's webhook."""

    def __init__(self, *, scope: str, rate_setting: str) -> None:
        self.scope = scope
        self.rate_setting = rate_setting
        super().__init__()

    def get_cache_key(self, request, view) -> str | None:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


# --- Wrong credentials ------------------------------------------------------------
# Intake keys and staff tokens are refused before any throttle runs (DRF authenticates
# first), so without this an address could guess keys without limit. Only failures are
# counted, per address, in a fixed window: a vendor with a good key is never slowed, and
# one that keeps sending a wrong key is told to wait instead of guessing on.


def credential_failures_check(request) -> None:
    """Raise Throttled (429, Retry-After) when the request's address has sent more wrong
    keys or tokens than CREDENTIAL_FAILURE_THROTTLE allows in its window."""
    limit = _credential_failure_limit()
    if limit is not None and (cache.get(_credential_failures_key(request)) or 0) >= limit[0]:
        raise Throttled(wait=limit[1])


def credential_failure_record(request) -> None:
    """Count one wrong key or token from the request's address."""
    limit = _credential_failure_limit()
    if limit is None:
        return
    key = _credential_failures_key(request)
    cache.add(key, 0, timeout=limit[1])  # the window starts at the first failure
    cache.incr(key)


def _credential_failure_limit() -> tuple[int, int] | None:
    """(failures, window in seconds) from "<n>/<sec|min|hour|day>", as DRF reads rates."""
    rate = settings.CREDENTIAL_FAILURE_THROTTLE
    if not rate:
        return None
    count, period = rate.split("/")
    return int(count), {"s": 1, "m": 60, "h": 3600, "d": 86400}[period[0]]


def _credential_failures_key(request) -> str:
    return f"throttle_credential_failures_{BaseThrottle().get_ident(request)}"


def throttled(*, scope: str, rate_setting: str):
    """Decorate a plain Django view with AnonymousEndpointThrottle: 429 with
    Retry-After (whole seconds) past the rate."""

    def decorate(view):
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            throttle = AnonymousEndpointThrottle(scope=scope, rate_setting=rate_setting)
            if not throttle.allow_request(request, view):
                return too_many_requests(throttle.wait())
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


def too_many_requests(wait: float | None) -> HttpResponse:
    seconds = max(1, math.ceil(wait or 1))
    response = JsonResponse(
        {"detail": f"Too many requests. Try again in {seconds} seconds."}, status=429
    )
    response["Retry-After"] = str(seconds)
    return response
