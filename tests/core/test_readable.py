"""Readable numbers and words on every page (issue 16): one duration filter ("1 d 17 h"),
one phone filter (national format for the hospital's country), labels instead of choice
codes, and one short and one long date format used by name."""

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template
from django.urls import reverse
from django.utils.formats import date_format
from phonenumber_field.phonenumber import PhoneNumber

from apps.accounts.choices import Role
from apps.core.readable import choice_label, duration_text, phone_text
from apps.leads.choices import LostReason
from apps.pipeline.selectors import stage_get_by_slug
from apps.referrals.models import ReferralSourceHealth
from tests.factories import (
    ActivityFactory,
    LeadFactory,
    ReferralSourceFactory,
    TeamFactory,
    TeamMembershipFactory,
    UserFactory,
)


@pytest.mark.parametrize(
    ("minutes", "shown"),
    [
        (0, "0 min"),
        (0.5, "30 s"),
        (8, "8 min"),
        (59.6, "1 h"),
        (200, "3 h 20 min"),
        (Decimal("2477.8"), "1 d 17 h"),
        (2880, "2 d"),
        (dt.timedelta(hours=41, minutes=20), "1 d 17 h"),
        (None, "—"),
    ],
)
def test_duration_filter(minutes, shown):
    assert Template("{% load readable %}{{ value|duration }}").render(
        Context({"value": minutes})
    ) == (shown)


def test_duration_between_two_moments():
    start = dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.UTC)

    assert duration_text(41 * 60 + 18) == "1 d 17 h"
    rendered = Template("{% load readable %}{% duration_between a b %}").render(
        Context({"a": start, "b": start + dt.timedelta(minutes=6)})
    )
    assert rendered == "6 min"


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (PhoneNumber.from_string("+13125550142"), "(312) 555-0142"),
        ("+13125550142", "(312) 555-0142"),
        ("312.555.0142", "(312) 555-0142"),  # a referral source's phone, as typed
        ("+442079460958", "+44 20 7946 0958"),  # abroad: dialled with its country code
        ("call the front desk", "call the front desk"),
        ("", ""),
        (None, ""),
    ],
)
def test_phone_filter_writes_numbers_in_national_format(value, shown):
    assert Template("{% load readable %}{{ value|phone }}").render(Context({"value": value})) == (
        shown
    )
    assert phone_text(value) == shown


def test_phone_format_follows_the_hospitals_country(settings):
    settings.PHONENUMBER_DEFAULT_REGION = "GB"

    assert phone_text("+442079460958") == "020 7946 0958"
    assert phone_text("+13125550142") == "+1 312-555-0142"


def test_choice_codes_read_as_labels():
    assert choice_label(LostReason, "no_response") == "Never reached"
    assert choice_label(LostReason, "retired_reason") == "Retired reason"
    assert choice_label(LostReason, "") == ""


def test_one_short_and_one_long_date_format():
    moment = dt.datetime(2025, 3, 3, 19, 5, tzinfo=dt.UTC)

    assert date_format(moment.date(), "SHORT_DATE_FORMAT") == "Mar 3, 2025"
    assert date_format(moment.date()) == "Mon, Mar 3, 2025"
    rendered = Template('{{ m|date:"SHORT_DATETIME_FORMAT" }} / {{ m|date:"DATETIME_FORMAT" }}')
    assert rendered.render(Context({"m": moment})) == (
        "Mar 3, 2025, 14:05 EST / Mon, Mar 3, 2025, 14:05 EST"
    )


# Formats a template may still spell out: machine-readable ones and times of day alone.
ALLOWED_LITERAL_FORMATS = {"c", "Y-m-d", "H:i T", "D H:i T"}
NAMED = {
    "SHORT_DATE_FORMAT",
    "DATE_FORMAT",
    "SHORT_DATETIME_FORMAT",
    "DATETIME_FORMAT",
    "TIME_FORMAT",
    "MONTH_DAY_FORMAT",
    "YEAR_MONTH_FORMAT",
}


def test_templates_write_dates_only_in_the_named_formats():
    date_filter = re.compile(r"\|date:[\"']([^\"']*)[\"']")
    for template in Path(settings.BASE_DIR, "templates").rglob("*.html"):
        for found in date_filter.findall(template.read_text()):
            assert found in NAMED | ALLOWED_LITERAL_FORMATS, f"{template}: |date:{found!r}"


def test_python_code_writes_no_display_dates_of_its_own():
    # strftime-style display formats ("%b %d") belong in leadcrm/formats, by name.
    display = re.compile(r"%[abBA]\b|:%[abB] ")
    for module in Path(settings.BASE_DIR, "apps").rglob("*.py"):
        if "migrations" in module.parts or "demo" in module.parts:
            continue
        if module.name == "charts.py":  # a chart's axis names months alone: "Jan", "Feb"
            continue
        assert not display.search(module.read_text()), f"{module} formats a date itself"


# --- Pages: labels, not codes -------------------------------------------------------


@pytest.mark.django_db
def test_lead_timeline_says_why_a_lead_was_lost_in_words(client):
    team = TeamFactory()
    coordinator = UserFactory(roles=[Role.INTAKE_COORDINATOR])
    TeamMembershipFactory(team=team, user=coordinator)
    lead = LeadFactory(team=team, owner=coordinator)
    ActivityFactory(
        lead=lead,
        kind="stage_change",
        from_stage=stage_get_by_slug("new"),
        to_stage=stage_get_by_slug("disqualified"),
        details={"lost_reason": "no_response", "recontact_on": "2025-06-02"},
        body="",
    )
    client.force_login(coordinator)

    body = client.get(reverse("queue:lead", args=[lead.pk])).content.decode()

    assert "Reason: Never reached" in body
    assert "no_response" not in body and "no response" not in body
    assert "Contact again on Mon, Jun 2, 2025" in body


@pytest.mark.django_db
def test_dashboard_lead_list_names_channel_and_lead_type_by_label(client):
    client.force_login(UserFactory(roles=[Role.MANAGER]))

    body = client.get(
        reverse("dashboards:leads") + "?period=30&channel=walk_in&lead_type=caregiver"
    ).content.decode()

    assert "· Walk-in · Caregiver" in body
    assert "walk_in ·" not in body


@pytest.mark.django_db
def test_referral_panel_links_sources_to_their_profiles_with_health_in_words(client):
    source = ReferralSourceFactory(name="Lakeside Family Practice")
    ReferralSourceHealth.objects.create(
        source=source,
        status="declining",
        recent_referrals=1,
        baseline_referrals=24,
        expected_recent_referrals=Decimal("6.00"),
        reason="Fewer referrals.",
        classified_at=dt.datetime(2025, 3, 1, tzinfo=dt.UTC),
    )
    client.force_login(UserFactory(roles=[Role.MANAGER]))

    body = client.get(reverse("dashboards:panel", args=["referrals"])).content.decode()

    profile = reverse("referrals:profile", args=[source.pk])
    assert f'<th scope="row"><a href="{profile}">Lakeside Family Practice</a></th>' in body
