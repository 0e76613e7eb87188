"""The lead page and its quick actions, each a small form answered with the page (or,
to htmx, its body) showing the result or the form's field errors."""

import functools

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from apps.accounts.decorators import MANAGER_ROLES, role_required
from apps.accounts.selectors import user_has_role, user_sees_all_leads
from apps.core.form_tokens import form_token_spend
from apps.leads.choices import ActivityKind, Direction, Outcome
from apps.leads.merging import lead_merge, lead_merge_undo
from apps.leads.models import Activity, Lead, LeadMerge
from apps.leads.services import activity_log, activity_strike, lead_stage_change, task_complete
from apps.people.models import ConsentChannel, ConsentPurpose
from apps.people.selectors import consent_is_granted
from apps.privacy.services import EMERGENCY_ROLES, emergency_access_grant
from apps.queue import forms
from apps.queue.selectors.lead_history import lead_history_get
from apps.queue.selectors.lead_page import (
    activity_for_action,
    lead_for_action,
    lead_page_get,
    merge_for_action,
    merge_preview_get,
    task_for_action,
)
from apps.routing.assignment import lead_claim, lead_reassign

FORM_CLASSES = {
    "call": forms.CallLogForm,
    "message": forms.MessageLogForm,
    "note": forms.NoteForm,
    "task": forms.TaskForm,
}


@login_required
@require_http_methods(["GET"])
def lead_detail(request: HttpRequest, lead_id: int) -> HttpResponse:
    return _render_lead(request, lead_id)


@login_required
@require_http_methods(["GET"])
def lead_history(request: HttpRequest, lead_id: int) -> HttpResponse:
    """The lead's History tab: every recorded change, who made it and when."""
    try:
        history = lead_history_get(user=request.user, lead_id=lead_id)
    except Lead.DoesNotExist:
        raise Http404("No such lead.") from None
    return render(request, "queue/lead_history.html", {"history": history, "lead": history.lead})


def _render_lead(
    request: HttpRequest,
    lead_id: int,
    *,
    bound: dict | None = None,
    open_action: str = "",
    notice: str = "",
    notice_tone: str = "ok",
) -> HttpResponse:
    """The lead page, or to htmx its body, with any bound (invalid) form in place."""
    try:
        page = lead_page_get(
            user=request.user, lead_id=lead_id, whole_timeline=request.GET.get("timeline") == "all"
        )
    except Lead.DoesNotExist:
        raise Http404("No such lead.") from None
    bound = bound or {}
    context = {
        "page": page,
        "lead": page.lead,
        "open_action": open_action,
        "notice": notice,
        "notice_tone": notice_tone,
        "is_manager": user_sees_all_leads(user=request.user),
        **{f"{name}_fields": _quick_fields_html(name, bound.get(name)) for name in FORM_CLASSES},
        "stage_form": bound.get("stage") or _stage_form(page, data=None),
        "reassign_form": bound.get("reassign") or _reassign_form(page, data=None),
        "person_fields": _quick_fields_html(
            "person",
            bound.get("person")
            or forms.PersonContactForm(
                prefix="person",
                initial=forms.PersonContactForm.initial_of(page.lead.person),
                language=page.lead.person.preferred_language,
            ),
        ),
    }
    template = "queue/lead_detail.html"
    if request.htmx and not request.htmx.boosted:
        template += "#lead_body"
    return render(request, template, context)


def _quick_fields_html(name: str, form=None) -> str:
    """The fields of a quick-action form: the submitted one with its errors, or the
    empty one, which is the same on every lead page and rendered once per process
    (Django renders each widget through a template: the slowest part of the page). An
    edit to the fields' templates shows after a restart, like a Python edit."""
    if form is not None:
        return render_to_string("queue/_quick_fields.html", {"form": form})
    return _empty_quick_fields_html(name)


