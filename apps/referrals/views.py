"""The liaison's pages: plan, directory, profile, visit log, import, and the closed-loop
and attribution forms of a referred lead. Views parse, call one service or selector,
and render."""

import logging
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from apps.accounts.decorators import role_required
from apps.core.form_tokens import form_token_spend
from apps.core.queueing import task_queue
from apps.leads.models import Lead
from apps.leads.selectors import lead_referral_detail_for_user
from apps.referral_sources.models import ReferralSource
from apps.referral_sources.services import referral_source_update
from apps.referrals import charts, figures, selectors, services, visit_services
from apps.referrals.conf import gift_annual_limit, gift_warning_threshold
from apps.referrals.forms import (
    AppointmentSourceForm,
    DirectoryFilterForm,
    FeedbackForm,
    ImportConfirmForm,
    ImportUploadForm,
    SourceEditForm,
    VisitDeleteForm,
    VisitEditForm,
    VisitForm,
)
from apps.referrals.imports import referral_sources_import
from apps.referrals.models import LiaisonVisit

logger = logging.getLogger(__name__)

DIRECTORY_PAGE_SIZE = 50


referrals_staff_required = role_required(*selectors.REFERRALS_ROLES)


def _source_or_404(request: HttpRequest, source_id: int) -> ReferralSource:
    try:
        return selectors.referral_source_get_for_user(user=request.user, source_id=source_id)
    except ReferralSource.DoesNotExist as exc:
        raise Http404("No such referral source.") from exc


@referrals_staff_required
def plan(request: HttpRequest) -> HttpResponse:
    """The liaison's home: whom to visit next, and why; their open follow-ups."""
    liaison = request.user
    liaisons = None
    if selectors.user_sees_all_referral_sources(user=request.user):
        liaisons = list(selectors.liaison_list())
        chosen = request.GET.get("liaison", "")
        liaison = next((user for user in liaisons if str(user.pk) == chosen), request.user)
    return render(
        request,
        "referrals/plan.html",
        {
            "entries": selectors.visit_plan(user=request.user, liaison=liaison),
            "follow_ups": selectors.follow_ups_open_for_liaison(liaison=liaison),
            "liaison": liaison,
            "liaisons": liaisons,
            "territories": selectors.liaison_territory_names(user=liaison),
        },
    )


@referrals_staff_required
def directory(request: HttpRequest) -> HttpResponse:
    """Every referral source in the user's scope, searchable and filtered. An htmx
    request (typing in the search box) gets only the results."""
    form = DirectoryFilterForm(request.GET or None, user=request.user)
    sources = selectors.referral_source_directory(user=request.user, filters=form.filters())
    page = Paginator(sources, DIRECTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    template = "referrals/directory.html"
    if request.htmx:
        template += "#results"
    return render(request, template, context)


@referrals_staff_required
def profile(request: HttpRequest, source_id: int) -> HttpResponse:
    """One source: referral volume, how far its referrals got, leakage, closed loop,
    gifts against the annual limit, and visits with the trend around each."""
    source = _source_or_404(request, source_id)
    profile = selectors.referral_source_profile(source=source)
    return render(
        request,
        "referrals/profile.html",
        {
            "source": source,
            "profile": profile,
            "volume_chart": charts.month_bars(profile.volume_by_month, visits=profile.visits),
            "awaiting_feedback": selectors.referral_leads_awaiting_feedback(
                user=request.user, source=source
            ),
            "gift_limit": gift_annual_limit(),
            "gift_warning_from": gift_warning_threshold(),
            "visit_changes": selectors.visit_changes_for_source(source=source),
            "edits_any_visit": selectors.user_sees_all_referral_sources(user=request.user),
        },
    )


@referrals_staff_required
def source_edit(request: HttpRequest, source_id: int) -> HttpResponse:
    """Edit a source's details (liaisons: only in their territory)."""
    source = _source_or_404(request, source_id)
    form = SourceEditForm(request.POST or None, instance=source, user=request.user)
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            referral_source_update(source=source, actor=request.user, **changes)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, f"{source.name} saved.")
            return redirect("referrals:profile", source_id=source.pk)
    return render(request, "referrals/source_form.html", {"form": form, "source": source})


