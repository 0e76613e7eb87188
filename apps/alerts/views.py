"""The notification list and its mark-read actions. Work with or without htmx."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from apps.alerts.selectors import alert_list_for_user
from apps.alerts.services import alert_mark_all_read, alert_mark_read

PAGE_SIZE = 50
# The top bar badge listens for this event and refreshes its count.
ALERTS_CHANGED = "alerts-changed"


@login_required
@require_GET
def alert_list(request: HttpRequest) -> HttpResponse:
    """The user's own alerts, newest first, 50 a page."""
    return _list_response(request, page_number=request.GET.get("page"))


@login_required
@require_POST
def alert_read(request: HttpRequest, alert_id: int) -> HttpResponse:
    """Mark one alert read. htmx swaps the row; a plain form returns to the list."""
    alert_mark_read(user=request.user, alert_id=alert_id)
    if request.htmx:
        alert = alert_list_for_user(user=request.user).filter(pk=alert_id).first()
        if alert is None:
            return HttpResponse(status=404)
        response = render(request, "alerts/alert_list.html#alert-row", {"alert": alert})
        response["HX-Trigger"] = ALERTS_CHANGED
        return response
    return redirect(_back_to_list(request))


@login_required
@require_POST
def alert_read_all(request: HttpRequest) -> HttpResponse:
    """Mark every alert of the user read."""
    alert_mark_all_read(user=request.user)
    if request.htmx:
        response = _list_response(request, page_number=request.POST.get("page"))
        response["HX-Trigger"] = ALERTS_CHANGED
        return response
    return redirect(_back_to_list(request))


@login_required
@require_GET
def alert_badge(request: HttpRequest) -> HttpResponse:
    """The unread badge alone, for the top bar to refresh itself."""
    return render(request, "alerts/_badge.html")


def _back_to_list(request: HttpRequest) -> str:
    page = request.POST.get("page", "")
    return "/alerts/" + (f"?page={int(page)}" if page.isdigit() else "")


def _list_response(request: HttpRequest, *, page_number: str | None) -> HttpResponse:
    page = Paginator(alert_list_for_user(user=request.user), PAGE_SIZE).get_page(page_number)
    template = "alerts/alert_list.html#alert-list" if request.htmx else "alerts/alert_list.html"
    return render(request, template, {"page": page, "alerts": page.object_list})
