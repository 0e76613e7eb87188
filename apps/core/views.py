"""Home page redirect and the health probes."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render

from apps.core.middleware import readiness_response


@login_required
def home(request: HttpRequest) -> HttpResponse:
    # Intake coordinators spend their shift in the queue: it is their home page. The
    # group is named here, not imported from apps.accounts, to keep core the lowest layer.
    if request.user.groups.filter(name="intake coordinator").exists():
        return redirect("queue:index")
    return render(request, "core/home.html")


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness: answers while the process lives, touching nothing else (the probe
    middleware answers first; this view names the URL)."""
    return JsonResponse({"status": "ok"})


def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness: the database, applied migrations and Redis; up or down for anyone,
    and what fails for signed-in staff."""
    return readiness_response(details=request.user.is_authenticated)
