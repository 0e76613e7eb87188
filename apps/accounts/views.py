"""Sign-in pages of staff accounts."""

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

# The same words whether or not the username exists: a lockout must not tell an
# attacker which usernames are real.
LOCKED_OUT_MESSAGE = (
    "Too many failed sign-in attempts. Sign-in is paused for {minutes} minutes; "
    "an administrator can unlock it sooner."
)


def login_locked_out(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict | None
) -> HttpResponse:
    """The login page with the lockout message (django-axes' AXES_LOCKOUT_CALLABLE)."""
    cool_off_seconds = int(settings.AXES_COOLOFF_TIME.total_seconds())
    response = render(
        request,
        "registration/login.html",
        {
            "form": AuthenticationForm(request),
            "locked_out_message": LOCKED_OUT_MESSAGE.format(minutes=cool_off_seconds // 60),
            "next": request.POST.get("next", ""),
        },
        status=429,
    )
    response["Retry-After"] = str(cool_off_seconds)
    return response
