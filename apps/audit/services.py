"""Writing the access log: one INSERT per read of patient information."""

from collections.abc import Iterable

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.accounts.selectors import user_role_names
from apps.audit.context import current_access
from apps.audit.models import AccessLogEntry


def access_record(
    *,
    user: User | None,
    what: str,
    client: str = "",
    lead_ids: Iterable[int] = (),
    person_ids: Iterable[int] = (),
    reason: str = "",
    break_glass: bool = False,
) -> AccessLogEntry | None:
    """Record that `user` was shown these leads and people (`what`: "lead page", ...).
    A system reading without a user (a FHIR sending system) passes user=None and names
    itself in `client` (its intake key's name).

    Called by the selectors that read patient information, before the data leaves them.
    One INSERT (no savepoint). An error here is not caught: a read that cannot be
    recorded is not shown, the request fails.
    """
    lead_ids = sorted({int(pk) for pk in lead_ids if pk is not None})
    person_ids = sorted({int(pk) for pk in person_ids if pk is not None})
    if not lead_ids and not person_ids:
        return None  # nothing was shown (an empty list): nothing to record
    context = current_access.get()
    entry = AccessLogEntry(
        accessed_at=timezone.now(),
        user_id=user.pk if user else None,
        username=(user.get_username() if user else client)[:150],
        roles=", ".join(sorted(user_role_names(user=user)))[:200] if user else "API client",
        via=context.via,
        what=what,
        method=context.method,
        view_name=context.view_name,
        path=context.path,
        ip=context.ip,
        user_agent=context.user_agent,
        reason=reason[:1000],
        break_glass=break_glass,
        lead_ids=lead_ids,
        person_ids=person_ids,
    )
    if settings.ACCESS_LOG_SYNCHRONOUS_COMMIT:
        entry.save(force_insert=True)
    else:
        # The entry's commit does not wait for its WAL flush (see the setting).
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
            entry.save(force_insert=True)
    return entry


def access_log_partition_ensure(*, month) -> None:
    """Make the access log's partition for the month of `month` (a date), if missing."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT audit_accesslog_partition_ensure(%s)", [month])
