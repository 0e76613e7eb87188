"""django-allauth adapters: staff accounts are made by admins, never by sign-up, and a
user whose role requires two-factor authentication cannot remove their last factor."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator

from apps.accounts.selectors import user_must_use_mfa


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        return False


class MfaAdapter(DefaultMFAAdapter):
    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        if not user_must_use_mfa(user=authenticator.user):
            return super().can_delete_authenticator(authenticator)
        others = Authenticator.objects.filter(
            user=authenticator.user,
            type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN],
        ).exclude(pk=authenticator.pk)
        return others.exists() and super().can_delete_authenticator(authenticator)
