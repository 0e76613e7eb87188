"""The privacy officer's pages: who saw a patient's records, what one user saw, and
break-the-glass uses to review. Searches are posted: no name or phone in a URL."""

import csv
import datetime as dt
from functools import wraps

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from apps.accounts.models import User
from apps.privacy import selectors
from apps.privacy.models import EmergencyAccess
from apps.privacy.services import emergency_access_review

CSV_COLUMNS = ["accessed_at", "user", "roles", "via", "what", "method", "path", "ip",
               "user_agent", "lead_ids", "person_ids", "break_glass", "reason"]  # fmt: skip


def privacy_officer_required(view):
    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs):
        if not selectors.user_is_privacy_officer(user=request.user):
            raise PermissionDenied("For the privacy officer.")
        return view(request, *args, **kwargs)

    return wrapped


class PatientSearchForm(forms.Form):
    q = forms.CharField(label="Lead number, name, phone or email", max_length=200)


class UserReportForm(forms.Form):
    user = forms.ModelChoiceField(queryset=User.objects.order_by("username"), label="Staff member")
    start = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="To", widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", "The end comes before the start.")
        return data


def _csv(entries, filename: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(CSV_COLUMNS)
    for e in entries:
        writer.writerow([
            e.accessed_at.isoformat(), e.username, e.roles, e.via, e.what, e.method, e.path,
            e.ip or "", e.user_agent, " ".join(map(str, e.lead_ids)),
            " ".join(map(str, e.person_ids)), "yes" if e.break_glass else "", e.reason,
        ])  # fmt: skip
    return response


@privacy_officer_required
@require_http_methods(["GET", "POST"])
def patient_access(request: HttpRequest) -> HttpResponse:
    """Every access to one patient's records."""
    form = PatientSearchForm(request.POST if request.method == "POST" else None)
    report = None
    if form.is_valid():
        report = selectors.access_report_for_patient(
            user=request.user, query=form.cleaned_data["q"]
        )
        if request.POST.get("format") == "csv":
            return _csv(report.entries, "patient-access.csv")
    return render(request, "privacy/patient_access.html", {"form": form, "report": report})


@privacy_officer_required
@require_http_methods(["GET"])
def user_access(request: HttpRequest) -> HttpResponse:
    """Everything one member of staff viewed in a date range."""
    today = timezone.localdate()
    form = UserReportForm(
        request.GET or None, initial={"start": today - dt.timedelta(days=7), "end": today}
    )
    entries = None
    if form.is_valid():
        entries = selectors.access_report_for_user(
            user=request.user,
            subject=form.cleaned_data["user"],
            start=form.cleaned_data["start"],
            end=form.cleaned_data["end"],
        )
        if request.GET.get("format") == "csv":
            return _csv(entries, "user-access.csv")
    return render(request, "privacy/user_access.html", {"form": form, "entries": entries})


class DayForm(forms.Form):
    day = forms.DateField(label="Day", widget=forms.DateInput(attrs={"type": "date"}))


@privacy_officer_required
@require_http_methods(["GET"])
def unusual_patterns(request: HttpRequest) -> HttpResponse:
    """Worth a look: users who opened far more patients' leads than on their usual day,
    and leads opened outside the opener's teams (break-the-glass)."""
    form = DayForm(request.GET or None, initial={"day": timezone.localdate()})
    day = form.cleaned_data["day"] if form.is_valid() else timezone.localdate()
    context = {
        "form": form,
        "day": day,
        "busy": selectors.unusual_access_days(day=day),
        "outside": selectors.emergency_accesses_on(user=request.user, day=day),
    }
    return render(request, "privacy/patterns.html", context)


@privacy_officer_required
@require_http_methods(["GET"])
def emergency_review_list(request: HttpRequest) -> HttpResponse:
    """Break-the-glass uses awaiting review."""
    accesses = selectors.emergency_accesses_awaiting_review(user=request.user)
    return render(request, "privacy/emergency_review.html", {"accesses": accesses})


@privacy_officer_required
@require_POST
def emergency_review(request: HttpRequest, access_id: int) -> HttpResponse:
    try:
        access = selectors.emergency_access_get(access_id=access_id)
    except EmergencyAccess.DoesNotExist:
        raise Http404("No such emergency access.") from None
    try:
        emergency_access_review(
            access=access, reviewer=request.user, note=request.POST.get("note", "")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Emergency access to lead #{access.lead_id} marked reviewed.")
    return redirect("privacy:emergency_review_list")
