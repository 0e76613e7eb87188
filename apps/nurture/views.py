"""Nurture pages: managers build tracks and see failed messages; staff put a lead on a
track or take it off; people unsubscribe; the SMS provider posts replies.

htmx requests get the changed fragment (a partial of the same template); plain
requests get the whole page or a redirect.
"""

import hmac

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.signing import BadSignature
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST
from twilio.request_validator import RequestValidator

from apps.accounts.decorators import MANAGER_ROLES, role_required
from apps.core.form_tokens import form_token_spend
from apps.core.throttles import throttled
from apps.leads.models import Lead
from apps.leads.selectors import lead_get_for_user
from apps.nurture import delivery, previews, replies, selectors, services
from apps.nurture.forms import (
    EnrollForm,
    NurtureStepForm,
    NurtureTrackForm,
    StepFormSet,
    StepPreviewForm,
    step_formset_steps,
)
from apps.nurture.merge_fields import BODY_MERGE_FIELDS
from apps.nurture.messages import unsubscribe_send_id
from apps.nurture.models import NurtureEnrollment, NurtureSend, NurtureTrack

STEP_PREFIX = "steps"
MAX_STEPS = 30


manager_required = role_required(*MANAGER_ROLES)


# --- Tracks (managers) --------------------------------------------------------------


@manager_required
def track_list(request: HttpRequest) -> HttpResponse:
    template = "nurture/track_list.html#track-table" if request.htmx else "nurture/track_list.html"
    context = {"tracks": selectors.track_list(), "quiet_hours": settings.NURTURE_QUIET_HOURS}
    return render(request, template, context)


@manager_required
def track_create(request: HttpRequest) -> HttpResponse:
    return _track_form_page(request, track=None)


@manager_required
def track_edit(request: HttpRequest, track_id: int) -> HttpResponse:
    try:
        track = selectors.track_get(track_id=track_id)
    except NurtureTrack.DoesNotExist:
        raise Http404("No such track.") from None
    return _track_form_page(request, track=track)


def _track_form_page(request: HttpRequest, *, track: NurtureTrack | None) -> HttpResponse:
    instance = track or NurtureTrack()
    form = NurtureTrackForm(request.POST or None, instance=instance)
    formset = StepFormSet(request.POST or None, instance=instance, prefix=STEP_PREFIX)
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        if not form_token_spend(request):
            messages.info(request, "That track was already saved.")
            return redirect("nurture:track_list")
        steps, removed = step_formset_steps(formset)
        try:
            saved = services.nurture_track_save(
                track=form.save(commit=False),
                steps=steps,
                removed_steps=removed,
                actor=request.user,
            )
        except ValidationError as exc:
            _errors_attach(form=form, formset=formset, error=exc)
        else:
            messages.success(request, f"Track “{saved.name}” saved.")
            return redirect("nurture:track_list")
    status = 400 if request.method == "POST" else 200
    context = {
        "form": form,
        "formset": formset,
        "track": track,
        "merge_fields": BODY_MERGE_FIELDS,
    }
    return render(request, "nurture/track_form.html", context, status=status)


