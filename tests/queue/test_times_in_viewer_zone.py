"""Every time on the lead page is in the viewer's zone with the zone named; the patient's
own local time (and whether it is calling hours there) is shown beside their phone."""

import datetime as dt
import re
import zoneinfo

import pytest
import time_machine
from django.urls import reverse

from tests.factories import LocationFactory

pytestmark = pytest.mark.django_db

DENVER = zoneinfo.ZoneInfo("America/Denver")
CHICAGO = zoneinfo.ZoneInfo("America/Chicago")


@time_machine.travel(dt.datetime(2026, 12, 7, 15, 0, tzinfo=dt.UTC), tick=False)
def test_times_are_in_the_viewers_zone_and_named(logged_in, coordinator, team, routed_lead):
    lead = routed_lead(
        team=team,
        owner=coordinator,
        location=LocationFactory(slug="riverside", time_zone="America/Chicago"),
    )
    client = logged_in(coordinator)
    client.cookies["leadcrm_tz"] = "America/Denver"

    html = client.get(reverse("queue:lead", args=[lead.pk])).content.decode()

    received = lead.created_at.astimezone(DENVER).strftime("%H:%M")
    assert f"received Mon, Dec 7, 2026, {received} MST" in html
    assert re.search(r"Their local time: <strong>Mon 09:00 CST</strong>", html)
    assert "Outside calling hours" not in html


@time_machine.travel(dt.datetime(2026, 12, 8, 3, 30, tzinfo=dt.UTC), tick=False)
def test_a_patient_in_their_quiet_hours_is_flagged(logged_in, coordinator, team, routed_lead):
    lead = routed_lead(
        team=team,
        owner=coordinator,
        location=LocationFactory(slug="riverside", time_zone="America/Chicago"),
    )
    html = logged_in(coordinator).get(reverse("queue:lead", args=[lead.pk])).content.decode()
    # 21:30 in Chicago: the patient's evening, whatever the viewer's clock says.
    assert "Their local time: <strong>Mon 21:30 CST</strong>" in html
    assert "Outside calling hours" in html and "until 08:00 CST" in html


def test_an_unknown_zone_in_the_cookie_falls_back_to_the_default(
    logged_in, coordinator, team, routed_lead
):
    lead = routed_lead(team=team, owner=coordinator)
    client = logged_in(coordinator)
    client.cookies["leadcrm_tz"] = "Mars/Olympus"
    response = client.get(reverse("queue:lead", args=[lead.pk]))
    assert response.status_code == 200
    assert re.search(r"received \w+, \w+ \d+, \d{4}, \d\d:\d\d E[SD]T", response.content.decode())
