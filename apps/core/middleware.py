"""Response headers every signed-in page needs."""

import functools
import zoneinfo
from urllib.parse import unquote

from django.utils import timezone
from django.utils.cache import add_never_cache_headers


class SignedInPagesNotStoredMiddleware:
    """Pages a signed-in user sees change under them (a note added, a stage moved) and
    show patient data: the browser must neither keep them in its cache nor serve them
    from there on Back or Forward. After adding a note, Back then Forward showed the lead
    page without it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)  # no-store, no-cache, private, max-age=0
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
