"""Two-factor authentication required by role (MFA_REQUIRED_ROLES): until a user of
such a role has set up an authenticator app or a security key, every page sends them
to their account page to do so. The set-up pages themselves, signing out and the
session's own endpoints stay open."""

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect

from apps.accounts.selectors import user_has_second_factor, user_must_use_mfa

# Once found, remembered for the session: an admin's reset of a user's factors also
# ends their sessions, and the MFA adapter refuses to remove a required last factor.
ENROLLED = "mfa_enrolled"
OPEN_PREFIXES = ("/accounts/", "/account/", "/static/", "/healthz/", "/readyz/")


class MfaRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not request.session.get(ENROLLED)
            and not request.path.startswith(OPEN_PREFIXES)
            and user_must_use_mfa(user=user)
        ):
            if user_has_second_factor(user=user):
                request.session[ENROLLED] = True
            else:
                return _enrolment_required(request)
        return self.get_response(request)


def _enrolment_required(request: HttpRequest) -> HttpResponse:
    text = (
        "Your role requires two-factor authentication: set up an authenticator app or a "
        "security key below to continue."
    )
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": text}, status=403)
    messages.warning(request, text)
    if request.htmx:
        return HttpResponseClientRedirect(reverse("accounts:account"))
    return redirect("accounts:account")
