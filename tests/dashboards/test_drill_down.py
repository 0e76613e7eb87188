"""Every number links to the list of the leads behind it: the list holds exactly those."""

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from apps.audit.models import AccessLogEntry
from apps.dashboards import selectors, tables
from apps.dashboards.forms import DashboardFilterForm, DrillDownForm
from apps.dashboards.views import PANELS

pytestmark = pytest.mark.django_db


def leads_behind(user, url: str, *, page_size: int = 50) -> list[int]:
    """Every lead id of a drill-down link, walking all its pages through the selector."""
    params = {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}
    form, drill = DashboardFilterForm(params), DrillDownForm(params)
    assert form.is_valid(), form.errors
    assert drill.is_valid(), drill.errors
    ids, cursor = [], None
    while True:
        page = selectors.dashboard_leads_page(
            user=user,
            filters=form.filters(),
            condition=drill.condition(),
            cursor=cursor,
            page_size=page_size,
        )
        ids += [lead.pk for lead in page.leads]
        if not page.next_cursor:
            return ids
        cursor_form = DrillDownForm({**params, "cursor": page.next_cursor})
        assert cursor_form.is_valid()
        cursor = cursor_form.cursor_position()


def link_for(panel: tables.PanelView, table: str, row_label: str, column: str) -> tables.Cell:
    found = next(t for t in panel.tables if t.slug == table)
    row = next(r for r in found.rows if r[0].value == row_label)
    return row[found.columns.index(column)]


def panel_view(name: str, filters):
    select, present = PANELS[name]
    return present(select(filters=filters), tables.Links(filters))


@pytest.mark.parametrize("panel", list(PANELS))
def test_every_count_in_every_table_links_to_exactly_that_many_leads(month, manager, panel):
    view = panel_view(panel, month.filters())
    checked = 0
    for table in view.tables:
        for row in table.rows:
            for cell in row:
                if cell.href and isinstance(cell.value, int):
                    assert len(leads_behind(manager, cell.href, page_size=2)) == cell.value, (
                        table.slug,
                        row[0].value,
                        cell.href,
                    )
                    checked += 1
    assert checked > 0


@pytest.mark.parametrize(
    ("panel", "table", "row", "column", "expected"),
    [
        ("funnel", "steps", "Qualified", "Leads reaching it", ["L1", "L2", "L5", "L7"]),
        ("funnel", "by-service-line", "Orthopedics", "Scheduled", ["L1", "L2", "L7"]),
        ("funnel", "by-channel", "Phone", "Attempting contact", ["L3"]),
        ("trends", "weeks", "Mar 10 to Mar 16, 2025", "Scheduled", ["L5", "L7"]),
        ("response", "histogram", "Not answered yet", "Leads", ["L4", "L8", "L9"]),
        ("response", "by-team", "Cardio intake", "Missed SLA", ["L3", "L4"]),
        ("response", "by-staff", "No owner", "Answered", ["L6"]),
        ("channels", "by-campaign", "Web form", "Leads", ["L1", "L2"]),  # the "knee" row
        ("drop-off", "time-in-stage", "New", "3 to 7 days", ["L9"]),
        ("drop-off", "time-in-stage", "All open leads", "3 to 7 days", ["L7", "L8", "L9"]),
        ("drop-off", "lost-reasons", "Orthopedics", "Out of network / insurance", ["L2"]),
        ("referrals", "top-sources", "Lakeside Family Practice", "Lost", ["L6"]),
        ("referrals", "leakage", "Completed, summary sent back", "Leads", ["L5"]),
        ("referrals", "leakage", "Referred elsewhere", "Leads", ["L6"]),
    ],
)
def test_a_number_lists_exactly_its_leads(month, manager, panel, table, row, column, expected):
    cell = link_for(panel_view(panel, month.filters()), table, row, column)

    assert sorted(leads_behind(manager, cell.href)) == sorted(month.ids(*expected))


def test_summary_rates_link_to_the_leads_they_count(month, manager):
    view = panel_view("response", month.filters())
    within = dict(view.summary)["Answered within SLA"]

    assert within.value is not None
    assert sorted(leads_behind(manager, within.href)) == sorted(month.ids("L1", "L2", "L5", "L7"))


