"""Managers' FHIR pages: the sending systems (secret shown once) and the mapping from
ServiceRequest codes to service lines."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from apps.accounts.decorators import MANAGER_ROLES, role_required
from apps.core.form_tokens import form_token_spend
from apps.fhir import selectors, services
from apps.fhir.models import ServiceLineCode
from apps.servicelines.models import ServiceLine

manager_required = role_required(*MANAGER_ROLES)


class FhirClientForm(forms.Form):
    name = forms.CharField(label="Sending system", max_length=100)


class ServiceLineCodeForm(forms.Form):
    system = forms.CharField(label="Code system", max_length=200, initial="http://snomed.info/sct")
    code = forms.CharField(label="Code", max_length=100)
    display = forms.CharField(label="Meaning", max_length=200, required=False)
    service_line = forms.ModelChoiceField(
        label="Service line", queryset=ServiceLine.objects.filter(is_active=True)
    )


@manager_required
def client_list(request: HttpRequest) -> HttpResponse:
    form = FhirClientForm(request.POST or None)
    made = None
    if request.method == "POST" and form.is_valid():
        if not form_token_spend(request):
            messages.info(request, "That sending system was already added.")
            return redirect("fhir:client_list")
        try:
            made = services.fhir_client_create(name=form.cleaned_data["name"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            form = FhirClientForm()
    context = {"clients": selectors.fhir_client_list(), "form": form, "made": made}
    return render(request, "fhir/client_list.html", context)


@manager_required
def code_list(request: HttpRequest) -> HttpResponse:
    form = ServiceLineCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            row = services.service_line_code_save(**form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"{row} now means {row.service_line.name}.")
            return redirect("fhir:code_list")
    context = {"codes": selectors.service_line_code_list(), "form": form}
    return render(request, "fhir/code_list.html", context)


@manager_required
@require_POST
def code_delete(request: HttpRequest, code_id: int) -> HttpResponse:
    services.service_line_code_delete(row=get_object_or_404(ServiceLineCode, pk=code_id))
    return redirect("fhir:code_list")
