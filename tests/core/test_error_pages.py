"""Error pages in the app's own layout that say what happened and where to go."""

import os
import re
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import RequestFactory
from django.urls import reverse
from django.views.defaults import server_error
from playwright.sync_api import expect

from apps.accounts.choices import Role
from tests.browser import log_in
from tests.factories import LeadFactory, UserFactory


@pytest.mark.django_db
def test_a_lead_out_of_reach_is_a_404_page_in_the_layout(client):
    coordinator = UserFactory(roles=[Role.INTAKE_COORDINATOR])
    lead = LeadFactory()  # no team of theirs
    client.force_login(coordinator)
    response = client.get(reverse("queue:lead", args=[lead.pk]))
    assert response.status_code == 404
    html = response.content.decode()
    assert "This page isn't here" in html
    assert 'class="topbar"' in html and 'href="/"' in html


@pytest.mark.django_db
def test_a_page_the_role_cannot_use_is_a_403_page_in_the_layout(client):
    coordinator = UserFactory(roles=[Role.INTAKE_COORDINATOR])
    client.force_login(coordinator)
    response = client.get(reverse("sla:policy_list"))
    assert response.status_code == 403
    assert "Your role can't open this page" in response.content.decode()


def test_the_500_page_is_in_the_layout_and_needs_no_database():
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong on our side" in html and "css/app.css" in html


@pytest.mark.parametrize(("value", "expected"), [(None, "False"), ("true", "True")])
def test_debug_is_off_unless_a_developer_turns_it_on(value, expected):
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "DJANGO_SETTINGS_MODULE")}
    if value is not None:
        env["DEBUG"] = value
    shown = subprocess.run(
        [sys.executable, "-c", "import leadcrm.settings as s; print(s.DEBUG)"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert shown.stdout.strip() == expected


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_missing_lead_shows_the_error_page_in_the_browser(page, console_errors):
    UserFactory(username="avery", roles=[Role.INTAKE_COORDINATOR])
    log_in(page, username="avery", password="correct-horse-battery")
    page.goto("/leads/999999/")
    expect(page.get_by_role("heading", name="This page isn't here")).to_be_visible()
    page.get_by_role("link", name="Go to your home page").click()
    expect(page).to_have_url(re.compile(r"/queue/$"))
    # The 404 itself is logged by the browser: expected here.
    assert all("404" in error for error in console_errors)
    console_errors.clear()