@functools.cache
def _empty_quick_fields_html(name: str) -> str:
    return render_to_string("queue/_quick_fields.html", {"form": FORM_CLASSES[name](prefix=name)})


def _stage_form(page, *, data, initial=None) -> forms.StageChangeForm:
    return forms.StageChangeForm(
        data,
        initial=initial,
        prefix="stage",
        lead=page.lead,
        stages=page.stages,
        questions=page.questions,
        locations=page.locations,
        preview_url=reverse("queue:lead_stage", args=[page.lead.pk]),
    )


def _reassign_form(page, *, data):
    if not page.can_reassign:
        return None
    return forms.ReassignForm(
        data,
        prefix="reassign",
        teams=page.reassign_teams,
        memberships=page.reassign_memberships,
        initial={"team": page.lead.team_id, "owner": page.lead.owner_id},
    )


def _lead_or_404(request: HttpRequest, lead_id: int) -> Lead:
    try:
        return lead_for_action(user=request.user, lead_id=lead_id)
    except Lead.DoesNotExist:
        raise Http404("No such lead.") from None


def _done(request: HttpRequest, lead_id: int, notice: str) -> HttpResponse:
    if request.htmx:
        return _render_lead(request, lead_id, notice=notice)
    messages.success(request, notice)
    return redirect("queue:lead", lead_id=lead_id)


def _failed(request: HttpRequest, lead_id: int, notice: str) -> HttpResponse:
    if request.htmx:
        return _render_lead(request, lead_id, notice=notice, notice_tone="error")
    messages.error(request, notice)
    return redirect("queue:lead", lead_id=lead_id)


def _add_service_errors(form, error: ValidationError) -> None:
    for name, field_messages in error.message_dict.items():
        form.add_error(name if name in form.fields else None, field_messages)


def _quick_action(request, lead_id, *, action, perform, notice) -> HttpResponse:
    """Validate the action's form, call its service, and answer with the page (or its
    body) showing the result, or the form with its field errors."""
    lead = _lead_or_404(request, lead_id)
    if refusal := lead.action_refusal(action):
        return _failed(request, lead_id, refusal)
    form = FORM_CLASSES[action](request.POST, prefix=action)
    if form.is_valid():
        if not form_token_spend(request):
            return _done(request, lead_id, "Already saved.")
        try:
            perform(lead, form.cleaned_data)
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            return _done(request, lead_id, notice)
    return _render_lead(request, lead_id, bound={action: form}, open_action=action)


@login_required
@require_POST
def lead_call_log(request: HttpRequest, lead_id: int) -> HttpResponse:
    def perform(lead, data):
        minutes = data.get("duration_minutes")
        activity_log(
            lead=lead,
            kind=ActivityKind.CALL,
            actor=request.user,
            direction=data["direction"],
            outcome=data["outcome"],
            body=data.get("note", ""),
            duration_seconds=minutes * 60 if minutes is not None else None,
            occurred_at=data.get("occurred_at"),
        )

    return _quick_action(request, lead_id, action="call", perform=perform, notice="Call logged.")


@login_required
@require_POST
def lead_message_log(request: HttpRequest, lead_id: int) -> HttpResponse:
    def perform(lead, data):
        if (
            data["kind"] == ActivityKind.SMS
            and not data.get("sent_without_consent")
            and not consent_is_granted(
                person=lead.person,
                channel=ConsentChannel.SMS,
                purpose=ConsentPurpose.CARE_COORDINATION,
            )
        ):
            raise ValidationError(
                {
                    "sent_without_consent": "This person has not agreed to texts about their "
                    "inquiry: call or email instead, or tick this box to record a text "
                    "already sent."
                }
            )
        activity_log(
            lead=lead,
            kind=data["kind"],
            actor=request.user,
            direction=Direction.OUTBOUND,
            outcome=Outcome.SENT,
            body=data.get("note", ""),
            occurred_at=data.get("occurred_at"),
        )

    return _quick_action(
        request, lead_id, action="message", perform=perform, notice="Message logged."
    )


