"""Who made a change, for the change history (django-pghistory, README "Change history").

PostgreSQL triggers copy each tracked row into its event table whatever the path; the
application only says who is acting, through pghistory.context. Each write statement
then carries the context as transaction-local settings (`set_config(..., true)`), which
is why it works behind PgBouncer in transaction mode. The context names the actor and
never the patient: a user id and their roles, an intake key's name, a task's or a
command's name, the page path (no query string).

- web pages and the staff API: HistoryContextMiddleware (below);
- intake: apps.intake.services.intake_submit adds the intake key's name;
- Celery tasks: leadcrm.celery.HistoryTask (every task runs inside its own context);
- management commands: manage.py.
"""

import pghistory
from django.core.serializers.json import DjangoJSONEncoder

from apps.accounts.models import User
from apps.accounts.selectors import user_role_names


def history_roles_of(user: User) -> list[str]:
    """The roles a change is recorded under: the user's role groups, and "superuser"."""
    roles = sorted(user_role_names(user=user))
    return [*roles, "superuser"] if user.is_superuser else roles


class _RequestActor:
    """The signed-in user of a request, read when a write happens rather than when the
    request starts: the staff API's token user is known only once DRF authenticates,
    and a page that writes nothing never looks up the user's roles."""

    def __init__(self, request, part: str):
        self.request = request
        self.part = part

    def resolve(self):
        user = getattr(self.request, "user", None)
        # The intake API authenticates an IntakeKey, not a user: no user then.
        if not isinstance(user, User) or not user.is_authenticated:
            return None
        return user.pk if self.part == "user" else history_roles_of(user)


class HistoryContextEncoder(DjangoJSONEncoder):
    """Serializes the history context for each write (PGHISTORY_JSON_ENCODER)."""

    def default(self, o):
        if isinstance(o, _RequestActor):
            return o.resolve()
        return super().default(o)


def _via(request) -> str:
    authorization = request.headers.get("Authorization", "")
    if authorization.startswith("Token "):
        return "api"
    if authorization.startswith("Api-Key "):
        return "intake"
    if authorization.startswith("Bearer "):
        return "fhir"
    return "web"


class HistoryContextMiddleware:
    """Groups each request's changes under one history context naming the user, their
    roles, how they came (web, api, intake, fhir) and the path (never the query string:
    a search's words stay out)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with pghistory.context(
            user=_RequestActor(request, "user"),
            roles=_RequestActor(request, "roles"),
            via=_via(request),
            url=request.path[:300],
        ):
            return self.get_response(request)
