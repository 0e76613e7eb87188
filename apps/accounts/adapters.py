"""django-allauth adapters: staff accounts are made by admins or by single sign-on, never
by sign-up with a password; a user whose role requires two-factor authentication cannot
remove their last factor; roles follow the identity provider's groups."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.auth_backends import AuthenticationBackend
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter

from apps.accounts.selectors import user_must_use_mfa
from apps.accounts.services import user_roles_sync_from_groups


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


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """Single sign-on: the identity provider decides who may enter, and, with
    SSO_GROUP_ROLES, which roles they hold."""

    def is_open_for_signup(self, request, sociallogin) -> bool:
        return True

    def pre_social_login(self, request, sociallogin) -> None:
        if sociallogin.is_existing:
            user_roles_sync_from_groups(user=sociallogin.user, groups=_groups(sociallogin))

    def save_user(self, request, sociallogin, form=None):
        user = super().save_user(request, sociallogin, form)
        user_roles_sync_from_groups(user=user, groups=_groups(sociallogin))
        return user


def _groups(sociallogin) -> list[str]:
    """The groups claim, from the userinfo answer or else the ID token."""
    extra = sociallogin.account.extra_data
    for source in ("userinfo", "id_token"):
        groups = (extra.get(source) or {}).get("groups")
        if groups:
            return [str(group) for group in groups]
    return []


class SingleSignOnOnlyBackend(AuthenticationBackend):
    """allauth's backend (it loads the signed-in user for each request) with password
    sign-in refused: used when LOCAL_PASSWORDS_ENABLED is off."""

    def authenticate(self, request, **credentials):
        return None