@login_required
@require_POST
def lead_note_add(request: HttpRequest, lead_id: int) -> HttpResponse:
    def perform(lead, data):
        activity_log(lead=lead, kind=ActivityKind.NOTE, actor=request.user, body=data["body"])

    return _quick_action(request, lead_id, action="note", perform=perform, notice="Note added.")


@login_required
@require_POST
def lead_task_add(request: HttpRequest, lead_id: int) -> HttpResponse:
    def perform(lead, data):
        activity_log(
            lead=lead,
            kind=ActivityKind.TASK,
            actor=request.user,
            assignee=request.user,
            due_at=data["due_at"],
            body=data.get("note", ""),
            details={"task_type": data["task_type"]},
        )

    label = "Task"
    if request.POST.get("task-task_type") == forms.TaskType.CALLBACK:
        label = "Callback"
    return _quick_action(request, lead_id, action="task", perform=perform, notice=f"{label} set.")


@login_required
@require_POST
def lead_task_done(request: HttpRequest, lead_id: int, task_id: int) -> HttpResponse:
    lead = _lead_or_404(request, lead_id)
    try:
        task = task_for_action(lead=lead, task_id=task_id)
    except Activity.DoesNotExist:
        raise Http404("No such task.") from None
    task_complete(task=task, actor=request.user)
    return _done(request, lead_id, "Task done.")


@login_required
@require_POST
def lead_activity_strike(request: HttpRequest, lead_id: int, activity_id: int) -> HttpResponse:
    """Strike a timeline entry logged in error through, with a reason (never edit it)."""
    lead = _lead_or_404(request, lead_id)
    try:
        activity = activity_for_action(lead=lead, activity_id=activity_id)
    except Activity.DoesNotExist:
        raise Http404("No such entry.") from None
    try:
        activity_strike(
            activity=activity, actor=request.user, reason=request.POST.get("reason", "")
        )
    except ValidationError as error:
        return _failed(request, lead_id, " ".join(error.messages))
    return _done(request, lead_id, "Entry struck through; the original stays on the timeline.")


