"""The health probes."""

from django.http import HttpRequest, JsonResponse

from apps.core.middleware import readiness_response


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness: answers while the process lives, touching nothing else (the probe
    middleware answers first; this view names the URL)."""
    return JsonResponse({"status": "ok"})


def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness: the database, applied migrations and Redis; up or down for anyone,
    and what fails for signed-in staff."""
    return readiness_response(details=request.user.is_authenticated)