def test_a_zero_has_no_link(month):
    view = panel_view("funnel", month.filters())

    phone = link_for(view, "by-channel", "Phone", "Completed")
    assert (phone.value, phone.href) == (0, "")


def test_pages_come_newest_first_without_repeats(month, manager):
    url = tables.Links(month.filters())(panel="funnel")

    ids = leads_behind(manager, url, page_size=2)

    by_created = sorted(
        (month.leads[name] for name in ("L1", "L2", "L3", "L4", "L5", "L6", "L7", "L8", "L9")),
        key=lambda lead: (lead.created_at, lead.pk),
        reverse=True,
    )
    assert ids == [lead.pk for lead in by_created]


def test_list_page_shows_the_leads_and_pages_on(month, manager_client):
    url = tables.Links(month.filters())(panel="funnel", reached="attempting-contact")

    response = manager_client.get(url)

    assert response.status_code == 200
    body = response.content.decode()
    shown = {int(pk) for pk in re.findall(r'href="/leads/(\d+)/"', body)}
    assert shown == month.ids("L1", "L2", "L3", "L5", "L6", "L7")
    assert "reached Attempting contact" in body
    assert month.leads["L3"].person.last_name in body
    assert "Next page" not in body
    (entry,) = AccessLogEntry.objects.all()
    assert entry.what == "dashboard drill-down"
    assert set(entry.lead_ids) == shown


def test_list_page_follows_its_next_link(month, manager_client, monkeypatch):
    monkeypatch.setattr(selectors, "PAGE_SIZE", 4)
    url = tables.Links(month.filters())(panel="funnel")

    first = manager_client.get(url).content.decode()
    next_url = unescape(re.search(r'href="([^"]+)" rel="next"', first).group(1))
    second = manager_client.get(reverse("dashboards:leads") + next_url).content.decode()

    first_ids = re.findall(r'href="/leads/(\d+)/"', first)
    second_ids = re.findall(r'href="/leads/(\d+)/"', second)
    assert len(first_ids) == 4 and len(second_ids) == 4
    assert not set(first_ids) & set(second_ids)


def test_list_page_runs_a_fixed_number_of_queries(month, manager_client, django_assert_num_queries):
    url = tables.Links(month.filters())(panel="funnel", reached="qualified")
    manager_client.get(url)  # the session and the user are loaded the same way each time

    # session, user, roles, the stage named in the link, the page of ids, the leads, and
    # the unread alerts count of the page header
    with django_assert_num_queries(8):  # with the access log entry
        assert manager_client.get(url).status_code == 200
    with django_assert_num_queries(8):  # with the access log entry
        assert (
            manager_client.get(
                tables.Links(month.filters())(panel="funnel", reached="new")
            ).status_code
            == 200
        )


def test_a_link_with_an_unknown_stage_is_refused(month, manager_client):
    url = tables.Links(month.filters())(panel="funnel", reached="no-such-stage")

    response = manager_client.get(url)

    assert response.status_code == 400
    assert "Choose a stage of the funnel." in response.content.decode()


def test_list_exports_ids_without_names(month, manager_client):
    url = tables.Links(month.filters())(panel="response", response="sla_missed") + "&format=csv"

    response = manager_client.get(url)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = [line.split(",") for line in b"".join(response.streaming_content).decode().splitlines()]
    assert rows[0] == [
        "lead_id",
        "created_at",
        "service_line",
        "channel",
        "lead_type",
        "stage",
        "campaign",
    ]
    assert sorted(int(row[0]) for row in rows[1:]) == sorted(month.ids("L3", "L4", "L6"))
    (entry,) = AccessLogEntry.objects.all()  # the export records every row it sent
    assert (entry.what, entry.lead_ids) == (
        "lead export (CSV)",
        sorted(month.ids("L3", "L4", "L6")),
    )
    l4 = next(row for row in rows[1:] if int(row[0]) == month.leads["L4"].pk)
    assert l4[2:] == ["cardiology", "phone", "caregiver", "new", ""]
    body = b"".join(manager_client.get(url).streaming_content).decode()
    assert month.leads["L4"].person.last_name not in body
