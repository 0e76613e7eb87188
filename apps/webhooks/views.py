"""Managers' webhook pages: the endpoints, a new one (its secret shown once), and each
endpoint's delivery log with on/off and "send again"."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from apps.accounts.decorators import MANAGER_ROLES, role_required
from apps.core.form_tokens import form_token_spend
from apps.webhooks import selectors, services
from apps.webhooks.forms import WebhookEndpointForm
from apps.webhooks.models import WebhookDelivery, WebhookEndpoint

manager_required = role_required(*MANAGER_ROLES)


def _endpoint(request: HttpRequest, endpoint_id: int) -> WebhookEndpoint:
    try:
        return selectors.webhook_endpoint_get(user=request.user, endpoint_id=endpoint_id)
    except WebhookEndpoint.DoesNotExist:
        raise Http404("No such endpoint.") from None


@manager_required
def endpoint_list(request: HttpRequest) -> HttpResponse:
    endpoints = selectors.webhook_endpoint_list(user=request.user)
    return render(request, "webhooks/endpoint_list.html", {"endpoints": endpoints})


@manager_required
def endpoint_create(request: HttpRequest) -> HttpResponse:
    form = WebhookEndpointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not form_token_spend(request):
            messages.info(request, "That endpoint was already created.")
            return redirect("webhooks:endpoint_list")
        try:
            endpoint = services.webhook_endpoint_create(owner=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            # The only time the secret is shown: rendered, not redirected to.
            return render(request, "webhooks/endpoint_created.html", {"endpoint": endpoint})
    return render(request, "webhooks/endpoint_form.html", {"form": form})


@manager_required
def endpoint_detail(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    endpoint = _endpoint(request, endpoint_id)
    before = request.GET.get("before", "")
    deliveries = selectors.webhook_delivery_log(
        user=request.user, endpoint=endpoint, before_id=int(before) if before.isdigit() else None
    )
    context = {"endpoint": endpoint, "deliveries": deliveries}
    if len(deliveries) == selectors.LOG_PAGE_SIZE:
        context["older_than"] = deliveries[-1].pk
    return render(request, "webhooks/endpoint_detail.html", context)


@manager_required
@require_POST
def endpoint_toggle(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    endpoint = _endpoint(request, endpoint_id)
    try:
        services.webhook_endpoint_update(endpoint=endpoint, is_active=not endpoint.is_active)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Endpoint turned " + ("on." if endpoint.is_active else "off."))
    return redirect("webhooks:endpoint_detail", endpoint_id=endpoint.pk)


@manager_required
@require_POST
def delivery_resend(request: HttpRequest, delivery_id: int) -> HttpResponse:
    try:
        delivery = selectors.webhook_delivery_get(user=request.user, delivery_id=delivery_id)
    except WebhookDelivery.DoesNotExist:
        raise Http404("No such delivery.") from None
    try:
        services.webhook_delivery_resend(delivery=delivery)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, f"{delivery.event_type} for lead #{delivery.lead_id} queued again."
        )
    return redirect("webhooks:endpoint_detail", endpoint_id=delivery.endpoint_id)
