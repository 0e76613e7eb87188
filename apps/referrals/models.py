"""The liaison's work: territories, referrer health, and visits to referral sources.

Health lives here rather than on ReferralSource: it is derived data that the nightly
classification rewrites for every source at once, together with the figures behind it
(so a plan can say why). Keeping it off the reference row means the job never bumps a
source's `updated_at`, never races a staff edit of the same row, and leaves the staff
API's serializers of ReferralSource untouched.
"""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import Q

from apps.referrals.choices import HealthStatus, PersonMet, VisitKind


class LiaisonTerritory(models.Model):
    """A territory a liaison covers. Liaisons see and edit the referral sources whose
    `territory` is one of theirs (and the ones they own); managers see every source."""

    liaison = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="liaison_territories"
    )
    # The same free-text value as ReferralSource.territory ("North Shore", "Westside").
    territory = models.CharField(max_length=60)

    class Meta:
        ordering = ["territory"]
        constraints = [
            models.UniqueConstraint(
                fields=["liaison", "territory"], name="liaison_territory_unique"
            ),
            models.CheckConstraint(condition=~Q(territory=""), name="liaison_territory_named"),
        ]

    def __str__(self) -> str:
        return f"{self.territory} ({self.liaison_id})"


class ReferralSourceHealth(models.Model):
    """The last health classification of one referral source, and the figures it used."""

    source = models.OneToOneField(
        "referral_sources.ReferralSource",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="health",
    )
    status = models.CharField(max_length=10, choices=HealthStatus.choices)
    recent_referrals = models.PositiveIntegerField(default=0)
    baseline_referrals = models.PositiveIntegerField(default=0)
    # The baseline rate scaled to the recent window: what "normal" would have been.
    expected_recent_referrals = models.DecimalField(max_digits=9, decimal_places=2, default=0)
    first_referral_at = models.DateTimeField(null=True, blank=True)
    last_referral_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=300, blank=True)
    # The service lines it referred for in the last 12 months: the directory filters on
    # this instead of probing every lead of every source on each page.
    service_line_ids = ArrayField(models.BigIntegerField(), default=list, blank=True)
    classified_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "referral source health"
        indexes = [models.Index(fields=["status"], name="referral_health_status_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=HealthStatus.values), name="referral_health_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_status_display()} ({self.source_id})"


class LiaisonVisit(models.Model):
    """A liaison's visit (or call) to one or more referral sources.

    The value of any meal or item given is kept for Stark Law and anti-kickback records;
    it is split across the sources visited (LiaisonVisitSource.gift_value) so each
    referrer's yearly total can be checked against the annual limit.
    """

    liaison = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="liaison_visits"
    )
    # Who typed it in, when a manager logs a visit for a liaison.
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sources = models.ManyToManyField(
        "referral_sources.ReferralSource",
        through="LiaisonVisitSource",
        related_name="liaison_visits",
    )
    visited_on = models.DateField()
    kind = models.CharField(max_length=20, choices=VisitKind.choices, default=VisitKind.IN_PERSON)
    service_lines = models.ManyToManyField("servicelines.ServiceLine", blank=True, related_name="+")
    people_met = ArrayField(
        models.CharField(max_length=20, choices=PersonMet.choices), default=list, blank=True
    )
    materials_left = models.CharField(max_length=300, blank=True)
    gift_value = models.DecimalField(max_digits=8, decimal_places=2, default=0)
    gift_description = models.CharField(max_length=200, blank=True)
    notes = models.TextField(max_length=5000, blank=True)
    follow_up = models.CharField(max_length=300, blank=True)
    follow_up_due_on = models.DateField(null=True, blank=True)
    follow_up_completed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-visited_on", "-id"]
        indexes = [
            models.Index(fields=["liaison", "-visited_on"], name="liaison_visit_liaison_idx"),
            models.Index(
                fields=["liaison", "follow_up_due_on"],
                condition=~Q(follow_up="") & Q(follow_up_completed_at__isnull=True),
                name="liaison_visit_open_follow_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=VisitKind.values), name="liaison_visit_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(gift_value__gte=0), name="liaison_visit_gift_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(follow_up_due_on__isnull=True) | ~Q(follow_up=""),
                name="liaison_visit_follow_up_due_needs_task",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} visit on {self.visited_on}"

    @property
    def has_open_follow_up(self) -> bool:
        return bool(self.follow_up) and self.follow_up_completed_at is None


class LiaisonVisitSource(models.Model):
    """One referral source seen on a visit, with its share of the gift value.

    `visited_on` repeats the visit's date so a source's last visit and its gift total per
    year are read from one index, without joining the visits.
    """

    visit = models.ForeignKey(LiaisonVisit, on_delete=models.CASCADE, related_name="visit_sources")
    # PROTECT: gift records must outlive a source someone tries to delete.
    source = models.ForeignKey(
        "referral_sources.ReferralSource", on_delete=models.PROTECT, related_name="visit_records"
    )
    visited_on = models.DateField()
    gift_value = models.DecimalField(max_digits=8, decimal_places=2, default=0)

    class Meta:
        indexes = [
            models.Index(
                fields=["source", "visited_on"],
                include=["gift_value"],
                name="visit_source_date_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["visit", "source"], name="visit_source_unique"),
            models.CheckConstraint(
                condition=Q(gift_value__gte=0), name="visit_source_gift_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"Source {self.source_id} on visit {self.visit_id}"


class VisitChangeAction(models.TextChoices):
    EDITED = "edited", "Edited"
    DELETED = "deleted", "Deleted"


class LiaisonVisitChange(models.Model):
    """An edit or deletion of a liaison visit, with who, when, why and the values before
    and after. Gift records matter for Stark Law: a visit is never changed or removed
    without a trace, and the trace outlives the visit (listed on each source's history).
    """

    visit = models.ForeignKey(
        LiaisonVisit, null=True, blank=True, on_delete=models.SET_NULL, related_name="changes"
    )
    # The visit's number, kept after it is deleted.
    visit_number = models.BigIntegerField()
    action = models.CharField(max_length=10, choices=VisitChangeAction.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(max_length=500)
    # {field label: [before, after]} as text; a deletion records the whole visit.
    changes = models.JSONField(default=dict)
    source_ids = ArrayField(models.BigIntegerField(), default=list)
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-changed_at", "-id"]
        indexes = [GinIndex(fields=["source_ids"], name="visit_change_sources_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(action__in=VisitChangeAction.values),
                name="visit_change_action_valid",
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="visit_change_has_reason"),
        ]

    def __str__(self) -> str:
        return f"Visit {self.visit_number} {self.action}"
