"""Token authentication for the staff API: DRF's own, with an expiry."""

from django.contrib.auth.models import Group
from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication, get_authorization_header

from apps.accounts.selectors import api_token_expires_at, user_role_names_preload
from apps.core.throttles import credential_failure_record, credential_failures_check


class StaffTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <key>` (DRF authtoken, which reads the token with its user),
    refused with "Token expired." STAFF_API_TOKEN_DAYS after the token was made. An
    address that sends too many wrong tokens waits (429, as for intake keys)."""

    def authenticate(self, request):
        if not self._sends_token(request):
            return None  # a browser session, or no credentials: other classes decide
        credential_failures_check(request)
        try:
            return super().authenticate(request)
        except exceptions.AuthenticationFailed:
            credential_failure_record(request)
            raise

    def _sends_token(self, request) -> bool:
        parts = get_authorization_header(request).split()
        return bool(parts) and parts[0].lower() == self.keyword.lower().encode()

    def authenticate_credentials(self, key):
        # DRF's checks, with the user's role names read in the token's query: every API
        # view asks for them, and they would otherwise be a query of their own.
        model = self.get_model()
        role_names = ArraySubquery(Group.objects.filter(user=OuterRef("user_id")).values("name"))
        try:
            token = (
                model.objects.select_related("user")
                .annotate(user_role_names=role_names)
                .get(key=key)
            )
        except model.DoesNotExist:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        if api_token_expires_at(created_at=token.created) <= timezone.now():
            raise exceptions.AuthenticationFailed(_("Token expired."))
        user_role_names_preload(user=token.user, names=token.user_role_names)
        return token.user, token
