"""A hospital's own screening phrases, the built-in ones it switched off (and why), the
log of those changes, and the flags screening raised on leads."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from apps.safety.choices import PhraseKind, SafetyCategory
from apps.safety.languages import LANGUAGES

LANGUAGE_CHOICES = [(code, module.NAME) for code, module in LANGUAGES.items()]


class SafetyPhrase(models.Model):
    """A phrase a manager added: one more wording of an emergency in a category, or a
    wording that is not one here (an idiom, a clinic's name) whatever it contains."""

    kind = models.CharField(max_length=12, choices=PhraseKind.choices, default=PhraseKind.FLAG)
    category = models.CharField(
        max_length=12, choices=SafetyCategory.choices, blank=True, help_text="Empty: not a flag."
    )
    language = models.CharField(max_length=8, choices=LANGUAGE_CHOICES)
    phrase = models.CharField(max_length=120)
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind", "category", "language", "phrase"]
        constraints = [
            models.UniqueConstraint(
                "kind", "language", Lower("phrase"), name="safety_phrase_unique"
            ),
            models.CheckConstraint(
                condition=Q(kind=PhraseKind.FLAG, category__in=SafetyCategory.values)
                | Q(kind=PhraseKind.NOT_A_FLAG, category=""),
                name="safety_phrase_flag_has_category",
            ),
        ]

    def __str__(self) -> str:
        return self.phrase

    @property
    def key(self) -> str:
        return f"hospital:{self.pk}"


class BuiltInPhraseOff(models.Model):
    """A built-in phrase a manager switched off for this hospital, with the reason.

    Built-in phrases live in code (apps.safety.languages); `key` names one of them.
    Switching one back on deletes the row; the log keeps both changes.
    """

    key = models.CharField(max_length=200, unique=True)
    reason = models.TextField()
    switched_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    switched_off_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.key


class PhraseChange(models.TextChoices):
    ADDED = "added", "Added"
    SWITCHED_OFF = "switched_off", "Switched off"
    SWITCHED_ON = "switched_on", "Switched on"


class SafetyPhraseLog(models.Model):
    """Every change to what screening looks for: who, what, when and why."""

    change = models.CharField(max_length=12, choices=PhraseChange.choices)
    phrase_key = models.CharField(max_length=200)
    phrase = models.CharField(max_length=120)
    built_in = models.BooleanField(default=False)
    reason = models.TextField(blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_change_display()}: {self.phrase}"


class LeadSafetyFlag(models.Model):
    """An inquiry on a lead that screening flagged as a possible emergency.

    One row per flagged inquiry (the first, or a repeat touch); the lead shows its
    latest. The words are what the person wrote, kept for the banner and the alert's
    reader, never sent outside the product.
    """

    lead = models.ForeignKey("leads.Lead", on_delete=models.CASCADE, related_name="safety_flags")
    inquiry = models.ForeignKey(
        "leads.Activity", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    category = models.CharField(max_length=12, choices=SafetyCategory.choices)
    matched_words = ArrayField(models.CharField(max_length=200))
    flagged_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-flagged_at", "-id"]
        indexes = [
            models.Index(fields=["lead", "-flagged_at"], name="safety_flag_lead_idx"),
            # The queue's banner reads the last day's flags first, then their leads.
            models.Index(fields=["-flagged_at"], name="safety_flag_recent_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(category__in=SafetyCategory.values), name="safety_flag_category_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} on lead #{self.lead_id}"
