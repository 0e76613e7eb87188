"""The queue page, and the list fragment htmx polls and filters."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from apps.accounts.choices import Role
from apps.accounts.selectors import user_has_role, user_sees_all_leads
from apps.facilities.models import Location
from apps.nurture.selectors import tracks_open_for_enrollment
from apps.pipeline.selectors import stage_list_cached
from apps.queue import forms
from apps.queue.display import QUEUE_COLUMNS, queue_row_display, queue_row_html
from apps.queue.models import SavedView
from apps.queue.selectors import (
    PAGE_SIZE,
    queue_arrivals,
    queue_page,
    queue_scopes,
    working_stages,
)
from apps.queue.selectors.bulk import bulk_owner_choices
from apps.queue.selectors.saved_views import saved_view_get_for_user, saved_view_list_for_user
from apps.safety.selectors import safety_banner_for_user
from apps.servicelines.models import ServiceLine
from apps.teams.models import Team

# Who acts on several leads at once. Liaisons work de-identified referral facts and
# change no lead; the privacy officer reads the access log, not the queue's leads.
BULK_ROLES = {Role.INTAKE_COORDINATOR, Role.MANAGER, Role.ADMIN}


@login_required
@require_http_methods(["GET", "POST"])
def queue_index(request: HttpRequest) -> HttpResponse:
    """The coordinator's queue. GET with filters in the query string (or `view`, a saved
    view's id); POST when a search is typed (names and phones stay out of URLs and
    server logs). htmx posts the filter form and polls the list fragment."""
    current_view = None
    if request.method == "POST":
        data = request.POST
    elif request.GET.get("view"):
        current_view = _view_or_404(request, request.GET["view"])
        data = saved_view_query(current_view, after=request.GET.get("after", ""))
    else:
        # A search typed into a URL by hand is ignored: searches are only ever posted.
        data = request.GET.copy()
        data.pop("q", None)
    form = forms.QueueFilterForm(data or None, scopes=queue_scopes(user=request.user))
    if request.method == "POST" and not request.htmx and not form.filters().query:
        # Without a search the filters are safe in a URL: redirect, so reload and
        # bookmarks work.
        params = form.url_params()
        if (cursor := form.cursor()) is not None:
            params["after"] = cursor.encode()
        return redirect(queue_url(params))
    return queue_render(request, form=form, current_view=current_view)


def queue_render(
    request: HttpRequest,
    *,
    form: forms.QueueFilterForm,
    current_view: SavedView | None = None,
    save_form: forms.SavedViewForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The queue page (or, to htmx, its list) for a bound filter form."""
    filters, cursor = form.filters(), form.cursor()
    page = queue_page(
        user=request.user, filters=filters, cursor=cursor, page_size=_page_size(request)
    )
    columns = form.columns_shown(scope=filters.scope)
    may_bulk = user_has_role(user=request.user, roles=BULK_ROLES)
    for row in page.rows:
        queue_row_display(row, now=page.now)
    context = {
        "form": form,
        "page": page,
        "rows_html": [
            queue_row_html(row, columns=columns, selectable=may_bulk) for row in page.rows
        ],
        "columns": [(name, QUEUE_COLUMNS[name]) for name in columns],
        "may_bulk": may_bulk,
        "current_after": cursor.encode() if cursor else "",
        "arrivals": queue_arrivals(user=request.user, seen_lead_id=form.seen_lead_id()),
        # Polled with the list, so a new emergency shows within seconds.
        "safety_flags": safety_banner_for_user(user=request.user, now=page.now),
    }
    if request.htmx and not request.htmx.boosted:
        response = render(request, "queue/queue.html#queue_list", context)
        if request.htmx.trigger == "queue-filters":
            response["HX-Replace-Url"] = queue_url(form.url_params())
        return response
    can_share = user_sees_all_leads(user=request.user)
    context.update(
        filter_options=_filter_options(),
        saved_views=saved_view_list_for_user(user=request.user),
        current_view=current_view,
        save_form=save_form or saved_view_form(data=None, can_share=can_share),
        bulk_form=bulk_form(request, data=None) if may_bulk else None,
    )
    return render(request, "queue/queue.html", context, status=status)


def saved_view_query(view: SavedView, *, after: str = "") -> QueryDict:
    """A saved view as the queue form's input (what its URL would say)."""
    data = QueryDict(mutable=True)
    for name, value in view.filters.items():
        data[name] = str(value)
    if view.sort:
        data["sort"] = view.sort
    data.setlist("columns", list(view.columns))
    if after:
        data["after"] = after
    return data


def saved_view_form(*, data, can_share: bool) -> forms.SavedViewForm:
    teams = list(Team.objects.filter(is_active=True).order_by("name")) if can_share else []
    return forms.SavedViewForm(data, can_share=can_share, teams=teams)


def bulk_form(request: HttpRequest, *, data) -> forms.BulkActionForm:
    """The bulk bar's form: reassigning is a manager's (as on the lead page)."""
    managers = user_sees_all_leads(user=request.user)
    actions = [forms.BulkAction.STAGE, forms.BulkAction.NURTURE]
    if managers:
        actions.insert(0, forms.BulkAction.REASSIGN)
    return forms.BulkActionForm(
        data,
        actions=actions,
        owners=bulk_owner_choices() if managers else [],
        stages=[stage for stage in stage_list_cached() if stage.is_active],
        tracks=list(tracks_open_for_enrollment().order_by("name")),
    )


def _view_or_404(request: HttpRequest, raw_id: str) -> SavedView:
    try:
        return saved_view_get_for_user(user=request.user, view_id=int(raw_id))
    except (ValueError, SavedView.DoesNotExist):
        raise Http404("No such view.") from None


def queue_url(params: dict) -> str:
    url = reverse("queue:index")
    return f"{url}?{urlencode(params, doseq=True)}" if params else url


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
