"""The queue page, and the list fragment htmx polls and filters."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from apps.facilities.models import Location
from apps.queue import forms
from apps.queue.display import queue_row_display, queue_row_html
from apps.queue.selectors import (
    PAGE_SIZE,
    queue_arrivals,
    queue_page,
    queue_scopes,
    working_stages,
)
from apps.safety.selectors import safety_banner_for_user
from apps.servicelines.models import ServiceLine


@login_required
@require_http_methods(["GET", "POST"])
def queue_index(request: HttpRequest) -> HttpResponse:
    """The coordinator's queue. GET with filters in the query string; POST when a search
    is typed (names and phones stay out of URLs and server logs). htmx posts the
    filter form and polls the list fragment."""
    if request.method == "POST":
        data = request.POST
    else:
        # A search typed into a URL by hand is ignored: searches are only ever posted.
        data = request.GET.copy()
        data.pop("q", None)
    form = forms.QueueFilterForm(data or None, scopes=queue_scopes(user=request.user))
    filters, cursor = form.filters(), form.cursor()
    if request.method == "POST" and not request.htmx and not filters.query:
        # Without a search the filters are safe in a URL: redirect, so reload and
        # bookmarks work.
        params = form.url_params()
        if cursor is not None:
            params["after"] = cursor.encode()
        return redirect(_queue_url(params))

    page = queue_page(
        user=request.user, filters=filters, cursor=cursor, page_size=_page_size(request)
    )
    show_owner = filters.scope == "teams"
    for row in page.rows:
        queue_row_display(row, now=page.now)
    context = {
        "form": form,
        "page": page,
        "rows_html": [queue_row_html(row, show_owner=show_owner) for row in page.rows],
        "current_after": cursor.encode() if cursor else "",
        "show_owner": show_owner,
        "arrivals": queue_arrivals(user=request.user, seen_lead_id=form.seen_lead_id()),
        # Polled with the list, so a new emergency shows within seconds.
        "safety_flags": safety_banner_for_user(user=request.user, now=page.now),
    }
    if request.htmx and not request.htmx.boosted:
        response = render(request, "queue/queue.html#queue_list", context)
        if request.htmx.trigger == "queue-filters":
            response["HX-Replace-Url"] = _queue_url(form.url_params())
        return response
    context["filter_options"] = _filter_options()
    return render(request, "queue/queue.html", context)


def _queue_url(params: dict[str, str]) -> str:
    url = reverse("queue:index")
    return f"{url}?{urlencode(params)}" if params else url


def _page_size(request: HttpRequest) -> int:
    raw = request.POST.get("size") or request.GET.get("size")
    try:
        return max(5, min(int(raw), 200)) if raw else PAGE_SIZE
    except ValueError:
        return PAGE_SIZE


def _filter_options() -> dict:
    """The choices of the filter selects (reference data: two small queries, stages from
    the process's cache)."""
    return {
        "service_lines": list(
            ServiceLine.objects.filter(is_active=True).order_by("name").values_list("id", "name")
        ),
        "locations": list(
            Location.objects.filter(is_active=True).order_by("name").values_list("id", "name")
        ),
        "stages": [(stage.pk, stage.name) for stage in working_stages()],
    }
