"""Emergency access ("break-the-glass"): a member of staff opening a lead outside their
scope, with a reason, for a few hours; the privacy officer reviews every use."""

from django.conf import settings
from django.db import models

from apps.privacy.choices import EmergencyReason


class EmergencyAccess(models.Model):
    """One break-the-glass: who opened which lead, why, until when; and its review."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="emergency_accesses"
    )
    lead = models.ForeignKey("leads.Lead", on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=30, choices=EmergencyReason.choices)
    reason_text = models.CharField(max_length=1000)
    granted_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    review_note = models.CharField(max_length=2000, blank=True)

    class Meta:
        ordering = ["-granted_at", "-id"]
        indexes = [
            models.Index(fields=["user", "lead", "-expires_at"], name="emergency_user_lead_idx"),
            models.Index(fields=["lead", "-expires_at"], name="emergency_lead_idx"),
            models.Index(
                fields=["granted_at"],
                condition=models.Q(reviewed_at__isnull=True),
                name="emergency_unreviewed_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"Emergency access to lead #{self.lead_id} by {self.user_id}"
