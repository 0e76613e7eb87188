from django.conf import settings


def session_timeout(request):
    """What the idle-logoff warning script needs to know (templates/base.html)."""
    return {
        "session_idle_seconds": settings.SESSION_IDLE_SECONDS,
        "session_warning_seconds": settings.SESSION_IDLE_WARNING_SECONDS,
    }
