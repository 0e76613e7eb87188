"""Refusals caused by the state of the data rather than the shape of the request."""

from django.core.exceptions import ValidationError


class StateConflict(ValidationError):
    """A well-formed request the data's current state refuses: the lead is closed or
    merged, it keeps its first referral source, Completed follows only Scheduled.

    A ValidationError (keyed by field), so forms show it like any other; the API answers
    it 409 Conflict (apps.core.api.service_errors_as_400), since the same request could
    succeed against other data, and a client must not treat it as a malformed one.
    """
