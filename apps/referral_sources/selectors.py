"""Reads of referral sources."""

from django.db.models import Q, QuerySet

from apps.accounts.choices import Role
from apps.accounts.models import User
from apps.accounts.selectors import user_has_role
from apps.referral_sources.models import ReferralSource


def referral_source_list() -> QuerySet[ReferralSource]:
    """Referral sources with their owning liaison. Not patient data: every member of
    staff may read them."""
    return ReferralSource.objects.select_related("owning_liaison")


def referral_source_search(
    *, sources: QuerySet[ReferralSource], query: str
) -> QuerySet[ReferralSource]:
    """Sources whose name or organization contains `query`, or whose NPI it is."""
    query = query.strip()
    condition = Q(name__icontains=query) | Q(organization_name__icontains=query)
    if query.isdigit():
        condition |= Q(npi=query)
    return sources.filter(condition)


def referral_source_get(*, source_id: int) -> ReferralSource:
    """One referral source; raises ReferralSource.DoesNotExist (views answer 404)."""
    return ReferralSource.objects.select_related("owning_liaison", "parent").get(pk=source_id)


def referral_source_ids_owned_by(*, user: User) -> list[int]:
    """The ids of the referral sources a liaison owns (cached on the user object).

    Lead scoping reads them as a list of ids rather than joining referral sources: an
    OR across a join kept PostgreSQL from using the lead indexes and scanned 1M leads.
    """
    ids = getattr(user, "_owned_referral_source_ids", None)
    if ids is None:
        ids = list(ReferralSource.objects.filter(owning_liaison=user).values_list("id", flat=True))
        user._owned_referral_source_ids = ids
    return ids


def referral_source_user_can_create(*, user: User) -> bool:
    """Liaisons, managers and admins add referral sources."""
    return user_has_role(user=user, roles={Role.LIAISON, Role.MANAGER, Role.ADMIN})


def referral_source_user_can_edit(*, user: User, source: ReferralSource) -> bool:
    """Managers and admins edit any referral source; a liaison edits the ones they own."""
    if user_has_role(user=user, roles={Role.MANAGER, Role.ADMIN}):
        return True
    return user_has_role(user=user, roles={Role.LIAISON}) and source.owning_liaison_id == user.pk
