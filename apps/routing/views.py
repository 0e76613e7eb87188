"""Managers' routing pages (rules, dry run, re-route and reassign) and the shift toggle.

htmx requests get the changed fragment (a partial of the same template); plain
requests get the whole page or a redirect, so every action works without JavaScript.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from apps.accounts.decorators import MANAGER_ROLES, role_required
from apps.core.form_tokens import form_token_spend
from apps.leads.models import Lead
from apps.leads.selectors import lead_get_for_user
from apps.routing import services
from apps.routing.assignment import lead_reassign as lead_reassign_by_hand
from apps.routing.forms import DryRunForm, ReassignForm, RerouteForm, RoutingRuleForm
from apps.routing.models import RoutingRule
from apps.routing.selectors import lead_routing_summary, routing_dry_run, routing_rule_list

manager_required = role_required(*MANAGER_ROLES)


def _rule_table(request: HttpRequest) -> HttpResponse:
    return render(request, "routing/rule_list.html#rule-table", {"rules": routing_rule_list()})


def _warn_if_never_matches(request: HttpRequest, rule: RoutingRule) -> None:
    listed = next((each for each in routing_rule_list() if each.pk == rule.pk), None)
    if listed is not None and listed.shadowed_by is not None:
        earlier = listed.shadowed_by
        messages.warning(
            request,
            f"Rule {listed.number} “{rule.name}” can never match: rule {earlier.number} "
            f"“{earlier.name}” comes first and takes every lead it would. Set its place "
            "in the list below.",
        )


@manager_required
def rule_list(request: HttpRequest) -> HttpResponse:
    template = "routing/rule_list.html#rule-table" if request.htmx else "routing/rule_list.html"
    return render(request, template, {"rules": routing_rule_list()})


@manager_required
def rule_create(request: HttpRequest) -> HttpResponse:
    form = RoutingRuleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not form_token_spend(request):
            messages.info(request, "That rule was already added.")
            return redirect("routing:rule_list")
        try:
            rule = services.routing_rule_create(data=form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Rule “{rule.name}” added at the end of the order.")
            _warn_if_never_matches(request, rule)
            return redirect("routing:rule_list")
    return render(request, "routing/rule_form.html", {"form": form, "rule": None})


@manager_required
def rule_edit(request: HttpRequest, rule_id: int) -> HttpResponse:
    rule = get_object_or_404(RoutingRule, pk=rule_id)
    form = RoutingRuleForm(request.POST or None, instance=rule)
    if request.method == "POST" and form.is_valid():
        try:
            services.routing_rule_update(rule=rule, data=form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Rule “{rule.name}” saved.")
            _warn_if_never_matches(request, rule)
            return redirect("routing:rule_list")
    return render(request, "routing/rule_form.html", {"form": form, "rule": rule})


@manager_required
@require_POST
def rule_move(request: HttpRequest, rule_id: int) -> HttpResponse:
    rule = get_object_or_404(RoutingRule, pk=rule_id)
    direction = request.POST.get("direction", "")
    raw_place = request.POST.get("place", "").strip()
    try:
        place = int(raw_place) if raw_place else None
    except ValueError:
        return HttpResponse("Give the place as a number.", status=400)
    try:
        services.routing_rule_move(rule=rule, direction=direction, place=place)
    except ValidationError as exc:
        return HttpResponse(" ".join(exc.messages), status=400)
    return _rule_table(request) if request.htmx else redirect("routing:rule_list")


@manager_required
@require_POST
def rule_toggle(request: HttpRequest, rule_id: int) -> HttpResponse:
    rule = get_object_or_404(RoutingRule, pk=rule_id)
    services.routing_rule_set_enabled(rule=rule, is_enabled=not rule.is_enabled)
    return _rule_table(request) if request.htmx else redirect("routing:rule_list")


@manager_required
def dry_run(request: HttpRequest) -> HttpResponse:
    """Where would a lead like this go, and why. Read only: GET, nothing assigned."""
    form = DryRunForm(request.GET or None)
    decision = routing_dry_run(facts=form.facts()) if form.is_valid() else None
    template = "routing/dry_run.html#dry-run-result" if request.htmx else "routing/dry_run.html"
    return render(request, template, {"form": form, "decision": decision})


def _lead_page(request: HttpRequest, lead_id: int, **forms) -> HttpResponse:
    try:
        summary = lead_routing_summary(user=request.user, lead_id=lead_id)
    except Lead.DoesNotExist:
        raise Http404("No such lead.") from None
    lead = summary["lead"]
    context = {
        **summary,
        "reroute_form": forms.get("reroute_form") or RerouteForm(),
        "reassign_form": forms.get("reassign_form")
        or ReassignForm(initial={"team": lead.team_id, "owner": lead.owner_id}),
    }
    status = 400 if forms else 200
    return render(request, "routing/lead_routing.html", context, status=status)


@manager_required
def lead_routing(request: HttpRequest, lead_id: int) -> HttpResponse:
    """A lead's routing: how it was routed, whether it waits, re-route and reassign."""
    return _lead_page(request, lead_id)


@manager_required
@require_POST
def lead_reroute(request: HttpRequest, lead_id: int) -> HttpResponse:
    try:
        lead = lead_get_for_user(user=request.user, lead_id=lead_id)
    except Lead.DoesNotExist:
        raise Http404("No such lead.") from None
    form = RerouteForm(request.POST)
    if form.is_valid():
        try:
            decision = services.lead_reroute(
                lead=lead, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, decision.explanation())
            return redirect("routing:lead", lead_id=lead.pk)
    return _lead_page(request, lead_id, reroute_form=form)


@manager_required
@require_POST
def lead_reassign(request: HttpRequest, lead_id: int) -> HttpResponse:
    try:
        lead = lead_get_for_user(user=request.user, lead_id=lead_id)
    except Lead.DoesNotExist:
        raise Http404("No such lead.") from None
    form = ReassignForm(request.POST)
    if form.is_valid():
        try:
            lead_reassign_by_hand(
                lead=lead,
                team=form.cleaned_data["team"],
                owner=form.cleaned_data["owner"],
                actor=request.user,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Lead reassigned.")
            return redirect("routing:lead", lead_id=lead.pk)
    return _lead_page(request, lead_id, reassign_form=form)


@login_required
@require_POST
def shift_toggle(request: HttpRequest) -> HttpResponse:
    """Any member of staff marks themself on or off shift (the toggle in the header)."""
    on_shift = request.POST.get("on_shift") == "1"
    services.user_shift_set(user=request.user, on_shift=on_shift)
    if request.htmx:
        return render(request, "routing/shift_toggle.html")
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "home"
    return redirect(next_url)
