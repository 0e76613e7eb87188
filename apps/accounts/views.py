"""Staff accounts' pages: the home page each role starts its day on, the lockout page,
the user's own account page, and the idle-logoff warning's endpoints."""

from collections.abc import Callable
from functools import wraps

from allauth.account.forms import LoginForm
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from apps.accounts import selectors, services
from apps.accounts.choices import Role
from apps.accounts.forms import UserSettingsForm
from apps.accounts.middleware import duration_words, idle_seconds_left

# The same words whether or not the username exists: a lockout must not tell an
# attacker which usernames are real.
LOCKED_OUT_MESSAGE = (
    "Too many failed sign-in attempts. Sign-in is paused for {minutes} minutes; "
    "an administrator can unlock it sooner."
)


# Where each role starts its day, most hands-on role first (someone with two roles
# starts where the first of them works).
ROLE_HOMES = (
    (Role.INTAKE_COORDINATOR, "queue:index"),  # their queue
    (Role.MANAGER, "dashboards:index"),
    (Role.ADMIN, "dashboards:index"),
    (Role.LIAISON, "referrals:plan"),  # their visit plan
    (Role.PRIVACY_OFFICER, "privacy:patient_access"),
)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Each role's own start page; someone with no role yet gets a welcome page."""
    names = selectors.user_role_names(user=request.user)
    if request.user.is_superuser:
        names = names | {Role.ADMIN}
    for role, url_name in ROLE_HOMES:
        if role in names:
            return redirect(url_name)
    return render(request, "accounts/home.html")


def login_locked_out(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict | None
) -> HttpResponse:
    """The login page with the lockout message (django-axes' AXES_LOCKOUT_CALLABLE)."""
    cool_off_seconds = int(settings.AXES_COOLOFF_TIME.total_seconds())
    response = render(
        request,
        "account/login.html",
        {
            "form": LoginForm(request=request),
            "locked_out_message": LOCKED_OUT_MESSAGE.format(minutes=cool_off_seconds // 60),
            "redirect_field_name": "next",
            "redirect_field_value": request.POST.get("next", ""),
        },
        status=429,
    )
    response["Retry-After"] = str(cool_off_seconds)
    return response


def too_many_sign_ins(request: HttpRequest) -> HttpResponse:
    """Sign-in attempts over LOGIN_RATE_LIMIT from one address (allauth's handler429):
    429 with Retry-After, so a person or a script waits instead of hammering."""
    response = render(request, "accounts/too_many_sign_ins.html", status=429)
    response["Retry-After"] = "60"
    return response


@login_required
def account(request: HttpRequest) -> HttpResponse:
    """The user's own page: who they are, their settings (time zone, alert emails; POST
    saves them), password and sign-in settings, API token and sessions."""
    if request.method != "POST":
        return _account_render(request, password_form=PasswordChangeForm(request.user))
    form = UserSettingsForm(request.POST)
    if not form.is_valid():
        return _account_render(
            request, password_form=PasswordChangeForm(request.user), settings_form=form, status=400
        )
    if services.user_settings_update(user=request.user, **form.cleaned_data):
        messages.success(request, "Your settings were saved.")
    return redirect("accounts:account")


def local_passwords_only(view: Callable) -> Callable:
    """404 for password pages when passwords are switched off (LOCAL_PASSWORDS_ENABLED)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not settings.LOCAL_PASSWORDS_ENABLED:
            raise Http404("Passwords are switched off: sign in through single sign-on.")
        return view(request, *args, **kwargs)

    return wrapper


@local_passwords_only
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


@login_required
@require_POST
def sign_out_everywhere(request: HttpRequest) -> HttpResponse:
    services.user_sign_out_everywhere(user=request.user)
    logout(request)
    messages.success(request, "You were signed out on every device, this one included.")
    return redirect(settings.LOGIN_URL)


@login_required
@require_POST
def api_token_create(request: HttpRequest) -> HttpResponse:
    key = services.api_token_issue(user=request.user)
    return _account_render(
        request, password_form=PasswordChangeForm(request.user), new_token_key=key
    )


@login_required
@require_POST
def api_token_revoke(request: HttpRequest) -> HttpResponse:
    if services.api_token_revoke(user=request.user):
        messages.success(request, "Your API token was revoked.")
    return redirect("accounts:account")


@login_required
@require_GET
def session_status(request: HttpRequest) -> JsonResponse:
    """Seconds left before idle logoff; asked by the warning script, and not activity."""
    return JsonResponse({"seconds_left": max(0, int(idle_seconds_left(request)))})


@login_required
@require_POST
def session_stay(request: HttpRequest) -> JsonResponse:
    """ "Stay signed in": a request like any other, so it counts as activity."""
    return JsonResponse({"seconds_left": max(0, int(idle_seconds_left(request)))})


def _account_render(
    request: HttpRequest,
    *,
    password_form: PasswordChangeForm,
    new_token_key: str = "",
    settings_form: UserSettingsForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    # Django's form focuses its first field, which would scroll the page to the bottom.
    password_form.fields["old_password"].widget.attrs.pop("autofocus", None)
    if settings_form is None:
        settings_form = UserSettingsForm(
            initial={"time_zone": user.time_zone, "alert_emails": user.alert_emails}
        )
    return render(
        request,
        "accounts/account.html",
        {
            "password_form": password_form,
            "settings_form": settings_form,
            "roles": sorted(
                str(dict(Role.choices).get(name, name))
                for name in user.groups.values_list("name", flat=True)
            ),
            "sessions": selectors.session_count_for_user(user=user),
            "api_token": selectors.api_token_for_user(user=user),
            "mfa": selectors.mfa_summary_for_user(user=user),
            "new_token_key": new_token_key,
            "token_days": settings.STAFF_API_TOKEN_DAYS,
            "idle_duration": duration_words(settings.SESSION_IDLE_SECONDS),
        },
        status=status,
    )
