"""The manager dashboards. Views parse the filters, call one selector and render; the
page loads each panel from its own URL (htmx), which also serves the panel as a page
of its own and, with /export/<table>.csv, as CSV."""

import csv
import itertools
from decimal import Decimal
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from apps.accounts.decorators import MANAGER_ROLES, role_required
from apps.dashboards import selectors, tables
from apps.dashboards.forms import PANEL_CHOICES, DashboardFilterForm, DrillDownForm

PANELS = {
    "funnel": (selectors.dashboard_funnel, tables.funnel_view),
    "trends": (selectors.dashboard_trends, tables.trends_view),
    "response": (selectors.dashboard_response_times, tables.response_view),
    "channels": (selectors.dashboard_channel_quality, tables.channel_view),
    "drop-off": (selectors.dashboard_drop_off, tables.drop_off_view),
    "referrals": (selectors.dashboard_referral_sources, tables.referral_view),
}
PANEL_TITLES = dict(PANEL_CHOICES)


managers_only = role_required(*MANAGER_ROLES, message="The dashboards are for managers and admins.")


def _tabs(query: str, *, current: str) -> list[dict]:
    """The overview and one tab per panel, each a link keeping the filters."""
    tabs = [{"slug": "overview", "title": "Overview", "path": reverse("dashboards:index")}]
    tabs += [
        {"slug": slug, "title": title, "path": reverse("dashboards:panel", args=[slug])}
        for slug, title in PANEL_CHOICES
    ]
    for tab in tabs:
        tab.update(url=f"{tab['path']}?{query}", current=tab["slug"] == current)
    return tabs


@require_GET
@managers_only
def dashboard_index(request: HttpRequest) -> HttpResponse:
    """The overview: this period's few numbers against the period before."""
    form = DashboardFilterForm(request.GET)
    valid = form.is_valid()
    query = urlencode(form.filters().query_params()) if valid else ""
    overview = None
    if valid:
        filters = form.filters()
        overview = tables.overview_view(selectors.dashboard_overview(filters=filters), filters)
    return render(
        request,
        "dashboards/index.html",
        {
            "form": form,
            "valid": valid,
            "query": query,
            "overview": overview,
            "tabs": _tabs(query, current="overview"),
            "freshness": selectors.facts_freshness(),
        },
        status=200 if valid else 400,
    )


def _panel_view(request: HttpRequest, panel: str):
    if panel not in PANELS:
        raise Http404("No such panel.")
    form = DashboardFilterForm(request.GET)
    if not form.is_valid():
        return form, None
    filters = form.filters()
    select, present = PANELS[panel]
    return form, present(select(filters=filters), tables.Links(filters))


@require_GET
@managers_only
def dashboard_panel(request: HttpRequest, panel: str) -> HttpResponse:
    """One panel: the fragment the dashboard page loads, or a page of its own."""
    form, view = _panel_view(request, panel)
    context = {
        "form": form,
        "panel": view,
        "panel_slug": panel,
        "title": PANEL_TITLES[panel],
        "query": urlencode(form.filters().query_params()) if view else "",
    }
    status = 200 if view else 400
    if request.htmx:
        return render(request, "dashboards/panel.html#panel", context, status=status)
    context["freshness"] = selectors.facts_freshness()
    context["tabs"] = _tabs(context["query"], current=panel)
    return render(request, "dashboards/panel.html", context, status=status)


@require_GET
@managers_only
def dashboard_export(request: HttpRequest, panel: str, table: str) -> HttpResponse:
    """One table of a panel as CSV: the same rows and figures as on the page."""
    form, view = _panel_view(request, panel)
    if view is None:
        return HttpResponse(
            "Invalid filters: " + "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    found = next((t for t in view.tables if t.slug == table), None)
    if found is None:
        raise Http404("No such table.")
    filters = form.filters()
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="leadcrm-{panel}-{table}-{filters.start}-{filters.end}.csv"'
    )
    writer = csv.writer(response)
    # The page reads a time as "1 d 17 h"; a spreadsheet gets the minutes, so says so.
    minutes = {
        i for i, cell in enumerate(found.rows[0] if found.rows else []) if cell.unit == "min"
    }
    writer.writerow(
        [
            _csv_text(column + (" (min)" if i in minutes else ""))
            for i, column in enumerate(found.columns)
        ]
    )
    for row in found.rows:
        writer.writerow([_csv_value(cell) for cell in row])
    return response


def _csv_value(cell: tables.Cell) -> str:
    if cell.value is None:
        return ""
    if isinstance(cell.value, int | Decimal):
        return str(cell.value)
    return _csv_text(str(cell.value))


def _csv_text(text: str) -> str:
    # Campaign names arrive from outside (utm_campaign): keep a spreadsheet from reading
    # one as a formula.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@require_GET
@managers_only
def dashboard_leads(request: HttpRequest) -> HttpResponse:
    """The leads behind one number of a panel, a page at a time; `format=csv` exports
    their ids and non-personal columns."""
    form = DashboardFilterForm(request.GET)
    drill = DrillDownForm(request.GET)
    if not (form.is_valid() and drill.is_valid()):
        return render(
            request,
            "dashboards/leads.html",
            {"form": form, "drill": drill, "invalid": True},
            status=400,
        )
    filters = form.filters()
    condition = drill.condition()
    if request.GET.get("format") == "csv":
        return _leads_csv(request, filters=filters, condition=condition)
    page = selectors.dashboard_leads_page(
        user=request.user,
        filters=filters,
        condition=condition,
        cursor=drill.cursor_position(),
        page_size=selectors.PAGE_SIZE,
    )
    params = request.GET.copy()
    params.pop("cursor", None)
    params.pop("format", None)
    panel = drill.cleaned_data.get("panel") or ""
    back_params = filters.query_params()
    return render(
        request,
        "dashboards/leads.html",
        {
            "form": form,
            "drill": drill,
            "filters": filters,
            "condition": condition,
            "page": page,
            "panel_title": PANEL_TITLES.get(panel, ""),
            "back_url": (
                reverse("dashboards:panel", args=[panel]) if panel else reverse("dashboards:index")
            )
            + "?"
            + urlencode(back_params),
            "next_url": f"?{urlencode({**params.dict(), 'cursor': page.next_cursor})}"
            if page.next_cursor
            else "",
            "first_url": f"?{params.urlencode()}" if drill.cleaned_data.get("cursor") else "",
            "csv_url": f"?{urlencode({**params.dict(), 'format': 'csv'})}",
        },
    )


CSV_EXPORT_LIMIT = 100_000


def _leads_csv(request: HttpRequest, *, filters, condition) -> StreamingHttpResponse:
    """Lead ids and non-personal columns only: the export leaves the app, names stay."""
    rows = selectors.dashboard_leads_export(
        user=request.user, filters=filters, condition=condition, limit=CSV_EXPORT_LIMIT
    )

    class Echo:
        def write(self, value):
            return value

    writer = csv.writer(Echo())
    header = ["lead_id", "created_at", "service_line", "channel", "lead_type", "stage", "campaign"]
    response = StreamingHttpResponse(
        (
            writer.writerow([_csv_text(str(v)) for v in row])
            for row in itertools.chain([header], rows)
        ),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="leadcrm-leads-{filters.start}-{filters.end}.csv"'
    )
    return response
