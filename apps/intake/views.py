"""The staff "New inquiry" page: a phone call or a walk-in, through the intake."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from apps.core.form_tokens import form_token_spend
from apps.intake.forms import StaffInquiryForm
from apps.intake.selectors import user_takes_inquiries
from apps.intake.staff import staff_inquiry_duplicate, staff_inquiry_submit
from apps.leads.selectors import lead_visible_to


@login_required
def new_inquiry(request: HttpRequest) -> HttpResponse:
    """Take an inquiry. If the person already has an open lead for the service line, it
    is shown first; saving then adds the inquiry to that lead, as the API does."""
    if not user_takes_inquiries(user=request.user):
        raise PermissionDenied("Intake coordinators and managers take inquiries.")
    form = StaffInquiryForm(request.POST or None)
    duplicate, duplicate_visible = None, False
    if request.method == "POST" and form.is_valid():
        contact = form.contact()
        duplicate, duplicate_visible = staff_inquiry_duplicate(
            user=request.user,
            service_line=form.cleaned_data["service_line"],
            phone=contact["phone"],
            email=contact["email"],
        )
        seen = request.POST.get("duplicate_seen") == str(duplicate.pk if duplicate else "")
        if duplicate is None or seen:
            if not form_token_spend(request):
                messages.info(request, "This inquiry was already saved.")
                return redirect("queue:index")
            data = form.cleaned_data
            result = staff_inquiry_submit(
                actor=request.user,
                lead_type=data["lead_type"],
                channel=data["channel"],
                service_line=data["service_line"],
                location=data["location"],
                urgency=data["urgency"],
                person=contact,
                message=data["message"],
                consent=form.consent(),
            )
            lead = result.lead
            notice = (
                f"Added to the open lead #{lead.pk} as a repeat inquiry."
                if result.duplicate
                else f"Lead #{lead.pk} saved; routing it now."
            )
            messages.success(request, notice)
            if lead_visible_to(user=request.user).filter(pk=lead.pk).exists():
                return redirect("queue:lead", lead_id=lead.pk)
            return redirect("queue:index")
    return render(
        request,
        "intake/new_inquiry.html",
        {"form": form, "duplicate": duplicate, "duplicate_visible": duplicate_visible},
    )
