"""`Authorization: Api-Key <key>` for the capture channels that post to the intake API."""

from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

from apps.core.throttles import credential_failure_record, credential_failures_check
from apps.intake.models import IntakeKey
from apps.intake.selectors import intake_key_get_active
from apps.intake.services import intake_key_mark_used


class IntakeKeyAuthentication(BaseAuthentication):
    """Authenticates a capture channel by its intake key; `request.auth` is the IntakeKey.

    A request without the header is left unauthenticated (401 from the permission check);
    a wrong, malformed or switched-off key is refused outright, and an address that sends
    too many of them waits (429, apps.core.throttles.credential_failures_check).
    """

    keyword = "Api-Key"

    def authenticate(self, request) -> tuple[IntakeKey, IntakeKey] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None
        credential_failures_check(request)
        try:
            intake_key = self._intake_key(parts)
        except AuthenticationFailed:
            credential_failure_record(request)
            raise
        intake_key_mark_used(intake_key=intake_key)
        return intake_key, intake_key

    def _intake_key(self, parts: list[bytes]) -> IntakeKey:
        if len(parts) != 2:
            raise AuthenticationFailed("Send the key as: Authorization: Api-Key <key>.")
        try:
            raw_key = parts[1].decode("ascii")
        except UnicodeDecodeError as exc:
            raise AuthenticationFailed("Unknown or inactive intake key.") from exc
        intake_key = intake_key_get_active(raw_key=raw_key)
        if intake_key is None:
            raise AuthenticationFailed("Unknown or inactive intake key.")
        return intake_key

    def authenticate_header(self, request) -> str:
        # Naming a scheme makes DRF answer 401 (with WWW-Authenticate) rather than 403.
        return self.keyword
