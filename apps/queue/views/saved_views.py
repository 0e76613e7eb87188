"""Saved views of the queue: save the current filters under a name, rename, delete."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from apps.accounts.selectors import user_sees_all_leads
from apps.core.form_tokens import form_token_spend
from apps.queue import forms, services
from apps.queue.models import SavedView
from apps.queue.selectors import queue_scopes
from apps.queue.selectors.saved_views import saved_view_get_for_user
from apps.queue.views.queue import queue_render, queue_url, saved_view_form


@login_required
@require_POST
def queue_view_create(request: HttpRequest) -> HttpResponse:
    """Save the queue's filters, columns and order (posted with the filter form) as a
    view, then open it."""
    queue_form = forms.QueueFilterForm(request.POST, scopes=queue_scopes(user=request.user))
    save_form = saved_view_form(data=request.POST, can_share=user_sees_all_leads(user=request.user))
    if save_form.is_valid():
        if not form_token_spend(request):
            return redirect(queue_url(queue_form.url_params()))
        params = queue_form.url_params()
        data = save_form.cleaned_data
        try:
            view = services.saved_view_create(
                owner=request.user,
                name=data["name"],
                filters=params,
                columns=params.get("columns", []),
                sort=params.get("sort", ""),
                sharing=data["sharing"],
                team=save_form.teams.get(data["team"]) if data["team"] else None,
            )
        except ValidationError as error:
            for name, field_messages in error.message_dict.items():
                save_form.add_error(name if name in save_form.fields else None, field_messages)
        else:
            messages.success(request, f"View “{view.name}” saved.")
            return redirect(queue_url({"view": view.pk}))
    return queue_render(request, form=queue_form, save_form=save_form, status=400)


def _view_or_404(request: HttpRequest, view_id: int) -> SavedView:
    try:
        return saved_view_get_for_user(user=request.user, view_id=view_id)
    except SavedView.DoesNotExist:
        raise Http404("No such view.") from None


@login_required
@require_POST
def queue_view_rename(request: HttpRequest, view_id: int) -> HttpResponse:
    view = _view_or_404(request, view_id)
    form = forms.SavedViewRenameForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors["name"])
        services.saved_view_rename(view=view, name=form.cleaned_data["name"], actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(queue_url({"view": view.pk}))
    messages.success(request, f"View renamed to “{view.name}”.")
    return redirect(queue_url({"view": view.pk}))


@login_required
@require_POST
def queue_view_delete(request: HttpRequest, view_id: int) -> HttpResponse:
    view = _view_or_404(request, view_id)
    services.saved_view_delete(view=view, actor=request.user)
    messages.success(request, f"View “{view.name}” deleted.")
    return redirect("queue:index")
