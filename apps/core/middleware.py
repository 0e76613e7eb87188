"""Middleware of the platform itself: health probes that answer whatever the Host, and
responses that no cache keeps."""

import functools
import zoneinfo
from urllib.parse import unquote

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

from apps.core.selectors import readiness_checks

LIVENESS_PATH = "/healthz/"
READINESS_PATH = "/readyz/"
API_PATH = "/api/"


class HealthProbeMiddleware:
    """Answers the probes before the Host header is checked (first in MIDDLEWARE).

    A load balancer or orchestrator probes the container by its address, not by the
    host name in ALLOWED_HOSTS, and would otherwise get a 400 and take the app out of
    service. Such a caller is anonymous: readiness tells it up or down only. A request
    with an allowed host goes on to the views (staff signed in see the details).
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path == LIVENESS_PATH:
            return JsonResponse({"status": "ok"})
        if request.path == READINESS_PATH and not _host_allowed(request):
            return readiness_response(details=False)
        return self.get_response(request)


def _host_allowed(request: HttpRequest) -> bool:
    try:
        request.get_host()
    except DisallowedHost:
        return False
    return True


def readiness_response(*, details: bool) -> JsonResponse:
    """200 when the database, migrations and Redis are ready, else 503; what fails is
    named only to signed-in staff (it tells an outsider what the app runs on)."""
    checks = readiness_checks()
    failing = [name for name, result in checks.items() if result != "ok"]
    body: dict = {"status": "ok" if not failing else "unavailable"}
    if details:
        body |= {"checks": checks, "failing": failing}
    return JsonResponse(body, status=200 if not failing else 503)


class PrivateResponseMiddleware:
    """Every response to a signed-in user, and every API response, is `Cache-Control:
    no-store` (nothing showing a patient stays in a browser's or proxy's cache); every
    response carries the Permissions-Policy.

    One rule for all pages instead of a decorator per view: a view that forgets it
    cannot leak. Static files are answered by whitenoise before this runs and stay
    cacheable. API requests are authenticated inside DRF (token or session), so the
    API is matched by its path.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.user.is_authenticated or request.path.startswith(API_PATH):
            add_never_cache_headers(response)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


# The cookie static/js/app.js sets from the browser's own zone (Intl API).
TIME_ZONE_COOKIE = "leadcrm_tz"


@functools.cache
def _known_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


class ViewerTimeZoneMiddleware:
    """Times are shown in the viewer's zone, and named (templates print the zone): the
    zone of the user's account when it has one, else the browser's, else TIME_ZONE. A
    coordinator in Denver reading a Chicago lead once saw Eastern times without a label
    beside an appointment in "CST"."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        zone = getattr(user, "time_zone", "") or unquote(request.COOKIES.get(TIME_ZONE_COOKIE, ""))
        if zone not in _known_zones():
            return self.get_response(request)
        # For this request only: the next one on this thread starts from the default.
        with timezone.override(zoneinfo.ZoneInfo(zone)):
            return self.get_response(request)
