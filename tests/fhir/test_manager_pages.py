"""Managers make a client per sending system (secret shown once) and edit the mapping
from ServiceRequest codes to service lines; both pages open in Chromium at desktop and
phone sizes (screenshots kept for review)."""

import os
import tempfile
from pathlib import Path

import pytest
from django.urls import reverse

from apps.accounts.choices import Role
from apps.fhir.models import FhirClient, ServiceLineCode
from apps.fhir.selectors import token_hash
from tests.browser import log_in
from tests.factories import ServiceLineFactory, UserFactory

SHOTS = Path(os.environ.get("SCREENSHOT_DIR") or tempfile.gettempdir()) / "leadcrm-screenshots"


@pytest.fixture
def manager(db):
    return UserFactory(username="maria", roles=[Role.MANAGER], password="correct-horse-battery")


@pytest.mark.django_db
def test_a_client_secret_is_shown_once_and_only_its_hash_is_kept(client, manager):
    client.force_login(manager)
    answer = client.post(reverse("fhir:client_list"), {"name": "Lakeshore EHR"})

    made = FhirClient.objects.get()
    secret = answer.context["made"][1]
    assert secret in answer.content.decode()
    assert made.secret_hash == token_hash(secret) and secret not in made.secret_hash
    assert secret not in client.get(reverse("fhir:client_list")).content.decode()


@pytest.mark.django_db
def test_a_manager_maps_a_code_and_a_coordinator_cannot(client, manager):
    line = ServiceLineFactory(slug="cardiology", name="Cardiology")
    client.force_login(manager)
    client.post(
        reverse("fhir:code_list"),
        {"system": "http://snomed.info/sct", "code": "49601007", "service_line": line.pk},
    )
    assert ServiceLineCode.objects.get().service_line == line

    client.force_login(UserFactory(roles=[Role.INTAKE_COORDINATOR]))
    assert client.get(reverse("fhir:code_list")).status_code == 403


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("tab", ["page", "phone_page"])
def test_the_fhir_pages_in_a_browser(request, tab, manager):
    ServiceLineFactory(slug="orthopedics", name="Orthopedics")
    page = request.getfixturevalue(tab)
    if tab == "page":
        page.set_viewport_size({"width": 1440, "height": 900})
    SHOTS.mkdir(parents=True, exist_ok=True)
    log_in(page, username="maria", password="correct-horse-battery")

    page.goto("/fhir/clients/")
    page.get_by_label("Sending system").fill("Lakeshore Family Practice EHR")
    page.get_by_role("button", name="Add sending system").click()
    assert page.locator("#fhir-client-secret").inner_text()
    page.screenshot(path=SHOTS / f"fhir-clients-{tab}.png", full_page=True)

    page.goto("/fhir/codes/")
    page.get_by_label("Code", exact=True).fill("609588000")
    page.get_by_label("Meaning").fill("Total knee replacement")
    page.get_by_label("Service line").select_option(label="Orthopedics")
    page.get_by_role("button", name="Save mapping").click()
    assert "609588000" in page.locator("table").inner_text()
    page.screenshot(path=SHOTS / f"fhir-codes-{tab}.png", full_page=True)
