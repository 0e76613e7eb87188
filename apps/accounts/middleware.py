"""Automatic logoff: a session ends after SESSION_IDLE_SECONDS without activity, and in
any case SESSION_COOKIE_AGE after sign-in (HIPAA's automatic logoff).

Activity is any request the person makes, except the pages' own background refreshes:
the queue's 10-second poll and the alerts badge (htmx names the polling element in
HX-Trigger), and the timeout warning's own status check. Otherwise an open queue would
keep a walked-away coordinator signed in for the whole shift.
"""

import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, resolve_url
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect

# The ids of the elements that poll on their own (templates/queue/queue.html,
# templates/alerts/_badge.html).
BACKGROUND_POLLERS = frozenset({"queue-list", "alerts-badge"})
SIGNED_IN_AT = "signed_in_at"
ACTIVE_AT = "active_at"


def idle_seconds_left(request: HttpRequest, *, now: float | None = None) -> float:
    """Seconds before this session is signed out for inactivity (or for its age)."""
    now = time.time() if now is None else now
    session = request.session
    signed_in_at = session.get(SIGNED_IN_AT, now)
    active_at = session.get(ACTIVE_AT, now)
    return min(
        active_at + settings.SESSION_IDLE_SECONDS - now,
        signed_in_at + settings.SESSION_COOKIE_AGE - now,
    )


def session_clock_start(sender, request: HttpRequest, user, **kwargs) -> None:
    """At sign-in (user_logged_in): both clocks start now. Set here, not on the first
    request, so a signed-in page costs no session write until activity is recorded."""
    now = time.time()
    request.session[SIGNED_IN_AT] = now
    request.session[ACTIVE_AT] = now


def _is_background(request: HttpRequest) -> bool:
    if request.path == reverse("accounts:session_status"):
        return True
    return bool(request.htmx) and request.htmx.trigger in BACKGROUND_POLLERS


class SessionTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = time.time()
            session = request.session
            session.setdefault(SIGNED_IN_AT, now)
            active_at = session.setdefault(ACTIVE_AT, now)
            if idle_seconds_left(request, now=now) <= 0:
                return self._signed_out(request, now=now)
            # Recorded at most every few seconds, not on every request: a session write
            # per click is a database UPDATE per click.
            if not _is_background(request) and now - active_at >= self._resolution():
                session[ACTIVE_AT] = now
        return self.get_response(request)

    @staticmethod
    def _resolution() -> float:
        return min(15.0, settings.SESSION_IDLE_SECONDS / 30)

    def _signed_out(self, request: HttpRequest, *, now: float) -> HttpResponse:
        aged_out = request.session[SIGNED_IN_AT] + settings.SESSION_COOKIE_AGE <= now
        status_check = request.path == reverse("accounts:session_status")
        page = request.htmx.current_url_abs_path if request.htmx else request.get_full_path()
        logout(request)
        if aged_out:
            hours = round(settings.SESSION_COOKIE_AGE / 3600)
            text = f"You were signed out {hours} hours after signing in. Please sign in again."
        else:
            idle = duration_words(settings.SESSION_IDLE_SECONDS)
            text = f"You were signed out after {idle} without activity."
        messages.info(request, text)
        if status_check:
            # A 200 the warning script reads, not a 401 the browser logs as an error.
            return JsonResponse({"signed_in": False})
        login = f"{resolve_url(settings.LOGIN_URL)}?{urlencode({'next': page or '/'})}"
        if request.htmx:
            return HttpResponseClientRedirect(login)  # a full page load, not a swap
        return redirect(login)


def duration_words(seconds: float) -> str:
    """15 minutes, 1 minute, 24 seconds."""
    if seconds >= 60:
        minutes = round(seconds / 60)
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    return f"{round(seconds)} seconds"
