"""Token authentication for the staff API: DRF's own, with an expiry."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from apps.accounts.selectors import api_token_expires_at


class StaffTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <key>` (DRF authtoken, which reads the token with its user),
    refused with "Token expired." STAFF_API_TOKEN_DAYS after the token was made."""

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if api_token_expires_at(created_at=token.created) <= timezone.now():
            raise exceptions.AuthenticationFailed(_("Token expired."))
        return user, token
