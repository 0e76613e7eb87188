from django.conf import settings


def sign_in(request):
    """What the idle-logoff warning (templates/base.html) and the login page need."""
    return {
        "session_idle_seconds": settings.SESSION_IDLE_SECONDS,
        "session_warning_seconds": settings.SESSION_IDLE_WARNING_SECONDS,
        "local_passwords_enabled": settings.LOCAL_PASSWORDS_ENABLED,
    }
