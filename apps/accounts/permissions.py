"""DRF permissions from the staff roles: which endpoints a role may use at all. Which
objects it may touch is the selectors' business (outside its scope: 404)."""

from rest_framework.permissions import SAFE_METHODS, IsAuthenticated

from apps.accounts.selectors import user_sees_referrals_only


class ReadsPatients(IsAuthenticated):
    """Patient-level endpoints (people, timelines, every write to a lead): not for
    liaisons, who work with referral-level facts only."""

    message = "Liaisons see referral-level facts only."

    def has_permission(self, request, view) -> bool:
        return super().has_permission(request, view) and not user_sees_referrals_only(
            user=request.user
        )


class ChangesLeads(IsAuthenticated):
    """Read for every member of staff (each at their level); writes not for liaisons."""

    message = "Liaisons do not change leads."

    def has_permission(self, request, view) -> bool:
        if not super().has_permission(request, view):
            return False
        return request.method in SAFE_METHODS or not user_sees_referrals_only(user=request.user)
