"""The one guard for pages that belong to some roles: `@role_required(Role.MANAGER, ...)`."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from apps.accounts.choices import Role
from apps.accounts.selectors import user_has_role

MANAGER_ROLES = (Role.MANAGER, Role.ADMIN)


def role_required(*roles: str, message: str = "") -> Callable:
    """Signed-in users with one of `roles` (superusers always); anyone else signed in is
    refused with 403 (and `message`), anyone signed out is sent to the login page."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not user_has_role(user=request.user, roles=set(roles)):
                raise PermissionDenied(message)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
