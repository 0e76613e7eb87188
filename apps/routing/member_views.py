"""Managers' "Team members" page: each team's members with what routing reads of them,
and a form per member to change it (the Django admin was the only place before)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from apps.accounts.models import User
from apps.accounts.selectors import user_account_history
from apps.routing.member_forms import MemberRoutingProfileForm
from apps.routing.member_selectors import (
    member_get_for_edit,
    team_member_board,
)
from apps.routing.member_services import member_routing_profile_update
from apps.routing.views import manager_required


@manager_required
def member_list(request: HttpRequest) -> HttpResponse:
    return render(request, "routing/members.html", {"sections": team_member_board()})


@manager_required
def member_edit(request: HttpRequest, user_id: int) -> HttpResponse:
    try:
        member = member_get_for_edit(user_id=user_id)
    except User.DoesNotExist:
        raise Http404("No such member of staff.") from None
    form = MemberRoutingProfileForm(request.POST or None, member=member)
    if request.method == "POST" and form.is_valid():
        try:
            changes = member_routing_profile_update(
                member=member, actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if changes:
                messages.success(request, f"Saved {member.display_name}: {'; '.join(changes)}.")
            else:
                messages.info(request, f"Nothing changed for {member.display_name}.")
            return redirect("routing:member_list")
    context = {
        "member": member,
        "form": form,
        "changes": user_account_history(user=member, limit=5),
    }
    return render(request, "routing/members_form.html", context)
