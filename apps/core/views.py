"""Home page redirect and the health probes."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static


@login_required
def home(request: HttpRequest) -> HttpResponse:
    # Intake coordinators spend their shift in the queue: it is their home page. The
    # group is named here, not imported from apps.accounts, to keep core the lowest layer.
    if request.user.groups.filter(name="intake coordinator").exists():
        return redirect("queue:index")
    return render(request, "core/home.html")


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask /favicon.ico of pages that name no icon (the admin, the API docs)."""
    return redirect(static("favicon.svg"), permanent=True)


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness: answers while the process lives, touching nothing else."""
    return JsonResponse({"status": "ok"})


def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness: the database, applied migrations and Redis; 503 names what fails."""
    from apps.core.selectors import readiness_checks

    checks = readiness_checks()
    failing = [name for name, result in checks.items() if result != "ok"]
    return JsonResponse(
        {"status": "ok" if not failing else "unavailable", "checks": checks, "failing": failing},
        status=200 if not failing else 503,
    )