def _errors_attach(*, form, formset, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, field_errors in error.error_dict.items():
            if field == "steps" or field not in form.fields:
                formset._non_form_errors = formset.error_class(
                    [message for item in field_errors for message in item.messages]
                )
            else:
                form.add_error(field, field_errors)
    else:
        form.add_error(None, error)


@manager_required
def step_form_row(request: HttpRequest) -> HttpResponse:
    """htmx: one more empty step row, and the formset's form count raised by one."""
    try:
        index = int(request.GET.get(f"{STEP_PREFIX}-TOTAL_FORMS", ""))
    except ValueError:
        return HttpResponse("Missing step count.", status=400)
    if not 0 <= index < MAX_STEPS:
        return HttpResponse(f"A track has at most {MAX_STEPS} steps.", status=400)
    formset = StepFormSet(instance=NurtureTrack(), prefix=STEP_PREFIX)
    form = formset.form(
        auto_id=formset.auto_id,
        prefix=formset.add_prefix(index),
        empty_permitted=True,
        use_required_attribute=False,
        renderer=formset.renderer,
        initial={"position": index + 1},
    )
    formset.add_fields(form, index)
    return render(
        request,
        "nurture/track_form.html#step-row",
        {"step_form": form, "position": index + 1, "total_forms": index + 1, "new_row": True},
    )


def _posted_step(request: HttpRequest):
    """(preview form, step form) of the card whose Preview or Test button was pressed;
    either may carry errors."""
    preview_form = StepPreviewForm(request.POST)
    if not preview_form.is_valid():
        return preview_form, None
    step_form = NurtureStepForm(request.POST, prefix=preview_form.cleaned_data["step"])
    step_form.is_valid()
    return preview_form, step_form


def _step_problems(preview_form, step_form) -> list[str]:
    forms_ = [preview_form] + ([step_form] if step_form is not None else [])
    return [
        f"{form.fields[name].label if name in form.fields else ''}: {message}".lstrip(": ")
        for form in forms_
        for name, messages_ in form.errors.items()
        for message in messages_
    ]


@manager_required
@require_POST
def step_preview(request: HttpRequest) -> HttpResponse:
    """htmx: a card's message rendered against the sample person, or against a lead the
    manager may see (that read is recorded in the access log)."""
    preview_form, step_form = _posted_step(request)
    problems = _step_problems(preview_form, step_form)
    context = {"problems": problems}
    if not problems:
        lead = None
        lead_id = preview_form.cleaned_data["preview_lead"]
        if lead_id:
            try:
                lead = selectors.preview_lead_get_for_user(user=request.user, lead_id=lead_id)
            except Lead.DoesNotExist:
                context["problems"] = [f"No lead #{lead_id} that you may see."]
        if not context["problems"]:
            context["message"] = previews.step_preview(
                step=step_form.instance, track=preview_form.track(), user=request.user, lead=lead
            )
            context["lead_id"] = lead_id
    return render(request, "nurture/_step_preview.html", context)


@manager_required
@require_POST
def step_test_send(request: HttpRequest) -> HttpResponse:
    """htmx: send a card's message, for the sample person, to the manager's own email
    address or phone, through the real mail server or SMS provider."""
    preview_form, step_form = _posted_step(request)
    context = {"problems": _step_problems(preview_form, step_form), "test": True}
    if not context["problems"]:
        try:
            context["sent_to"] = previews.step_test_send(
                step=step_form.instance, track=preview_form.track(), user=request.user
            )
        except ValidationError as exc:
            context["problems"] = exc.messages
        context["channel"] = step_form.instance.action
    return render(request, "nurture/_step_preview.html", context)


@manager_required
@require_POST
def track_toggle(request: HttpRequest, track_id: int) -> HttpResponse:
    track = get_object_or_404(NurtureTrack, pk=track_id)
    try:
        services.nurture_track_set_active(
            track=track, is_active=not track.is_active, actor=request.user
        )
    except ValidationError as exc:
        if request.htmx:
            return HttpResponse(" ".join(exc.messages), status=400)
        messages.error(request, " ".join(exc.messages))
    if request.htmx:
        return render(
            request, "nurture/track_list.html#track-table", {"tracks": selectors.track_list()}
        )
    return redirect("nurture:track_list")


@manager_required
def failed_sends(request: HttpRequest) -> HttpResponse:
    """Messages that could not be sent after every retry."""
    return render(request, "nurture/failed_sends.html", {"sends": selectors.failed_send_list()})


@manager_required
@require_POST
def send_retry(request: HttpRequest, send_id: int) -> HttpResponse:
    try:
        send = selectors.failed_send_get(send_id=send_id)
    except NurtureSend.DoesNotExist:
        raise Http404("No such failed message.") from None
    delivery.nurture_send_retry(send=send)
    messages.success(request, "The message will be sent again within a minute.")
    return redirect("nurture:failed_sends")


# --- A lead's nurture (staff who can see the lead) ----------------------------------


def _lead_page(request: HttpRequest, lead_id: int, *, enroll_form=None, status=200):
    try:
        lead, enrollments = selectors.lead_nurture_get(user=request.user, lead_id=lead_id)
    except Lead.DoesNotExist:
        raise Http404("No such lead.") from None
    context = {"lead": lead, "enrollments": enrollments, "enroll_form": enroll_form or EnrollForm()}
    template = (
        "nurture/lead_nurture.html#lead-nurture" if request.htmx else "nurture/lead_nurture.html"
    )
    return render(request, template, context, status=status)


@login_required
def lead_nurture(request: HttpRequest, lead_id: int) -> HttpResponse:
    """The tracks a lead is or was on, each step's status; enroll or stop by hand."""
    return _lead_page(request, lead_id)


@login_required
@require_POST
def lead_enroll(request: HttpRequest, lead_id: int) -> HttpResponse:
    try:
        lead = lead_get_for_user(user=request.user, lead_id=lead_id)
    except Lead.DoesNotExist:
        raise Http404("No such lead.") from None
    form = EnrollForm(request.POST)
    if form.is_valid():
        if not form_token_spend(request):  # sent twice: the first put the lead on the track
            if request.htmx:
                return _lead_page(request, lead_id)
            return redirect("nurture:lead", lead_id=lead_id)
        try:
            services.nurture_enroll(track=form.cleaned_data["track"], lead=lead, actor=request.user)
        except ValidationError as exc:
            form.add_error("track" if "track" in exc.message_dict else None, exc)
        else:
            if request.htmx:
                return _lead_page(request, lead_id)
            messages.success(request, f"Lead put on “{form.cleaned_data['track'].name}”.")
            return redirect("nurture:lead", lead_id=lead_id)
    return _lead_page(request, lead_id, enroll_form=form, status=400)


@login_required
@require_POST
def enrollment_stop(request: HttpRequest, enrollment_id: int) -> HttpResponse:
    try:
        enrollment = selectors.enrollment_get_for_user(
            user=request.user, enrollment_id=enrollment_id
        )
    except NurtureEnrollment.DoesNotExist:
        raise Http404("No such enrollment.") from None
    try:
        services.nurture_enrollment_stop(enrollment=enrollment, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    if request.htmx:
        return _lead_page(request, enrollment.lead_id)
    return redirect("nurture:lead", lead_id=enrollment.lead_id)


# --- Unsubscribe (the person, no login) ---------------------------------------------


def _no_referrer(response: HttpResponse) -> HttpResponse:
    # The token in the address must not leak to other sites or search engines.
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@csrf_exempt  # RFC 8058: mail providers POST the one-click unsubscribe without a token
@throttled(scope="unsubscribe", rate_setting="UNSUBSCRIBE_THROTTLE")  # tokens are not guessed
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET: a page asking to confirm (link scanners open links, so GET changes
    nothing). POST: unsubscribe at once, from the page or from the mail client's
    one-click button (body "List-Unsubscribe=One-Click")."""
    try:
        send = selectors.send_for_unsubscribe(send_id=unsubscribe_send_id(token=token))
    except (BadSignature, NurtureSend.DoesNotExist):
        return _no_referrer(render(request, "nurture/unsubscribe_invalid.html", status=400))
    context = {"purpose": send.enrollment.track.purpose}
    if request.method == "POST":
        replies.nurture_unsubscribe(send=send)
        return _no_referrer(render(request, "nurture/unsubscribe_done.html", context))
    return _no_referrer(render(request, "nurture/unsubscribe_confirm.html", context))


# --- Inbound SMS (the provider, no login) -------------------------------------------

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


def _inbound_authentic(request: HttpRequest) -> bool:
    """A shared secret in X-LeadCRM-Webhook-Secret, or Twilio's request signature."""
    secret = settings.NURTURE_SMS_INBOUND_SECRET
    given = request.headers.get("X-LeadCRM-Webhook-Secret", "")
    if secret and given and hmac.compare_digest(given.encode(), secret.encode()):
        return True
    signature = request.headers.get("X-Twilio-Signature", "")
    if settings.TWILIO_AUTH_TOKEN and signature:
        # The address Twilio was given: the public site, whatever proxy stands between.
        return twilio_request_valid(
            url=settings.SITE_URL.rstrip("/") + request.get_full_path(),
            params=request.POST,
            signature=signature,
        )
    return False


def twilio_request_valid(*, url: str, params, signature: str) -> bool:
    """X-Twilio-Signature checked by Twilio's own RequestValidator: it sorts repeated
    parameters' values as Twilio does and tries the URL with and without its port (a
    genuine STOP must never be refused over either)."""
    return RequestValidator(settings.TWILIO_AUTH_TOKEN).validate(url, params, signature)


@csrf_exempt  # called by the SMS provider, authenticated by secret or signature
@throttled(scope="sms_inbound", rate_setting="SMS_INBOUND_THROTTLE")
@require_POST
def sms_inbound(request: HttpRequest) -> HttpResponse:
    """A text a person sent us (Twilio's fields: From, Body, MessageSid)."""
    if not _inbound_authentic(request):
        return HttpResponse("Not authenticated.", status=403)
    from_number = request.POST.get("From", "")
    if not from_number:
        return HttpResponse("From is required.", status=400)
    replies.nurture_sms_inbound(
        from_number=from_number,
        body=request.POST.get("Body", ""),
        message_sid=request.POST.get("MessageSid", "")[:64],
    )
    return HttpResponse(EMPTY_TWIML, content_type="text/xml")
