"""Bulk actions on the queue: tick leads, choose an action, confirm, see what was done."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from apps.accounts.decorators import role_required
from apps.core.form_tokens import form_token_spend
from apps.queue import forms, services
from apps.queue.selectors.bulk import leads_for_bulk
from apps.queue.views.queue import BULK_ROLES, bulk_form


@role_required(*BULK_ROLES, message="Your role does not change leads.")
@require_POST
def queue_bulk(request: HttpRequest) -> HttpResponse:
    """First POST: the confirmation ("Reassign 12 leads to Dana Ruiz?"). Second POST,
    with `confirm`: the action, lead by lead, then what was done and what was skipped.
    Ticked ids outside the user's scope are never acted on; none in scope is a 404."""
    form = bulk_form(request, data=request.POST)
    if not form.is_valid():
        return render(request, "queue/bulk_confirm.html", {"form": form}, status=400)
    leads = leads_for_bulk(user=request.user, lead_ids=form.cleaned_data["lead"])
    if not leads:
        raise Http404("None of these leads is yours to change.")
    # Ticked but not found in scope: reported as a number, never by id or name.
    not_found = len(form.cleaned_data["lead"]) - len(leads)
    if request.POST.get("confirm") != "yes":
        context = {
            "form": form,
            "leads": leads,
            "question": form.question(len(leads)),
            "confirm_label": form.confirm_label(len(leads)),
        }
        return render(request, "queue/bulk_confirm.html", context)
    if not form_token_spend(request):
        messages.info(request, "These leads were already changed: the form was sent twice.")
        return redirect("queue:index")
    outcome = _perform(request, form, leads)
    context = {
        "question": form.question(len(leads)),
        "outcome": outcome,
        "not_found": not_found,
        "leads_by_id": {lead.pk: lead for lead in leads},
    }
    return render(request, "queue/bulk_result.html", context)


def _perform(request: HttpRequest, form: forms.BulkActionForm, leads) -> services.BulkOutcome:
    data = form.cleaned_data
    action = data["action"]
    if action == forms.BulkAction.REASSIGN:
        return services.leads_bulk_reassign(
            leads=leads, owner=form.owners[data["owner"]], actor=request.user, reason=data["reason"]
        )
    if action == forms.BulkAction.STAGE:
        return services.leads_bulk_stage_change(
            leads=leads,
            to_stage=form.stages[data["stage"]],
            actor=request.user,
            reason=data["reason"],
            lost_reason=data["lost_reason"],
            recontact_on=data["recontact_on"],
        )
    if action == forms.BulkAction.NURTURE:
        return services.leads_bulk_enroll(
            leads=leads, track=form.tracks[data["track"]], actor=request.user
        )
    raise PermissionDenied("Unknown action.")
