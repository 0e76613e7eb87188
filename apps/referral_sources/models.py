"""Who sends patients: referring providers, practices and other referral sources."""

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import Q

from apps.referral_sources.validators import validate_npi


class ReferralSourceKind(models.TextChoices):
    PROVIDER = "provider", "Referring provider"
    PRACTICE = "practice", "Practice"
    ORGANIZATION = "organization", "Organization"
    CASE_MANAGER = "case_manager", "Case manager"
    DISCHARGE_PLANNER = "discharge_planner", "Discharge planner"
    EMPLOYER = "employer", "Employer"
    COMMUNITY_PARTNER = "community_partner", "Community partner"
    PAST_PATIENT = "past_patient", "Past patient"


@pghistory.track()
class ReferralSource(models.Model):
    """A referral source. Providers are keyed by NPI: two records never share one."""

    kind = models.CharField(max_length=20, choices=ReferralSourceKind.choices)
    name = models.CharField(max_length=200)
    npi = models.CharField(
        max_length=10, null=True, blank=True, unique=True, validators=[validate_npi]
    )
    specialty = models.CharField(max_length=120, blank=True)
    # A provider's practice, or a case manager's organization, when it is on file.
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    organization_name = models.CharField(max_length=200, blank=True)
    address_line1 = models.CharField(max_length=200, blank=True)
    address_line2 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=50, blank=True)
    postal_code = models.CharField(max_length=10, blank=True)
    phone = models.CharField(max_length=20, blank=True)
    email = models.EmailField(blank=True)
    territory = models.CharField(max_length=60, blank=True)
    owning_liaison = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="referral_sources",
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        indexes = [
            models.Index(fields=["owning_liaison", "name"]),
            models.Index(fields=["territory", "name"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ReferralSourceKind.values), name="referral_source_kind_valid"
            ),
            # Luhn is checked in Python; the database still refuses anything not 10 digits.
            models.CheckConstraint(
                condition=Q(npi__isnull=True) | Q(npi__regex=r"^[0-9]{10}$"),
                name="referral_source_npi_ten_digits",
            ),
            models.CheckConstraint(
                condition=Q(npi__isnull=True) | Q(kind="provider"),
                name="referral_source_npi_only_for_providers",
            ),
        ]

    def __str__(self) -> str:
        return self.name