@referrals_staff_required
def visit_new(request: HttpRequest) -> HttpResponse:
    """Log a visit; from a profile the source comes ticked (?source=<id>)."""
    initial = {}
    if request.method == "GET" and request.GET.get("source", "").isdigit():
        initial["sources"] = [int(request.GET["source"])]
    form = VisitForm(request.POST or None, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid() and _gift_limit_checked(form):
        if not form_token_spend(request):
            # A double tap on Save: the first sending saved the visit.
            messages.info(request, "This visit was already saved.")
            return redirect("referrals:plan")
        data = form.cleaned_data
        try:
            visit = services.visit_log(
                actor=request.user,
                liaison=data.get("liaison") or request.user,
                **_visit_details(data),
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            names = ", ".join(source.name for source in data["sources"])
            messages.success(request, f"Visit to {names} saved.")
            sources = list(data["sources"])
            if len(sources) == 1:
                return redirect("referrals:profile", source_id=sources[0].pk)
            return redirect(reverse("referrals:plan") + f"#visit-{visit.pk}")
    return _visit_form_render(request, form)


def _gift_limit_checked(form, *, visit_id: int | None = None) -> bool:
    """False (with the error beside the gift) when the gift takes a source over the
    yearly limit and the liaison has not said to save it anyway."""
    data = form.cleaned_data
    over = figures.gift_over_limit(
        sources=list(data["sources"]),
        visited_on=data["visited_on"],
        gift_value=data["gift_value"] or Decimal("0"),
        exclude_visit_id=visit_id,
    )
    if not over or data.get("gift_limit_ok"):
        return True
    names = ", ".join(source.name for source in over)
    form.add_error(
        "gift_value",
        f"This gift takes {names} over the ${gift_annual_limit()} yearly limit for "
        f"{data['visited_on'].year}. Lower it, or tick “Save anyway” below.",
    )
    return False


def _gift_context(form, *, visit_id: int | None = None) -> dict:
    """What the form's live gift-limit warning needs: each source's total this year."""
    year = timezone.localdate().year
    choices = form.fields["sources"].queryset
    return {
        "gift_limit": gift_annual_limit(),
        "gift_warning_from": gift_warning_threshold(),
        "gift_year": year,
        "gift_totals": figures.gift_totals_in_year(
            source_ids=[source.pk for source in choices], year=year, exclude_visit_id=visit_id
        ),
    }


@referrals_staff_required
@require_POST
def follow_up_done(request: HttpRequest, visit_id: int) -> HttpResponse:
    try:
        visit = selectors.visit_get_for_user(user=request.user, visit_id=visit_id)
    except LiaisonVisit.DoesNotExist as exc:
        raise Http404 from exc
    services.visit_follow_up_complete(visit=visit, actor=request.user)
    messages.success(request, "Follow-up marked done.")
    return redirect(_safe_next(request, reverse("referrals:plan")))


@referrals_staff_required
@require_POST
def health_classify(request: HttpRequest) -> HttpResponse:
    """The on-demand button: queue the classification the nightly job runs."""
    from apps.referrals.tasks import referrer_health_classify

    if task_queue(referrer_health_classify):
        messages.success(request, "Health classification started; refresh in a minute.")
    else:
        messages.error(request, "The task queue is not answering; try again in a minute.")
    return redirect(_safe_next(request, reverse("referrals:directory")))


@referrals_staff_required
def source_import(request: HttpRequest) -> HttpResponse:
    """Upload a CSV, see the preview with every row's errors, then confirm."""
    upload = ImportUploadForm()
    report, csv_text = None, ""
    if request.method == "POST" and "confirm" in request.POST:
        if not form_token_spend(request):
            return redirect("referrals:directory")  # the first sending imported the file
        confirm = ImportConfirmForm(request.POST)
        if confirm.is_valid():
            csv_text = confirm.cleaned_data["csv_text"]
            report = referral_sources_import(csv_text=csv_text, actor=request.user, dry_run=False)
            if report.saved:
                totals = report.totals
                messages.success(
                    request,
                    f"Imported: {totals.get('new', 0)} added, {totals.get('update', 0)} "
                    f"updated, {totals.get('unchanged', 0)} unchanged.",
                )
                return redirect("referrals:directory")
    elif request.method == "POST":
        upload = ImportUploadForm(request.POST, request.FILES)
        if upload.is_valid():
            csv_text = upload.cleaned_data["file"]
            report = referral_sources_import(csv_text=csv_text, actor=request.user, dry_run=True)
    return render(
        request,
        "referrals/import.html",
        {
            "upload": upload,
            "report": report,
            "confirm": ImportConfirmForm(initial={"csv_text": csv_text}) if report else None,
        },
    )


@login_required
def lead_referral(request: HttpRequest, lead_id: int) -> HttpResponse:
    """A referred lead's closed loop and attribution: record that the summary went back
    to the referrer, or the source named at the appointment."""
    try:
        lead = lead_referral_detail_for_user(user=request.user, lead_id=lead_id)
    except Lead.DoesNotExist as exc:
        raise Http404("No such lead.") from exc
    feedback = FeedbackForm()
    attribution = AppointmentSourceForm(initial={"source": lead.referral_source_at_appointment_id})
    if request.method == "POST" and request.POST.get("action") == "feedback":
        feedback = FeedbackForm(request.POST)
        if feedback.is_valid():
            try:
                services.referral_feedback_record(
                    lead=lead,
                    actor=request.user,
                    method=feedback.cleaned_data["method"],
                    sent_at=feedback.cleaned_data["sent_at"],
                    note=feedback.cleaned_data["note"],
                )
            except ValidationError as exc:
                _add_errors(feedback, exc)
            else:
                messages.success(request, f"Summary for lead #{lead.pk} recorded as sent.")
                return redirect(_safe_next(request, request.path))
    elif request.method == "POST" and request.POST.get("action") == "attribution":
        attribution = AppointmentSourceForm(request.POST)
        if attribution.is_valid():
            services.referral_source_at_appointment_record(
                lead=lead, source=attribution.cleaned_data["source"], actor=request.user
            )
            messages.success(request, "Source at appointment saved.")
            return redirect(request.path)
    return render(
        request,
        "referrals/lead_referral.html",
        {
            "lead": lead,
            "days_to_appointment": (
                (lead.appointment_at - lead.created_at).days if lead.appointment_at else None
            ),
            "feedback": feedback,
            "attribution": attribution,
            "now": timezone.now(),
            "next": request.GET.get("next", ""),
        },
    )


def _add_errors(form, exc: ValidationError) -> None:
    """Put a service's errors beside the form's fields (or on top when unknown)."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _safe_next(request: HttpRequest, default: str) -> str:
    """The page to go back to, only when it is on this site."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _visit_details(data: dict) -> dict:
    """A visit's details from the visit form, as visit_log and visit_update take them."""
    return {
        "sources": list(data["sources"]),
        "visited_on": data["visited_on"],
        "kind": data["kind"],
        "service_lines": data["service_lines"],
        "people_met": data["people_met"],
        "materials_left": data["materials_left"],
        "gift_value": data["gift_value"] or Decimal("0.00"),
        "gift_description": data["gift_description"],
        "notes": data["notes"],
        "follow_up": data["follow_up"],
        "follow_up_due_on": data["follow_up_due_on"],
    }


def _visit_form_render(request: HttpRequest, form, *, visit: LiaisonVisit | None = None):
    """The visit form (new or edit): the sources ticked, the fields behind "More", and
    each source's gift total this year for the live limit warning."""
    more_fields = [
        form[name]
        for name in (
            "materials_left",
            "gift_value",
            "gift_description",
            "follow_up",
            "follow_up_due_on",
        )
    ]
    return render(
        request,
        "referrals/visit_form.html",
        {
            "form": form,
            "visit": visit,
            "chosen": {str(value) for value in (form["sources"].value() or [])},
            "more_fields": more_fields,
            **_gift_context(form, visit_id=visit.pk if visit else None),
        },
    )


def _visit_for_change(request: HttpRequest, visit_id: int) -> LiaisonVisit:
    try:
        return selectors.visit_get_for_user(user=request.user, visit_id=visit_id)
    except LiaisonVisit.DoesNotExist as exc:
        raise Http404 from exc


def _visit_done_url(visit_source_ids: list[int]) -> str:
    if len(visit_source_ids) == 1:
        return reverse("referrals:profile", args=[visit_source_ids[0]])
    return reverse("referrals:plan")


@referrals_staff_required
def visit_edit(request: HttpRequest, visit_id: int) -> HttpResponse:
    """Correct a visit, saying why; the change shows on each source's history."""
    visit = _visit_for_change(request, visit_id)
    form = VisitEditForm(
        request.POST or None, initial=VisitEditForm.initial_of(visit), user=request.user
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and _gift_limit_checked(form, visit_id=visit.pk)
    ):
        data = form.cleaned_data
        try:
            visit_services.visit_update(
                visit=visit,
                actor=request.user,
                reason=data["reason"],
                **_visit_details(data),
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "Visit saved.")
            return redirect(_visit_done_url([source.pk for source in data["sources"]]))
    return _visit_form_render(request, form, visit=visit)


@referrals_staff_required
def visit_delete(request: HttpRequest, visit_id: int) -> HttpResponse:
    """Delete a visit logged in error, saying why (kept on each source's history)."""
    visit = _visit_for_change(request, visit_id)
    source_ids = list(visit.visit_sources.values_list("source_id", flat=True))
    form = VisitDeleteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            visit_services.visit_delete(
                visit=visit, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "Visit deleted; the record of it stays on the history.")
            return redirect(_visit_done_url(source_ids))
    return render(request, "referrals/visit_delete.html", {"form": form, "visit": visit})
