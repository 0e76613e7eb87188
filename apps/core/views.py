"""The health probes."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.templatetags.static import static
from django.views.defaults import page_not_found

from apps.core.middleware import readiness_response


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask /favicon.ico of pages that name no icon (the admin, the API docs)."""
    return redirect(static("favicon.svg"), permanent=True)


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness: answers while the process lives, touching nothing else (the probe
    middleware answers first; this view names the URL)."""
    return JsonResponse({"status": "ok"})


def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness: the database, applied migrations and Redis; up or down for anyone,
    and what fails for signed-in staff."""
    return readiness_response(details=request.user.is_authenticated)


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """404 for an address no view takes: JSON under /api/ (a client generated from the
    schema reads `detail`, as on every other API error), the HTML page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return page_not_found(request, exception)
