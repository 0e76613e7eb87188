"""The health probes."""

from django.http import HttpRequest, JsonResponse


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
