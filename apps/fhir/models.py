"""FHIR R4 referral exchange: the sending systems, their tokens, the code-to-service-line
mapping managers edit, and the FHIR ids given to each referral."""

import uuid

from django.db import models
from django.utils import timezone


class FhirClient(models.Model):
    """One sending system (a practice's EHR). It authenticates with OAuth 2.0 client
    credentials; its referrals go through intake under its own intake key, so intake's
    idempotency and "captured via" stay per system. Only a hash of the secret is kept."""

    name = models.CharField(max_length=120, unique=True)
    client_id = models.CharField(max_length=40, unique=True)
    secret_hash = models.CharField(max_length=64)
    intake_key = models.OneToOneField(
        "intake.IntakeKey", on_delete=models.PROTECT, related_name="fhir_client"
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class FhirAccessToken(models.Model):
    """A bearer token issued to a client; a hash only, good until `expires_at`."""

    client = models.ForeignKey(FhirClient, on_delete=models.CASCADE, related_name="tokens")
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["expires_at"], name="fhir_token_expiry_idx")]

    def __str__(self) -> str:
        return f"token of {self.client_id} until {self.expires_at:%Y-%m-%d %H:%M}"


class ServiceLineCode(models.Model):
    """ServiceRequest.code or .category coding -> service line (managers edit these)."""

    system = models.CharField(max_length=200)
    code = models.CharField(max_length=100)
    display = models.CharField(max_length=200, blank=True)
    service_line = models.ForeignKey(
        "servicelines.ServiceLine", on_delete=models.CASCADE, related_name="fhir_codes"
    )

    class Meta:
        ordering = ["system", "code"]
        constraints = [
            models.UniqueConstraint(fields=["system", "code"], name="fhir_code_once"),
        ]

    def __str__(self) -> str:
        return f"{self.system}|{self.code}"


class FhirReferral(models.Model):
    """The FHIR ids LeadCRM answers with for one lead: its ServiceRequest, Task and
    Patient. Made when a referral comes in over FHIR (or matches a lead that has none)."""

    lead = models.OneToOneField("leads.Lead", on_delete=models.CASCADE, related_name="fhir")
    intake_key = models.ForeignKey(
        "intake.IntakeKey", on_delete=models.PROTECT, related_name="fhir_referrals"
    )
    service_request_id = models.UUIDField(default=uuid.uuid4, unique=True)
    task_id = models.UUIDField(default=uuid.uuid4, unique=True)
    patient_id = models.UUIDField(default=uuid.uuid4)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"ServiceRequest/{self.service_request_id} (lead #{self.lead_id})"
