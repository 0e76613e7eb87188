"""Middleware of the platform itself: health probes that answer whatever the Host, and
responses that no cache keeps."""

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse, JsonResponse
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
