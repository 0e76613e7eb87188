"""Credentials of capture channels and the replay memory of their requests."""

import hashlib

from django.conf import settings
from django.db import models

# The capture channel staff entries are recorded under (apps.intake.staff). Its key is
# never shown to anyone (only a hash of a random value is stored), so nothing outside
# can post with it; the intake keys page leaves it out.
STAFF_CHANNEL_NAME = "Staff: phone calls and walk-ins"


def intake_key_hash(raw_key: str) -> str:
    """The SHA-256 hex digest under which a key is stored and looked up."""
    return hashlib.sha256(raw_key.encode()).hexdigest()


class IntakeKey(models.Model):
    """An API key for one capture channel (a web form, a chat or call-tracking vendor).

    Only a SHA-256 hash of the key is stored; the key is shown once when made. Keys are
    long random tokens, so a fast hash is enough: there is nothing to brute-force.
    """

    name = models.CharField(max_length=120, unique=True)
    prefix = models.CharField(max_length=8, help_text="First characters, to tell keys apart.")
    key_hash = models.CharField(max_length=64, unique=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Written at most once a minute per key (intake_key_mark_used), not per inquiry.
    last_used_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    # DRF's IsAuthenticated asks the authenticated "user" this.
    is_authenticated = True


class IdempotencyRecord(models.Model):
    """The first response to an Idempotency-Key, replayed for repeats of that key.

    Written in the intake transaction, so a replay finds it exactly when the lead exists.
    """

    intake_key = models.ForeignKey(IntakeKey, on_delete=models.CASCADE)
    key = models.CharField(max_length=255)
    request_fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response_body = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["intake_key", "key"], name="idempotency_key_unique"),
        ]
        indexes = [models.Index(fields=["created_at"], name="idempotency_created_idx")]

    def __str__(self) -> str:
        return f"{self.intake_key_id}:{self.key}"
