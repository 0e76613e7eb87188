"""The home page: where each role starts its day."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from apps.accounts.choices import Role
from apps.accounts.selectors import user_has_role


@login_required
def home(request: HttpRequest) -> HttpResponse:
    # Intake coordinators spend their shift in the queue: it is their home page.
    if user_has_role(user=request.user, roles={Role.INTAKE_COORDINATOR}):
        return redirect("queue:index")
    return render(request, "accounts/home.html")
