"""Correcting the person's contact details from the lead page."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST

from apps.leads.contact import lead_person_update
from apps.queue import forms
from apps.queue.views.lead import _add_service_errors, _done, _lead_or_404, _render_lead


@login_required
@require_POST
def lead_person_edit(request: HttpRequest, lead_id: int) -> HttpResponse:
    """Save the corrected details; the lead's timeline shows each old and new value."""
    lead = _lead_or_404(request, lead_id)
    person = lead.person
    form = forms.PersonContactForm(
        request.POST, prefix="person", language=person.preferred_language
    )
    if form.is_valid():
        data = form.cleaned_data
        changes = {**data, "phone": data["phone"] or ""}
        try:
            entry = lead_person_update(lead=lead, actor=request.user, **changes)
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            return _done(
                request, lead_id, "Contact details saved." if entry else "Nothing changed."
            )
    return _render_lead(request, lead_id, bound={"person": form}, open_action="person")
