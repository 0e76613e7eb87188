"""The global search page: the header box posts here."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from apps.search.selectors import global_search


@login_required
@require_http_methods(["GET", "POST"])
def search(request: HttpRequest) -> HttpResponse:
    """A search is posted, never put in the URL: names, phones and emails stay out of
    browser history and server logs. GET shows the empty search page."""
    query = request.POST.get("q", "") if request.method == "POST" else ""
    results = global_search(user=request.user, query=query) if query.strip() else None
    return render(request, "search/results.html", {"query": query, "results": results})
