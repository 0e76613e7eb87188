"""Where a read comes from (the request, or a task or command), for the access log.

The middleware fills it for each request; the access log reads it when a selector
records a read, so selectors need only the user."""

import ipaddress
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings

USER_AGENT_MAX = 300


@dataclass(frozen=True)
class AccessContext:
    method: str = ""
    path: str = ""
    view_name: str = ""
    ip: str | None = None
    user_agent: str = ""
    via: str = "task"


NO_REQUEST = AccessContext()
current_access: ContextVar[AccessContext] = ContextVar("current_access", default=NO_REQUEST)


class AccessContextMiddleware:
    """Names the request (method, path without its query string, view, client address,
    browser, session or API token) for the access log entries its reads write."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_access.set(_context_of(request, view_name=""))
        try:
            return self.get_response(request)
        finally:
            current_access.reset(token)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        current_access.set(_context_of(request, view_name=match.view_name if match else ""))


def _context_of(request, *, view_name: str) -> AccessContext:
    authorization = request.headers.get("Authorization", "")
    return AccessContext(
        method=request.method or "",
        path=request.path[:300],  # no query string: a search box's words stay out
        view_name=view_name[:120],
        ip=_client_address(request),
        user_agent=request.headers.get("User-Agent", "")[:USER_AGENT_MAX],
        via=_via(authorization),
    )


# How the caller authenticated, by the Authorization header's scheme (no header: the
# browser session). "api key" and "bearer" are systems: intake keys and FHIR clients.
VIA_BY_SCHEME = {"token": "token", "api-key": "api key", "bearer": "bearer"}


def _via(authorization: str) -> str:
    scheme = authorization.split(" ", 1)[0].lower() if authorization else ""
    return VIA_BY_SCHEME.get(scheme, "session")


def _client_address(request) -> str | None:
    """The client's address as the API throttles and the lockout read it: behind
    NUM_PROXIES proxies, that many hops from the right of X-Forwarded-For (DRF's rule).
    Anything not an IP address is left out rather than failing the entry."""
    address = request.META.get("REMOTE_ADDR") or ""
    proxies = settings.REST_FRAMEWORK.get("NUM_PROXIES") or 0
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",")]
        address = hops[-min(proxies, len(hops))]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None
