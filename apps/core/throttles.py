"""Request throttles: DRF's, with rates read from settings when each request starts.

Counts live in the Django cache (Redis), so every web process shares them. A throttled
request answers 429 with Retry-After, so an integration waits and retries instead of
losing an inquiry. A rate setting left empty switches its throttle off.
"""

import math
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from rest_framework.throttling import SimpleRateThrottle


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