@login_required
@require_http_methods(["GET", "POST"])
def lead_emergency_access(request: HttpRequest, lead_id: int) -> HttpResponse:
    """Break-the-glass: open a lead outside one's teams, giving a reason. The form does
    not say whether the lead exists; a granted access opens the lead page."""
    if not user_has_role(user=request.user, roles=EMERGENCY_ROLES):
        raise PermissionDenied("Your role cannot open leads in an emergency.")
    form = forms.EmergencyAccessForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            emergency_access_grant(user=request.user, lead_id=lead_id, **form.cleaned_data)
        except Lead.DoesNotExist:
            raise Http404("No such lead.") from None
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.warning(
                request, "Emergency access granted; the privacy officer has been told."
            )
            return redirect("queue:lead", lead_id=lead_id)
    return render(
        request,
        "queue/emergency_access.html",
        {"form": form, "lead_id": lead_id, "hours": settings.BREAK_GLASS_HOURS},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def lead_claim_view(request: HttpRequest, lead_id: int) -> HttpResponse:
    lead = _lead_or_404(request, lead_id)
    try:
        lead_claim(lead=lead, actor=request.user)
    except ValidationError as error:
        return _failed(request, lead_id, " ".join(error.messages))
    except PermissionDenied as error:
        return _failed(request, lead_id, str(error))
    return _done(request, lead_id, "You own this lead now.")


@role_required(*MANAGER_ROLES, message="Only managers reassign leads.")
@require_POST
def lead_reassign_view(request: HttpRequest, lead_id: int) -> HttpResponse:
    """Managers give a lead to a team and someone in it, with a reason (apps.routing)."""
    try:
        page = lead_page_get(user=request.user, lead_id=lead_id)
    except Lead.DoesNotExist:
        raise Http404("No such lead.") from None
    form = _reassign_form(page, data=request.POST)
    if form is not None and form.is_valid():
        owner_id = form.cleaned_data["owner"]
        try:
            lead_reassign(
                lead=page.lead,
                team=form.teams[form.cleaned_data["team"]],
                owner=form.users[owner_id] if owner_id else None,
                actor=request.user,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            return _done(request, lead_id, "Lead reassigned.")
    return _render_lead(request, lead_id, bound={"reassign": form}, open_action="assign")


@login_required
@require_POST
def lead_stage(request: HttpRequest, lead_id: int) -> HttpResponse:
    """Move the lead's stage. A stage that asks questions shows them first: with htmx as
    soon as it is chosen (`preview`), without JS after a first submit."""
    try:
        page = lead_page_get(user=request.user, lead_id=lead_id)
    except Lead.DoesNotExist:
        raise Http404("No such lead.") from None
    form = _stage_form(page, data=request.POST)
    if request.POST.get("preview") or (
        form.chosen is not None and form.needs_details and not form.details_were_shown
    ):
        # Show the chosen stage's questions, keeping what was typed, without errors yet.
        form = _stage_form(page, data=None, initial=_initial_from(form))
        if request.htmx and request.POST.get("preview"):
            return render(
                request,
                "queue/lead_detail.html#stage_form",
                {"stage_form": form, "lead": page.lead},
            )
        return _render_lead(request, lead_id, bound={"stage": form}, open_action="stage")
    if form.is_valid():
        try:
            lead_stage_change(lead=page.lead, actor=request.user, **form.service_arguments())
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            return _done(request, lead_id, f"Moved to {form.chosen.name}.")
    return _render_lead(request, lead_id, bound={"stage": form}, open_action="stage")


def _initial_from(form: forms.StageChangeForm) -> dict:
    return {
        name: form.data.get(form.add_prefix(name))
        for name in form.fields
        if form.data.get(form.add_prefix(name)) not in (None, "") and name != "shown_for"
    }


@login_required
@require_http_methods(["GET", "POST"])
def lead_merge_view(request: HttpRequest, lead_id: int) -> HttpResponse:
    """Merge another lead (`duplicate`, an id) into this one: both side by side first
    (GET, or a POST without `confirm`), then the merge once confirmed."""
    params = request.POST if request.method == "POST" else request.GET
    try:
        preview = merge_preview_get(
            user=request.user, survivor_id=lead_id, duplicate_id=int(params.get("duplicate", ""))
        )
    except (ValueError, Lead.DoesNotExist):
        raise Http404("No such lead.") from None
    if refusal := preview.survivor.action_refusal("merge"):
        return _failed(request, lead_id, refusal)
    if request.method == "POST" and request.POST.get("confirm") == "merge":
        try:
            lead_merge(survivor=preview.survivor, duplicate=preview.duplicate, actor=request.user)
        except ValidationError as error:
            return _failed(request, lead_id, " ".join(error.messages))
        return _done(request, lead_id, f"Lead #{preview.duplicate.pk} merged into this lead.")
    return render(request, "queue/lead_merge.html", {"preview": preview})


@login_required
@require_POST
def lead_merge_undo_view(request: HttpRequest, lead_id: int, merge_id: int) -> HttpResponse:
    _lead_or_404(request, lead_id)
    try:
        merge = merge_for_action(user=request.user, merge_id=merge_id)
    except LeadMerge.DoesNotExist:
        raise Http404("No such merge.") from None
    if lead_id not in (merge.survivor_id, merge.duplicate_id):
        raise Http404("No such merge.")
    try:
        lead_merge_undo(merge=merge, actor=request.user)
    except ValidationError as error:
        return _failed(request, lead_id, " ".join(error.messages))
    return _done(request, lead_id, f"Merge undone: lead #{merge.duplicate_id} is on its own again.")
