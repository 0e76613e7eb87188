"""Managers' intake keys page (/setup/intake-keys/): the keys of the capture channels,
one made here and shown once, one revoked after a confirmation."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from apps.accounts.decorators import MANAGER_ROLES, role_required
from apps.core.form_tokens import form_token_spend
from apps.intake.models import IntakeKey
from apps.intake.selectors import intake_key_get, intake_key_list
from apps.intake.services import intake_key_create, intake_key_revoke

manager_required = role_required(
    *MANAGER_ROLES, message="Managers and admins look after intake keys."
)


class IntakeKeyForm(forms.Form):
    name = forms.CharField(
        label="Capture channel",
        max_length=IntakeKey._meta.get_field("name").max_length,
        help_text='What posts with this key, e.g. "Website contact form" or "Call '
        'tracking vendor".',
    )


@manager_required
def key_list(request: HttpRequest) -> HttpResponse:
    """The keys, and the form to make one; a new key is shown on this answer only."""
    form = IntakeKeyForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        if not form_token_spend(request):
            messages.info(request, "That key was made already: the first of two sendings.")
            return redirect("intake_keys:list")
        try:
            intake_key, raw_key = intake_key_create(
                name=form.cleaned_data["name"].strip(), actor=request.user
            )
        except ValidationError as exc:
            form.add_error("name", exc.message_dict["name"])
        else:
            new_key = {"row": intake_key, "raw": raw_key}
            form = IntakeKeyForm()
    context = {
        "keys": intake_key_list(),
        "form": form,
        "new_key": new_key,
        # Where this page was served from, so the example posts where LeadCRM answers.
        "intake_url": request.build_absolute_uri("/api/v1/intake/"),
    }
    # Like every page, answered with Cache-Control: no-store: the key never comes back
    # from a cache or the Back button.
    return render(request, "intake/key_list.html", context, status=400 if form.errors else 200)


@manager_required
def key_revoke(request: HttpRequest, key_id: int) -> HttpResponse:
    """GET asks for confirmation; POST revokes. Unknown keys answer 404."""
    try:
        intake_key = intake_key_get(key_id=key_id)
    except IntakeKey.DoesNotExist:
        raise Http404("No such intake key.") from None
    if request.method == "POST":
        if intake_key_revoke(intake_key=intake_key, actor=request.user):
            messages.success(
                request, f'"{intake_key.name}" was revoked: its requests are refused from now on.'
            )
        return redirect("intake_keys:list")
    return render(request, "intake/key_revoke.html", {"key": intake_key})
