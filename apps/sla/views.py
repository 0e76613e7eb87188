"""Managers' page for response policies: list, add, edit."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from apps.accounts.decorators import MANAGER_ROLES, role_required
from apps.core.form_tokens import form_token_spend
from apps.leads.first_response import FIRST_RESPONSE_IN_WORDS
from apps.servicelines.models import ServiceLine
from apps.sla.forms import ResponsePolicyForm, ServiceLineTargetsForm
from apps.sla.models import ResponsePolicy
from apps.sla.selectors import response_policy_list, service_line_targets_list
from apps.sla.services import response_policy_save, service_line_targets_update


@role_required(*MANAGER_ROLES)
def policy_list(request: HttpRequest) -> HttpResponse:
    """Every response policy with its escalation chain."""
    return render(
        request,
        "sla/policy_list.html",
        {
            "policies": response_policy_list(),
            "service_lines": service_line_targets_list(),
            "first_response_rule": FIRST_RESPONSE_IN_WORDS,
        },
    )


@role_required(*MANAGER_ROLES)
def policy_edit(request: HttpRequest, policy_id: int | None = None) -> HttpResponse:
    """Add a policy, or edit one; field errors are shown beside each field."""
    policy = get_object_or_404(ResponsePolicy, pk=policy_id) if policy_id else None
    form = ResponsePolicyForm(request.POST or None, instance=policy)
    if request.method == "POST" and form.is_valid():
        if not form_token_spend(request):
            return redirect("sla:policy_list")  # already saved by the first sending
        try:
            response_policy_save(policy=form.save(commit=False))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("sla:policy_list")
    return render(request, "sla/policy_form.html", {"form": form, "policy": policy})


@role_required(*MANAGER_ROLES)
def service_line_targets_edit(request: HttpRequest, service_line_id: int) -> HttpResponse:
    """A service line's default targets: what a lead follows when no policy sets one."""
    service_line = get_object_or_404(ServiceLine, pk=service_line_id)
    form = ServiceLineTargetsForm(request.POST or None, instance=service_line)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            changes = service_line_targets_update(
                service_line_id=service_line.pk,
                urgent=data["urgent_response_minutes"],
                soon=data["soon_response_minutes"],
                routine=data["routine_response_minutes"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if changes:
                messages.success(request, f"{service_line.name}: {'; '.join(changes)}.")
            return redirect("sla:policy_list")
    return render(
        request,
        "sla/service_line_targets.html",
        {"form": form, "service_line": service_line},
        status=400 if form.errors else 200,
    )
