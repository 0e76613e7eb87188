"""Sign-in pages of staff accounts."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

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


@login_required
def account(request: HttpRequest) -> HttpResponse:
    """The user's own page: who they are, their password and sign-in settings."""
    return _account_render(request, password_form=PasswordChangeForm(request.user))


@login_required
@require_POST
def password_change(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.user, request.POST)
    if not form.is_valid():
        return _account_render(request, password_form=form, status=400)
    form.save()
    # Keeps this session signed in; the user's other sessions end with the old password.
    update_session_auth_hash(request, form.user)
    messages.success(request, "Your password was changed.")
    return redirect("accounts:account")


def _account_render(
    request: HttpRequest, *, password_form: PasswordChangeForm, status: int = 200
) -> HttpResponse:
    roles = sorted(request.user.groups.values_list("name", flat=True))
    return render(
        request,
        "accounts/account.html",
        {"password_form": password_form, "roles": roles},
        status=status,
    )
