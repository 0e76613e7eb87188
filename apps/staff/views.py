"""The "Users and roles" pages (/setup/users/): the list, inviting someone, one person's
page (role, teams, history) and the account actions, each POST after a confirmation
where it cannot be taken back. People outside the viewer's scope answer 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from apps.accounts.models import User
from apps.accounts.selectors import user_account_history
from apps.core.form_tokens import form_token_spend
from apps.staff import services
from apps.staff.forms import StaffInviteForm, StaffRoleForm
from apps.staff.selectors import (
    StaffRow,
    staff_get_for_user,
    staff_list_for_user,
    user_manages_staff,
)


def _manager(request: HttpRequest) -> None:
    if not user_manages_staff(user=request.user):
        raise PermissionDenied("Managers and admins look after users and roles.")


def _member(request: HttpRequest, user_id: int) -> StaffRow:
    _manager(request)
    try:
        return staff_get_for_user(actor=request.user, user_id=user_id)
    except User.DoesNotExist:
        raise Http404("No such member of staff.") from None


def _errors_onto(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
def staff_list(request: HttpRequest) -> HttpResponse:
    _manager(request)
    return render(request, "staff/list.html", {"rows": staff_list_for_user(actor=request.user)})


@login_required
def staff_invite(request: HttpRequest) -> HttpResponse:
    _manager(request)
    form = StaffInviteForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        if not form_token_spend(request):
            return redirect("staff:list")  # the first sending made the account
        try:
            member = services.staff_invite(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _errors_onto(form, exc)
        else:
            messages.success(request, f"{member.display_name} was invited.")
            return redirect("staff:detail", user_id=member.pk)
    status = 400 if form.errors else 200
    return render(request, "staff/invite.html", {"form": form}, status=status)


@login_required
def staff_detail(request: HttpRequest, user_id: int) -> HttpResponse:
    """One person: facts, the role and teams form (POST saves it), actions, history."""
    row = _member(request, user_id)
    member = row.user
    initial = {
        "role": next(iter(g.name for g in member.groups.all()), ""),
        "teams": member.teams.all(),
    }
    form = StaffRoleForm(request.POST or None, actor=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            changes = services.staff_role_and_teams_update(
                actor=request.user, member=member, **form.cleaned_data
            )
        except ValidationError as exc:
            _errors_onto(form, exc)
        else:
            if changes:
                messages.success(request, f"Saved {member.display_name}: {'; '.join(changes)}.")
            else:
                messages.info(request, f"Nothing changed for {member.display_name}.")
            return redirect("staff:detail", user_id=member.pk)
    context = {
        "row": row,
        "member": member,
        "form": form,
        "history": user_account_history(user=member, limit=20),
    }
    return render(request, "staff/detail.html", context, status=400 if form.errors else 200)


# action: (service, confirmation needed, message when done)
ACTIONS = {
    "deactivate": (
        services.staff_deactivate,
        True,
        "{name} was deactivated and signed out everywhere.",
    ),
    "reactivate": (services.staff_reactivate, False, "{name} can sign in again."),
    "unlock": (services.staff_sign_in_unlock, False, "{name} can sign in again at once."),
    "reset_mfa": (
        services.staff_mfa_reset,
        True,
        "{name}'s two-factor authentication was reset and they were signed out.",
    ),
}


def _action(request: HttpRequest, user_id: int, action: str) -> HttpResponse:
    row = _member(request, user_id)
    service, confirm, done = ACTIONS[action]
    if request.method != "POST":
        if not confirm:
            return HttpResponse(status=405, headers={"Allow": "POST"})
        return render(request, "staff/confirm.html", {"member": row.user, "action": action})
    try:
        service(actor=request.user, member=row.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done.format(name=row.user.display_name))
    return redirect("staff:detail", user_id=row.user.pk)


@login_required
def staff_deactivate(request: HttpRequest, user_id: int) -> HttpResponse:
    return _action(request, user_id, "deactivate")


@login_required
@require_POST
def staff_reactivate(request: HttpRequest, user_id: int) -> HttpResponse:
    return _action(request, user_id, "reactivate")


@login_required
@require_POST
def staff_unlock(request: HttpRequest, user_id: int) -> HttpResponse:
    return _action(request, user_id, "unlock")


@login_required
def staff_mfa_reset(request: HttpRequest, user_id: int) -> HttpResponse:
    return _action(request, user_id, "reset_mfa")
