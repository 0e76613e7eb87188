from django.db import models
from django.utils import timezone


class Inquiry(models.Model):
    """About the columns of a lead that an intake fills in: 15 of them."""

    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100, blank=True)
    phone = models.CharField(max_length=20, blank=True)
    email = models.EmailField(blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    service_line = models.CharField(max_length=60)
    location = models.CharField(max_length=60, blank=True)
    channel = models.CharField(max_length=20)
    lead_type = models.CharField(max_length=20)
    urgency = models.CharField(max_length=20, default="routine")
    payer = models.CharField(max_length=100, blank=True)
    message = models.TextField(blank=True)
    utm_source = models.CharField(max_length=100, blank=True)
    landing_page = models.URLField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"Inquiry #{self.pk}"
