"""People who inquire (patients and caregivers) and their communication consent."""

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone
from phonenumber_field.modelfields import PhoneNumberField


@pghistory.track()
class Person(models.Model):
    """A patient, or a caregiver who inquires for one (then `patient` points at them).

    Phones are stored in E.164, so a repeat inquiry matches whatever format it was
    typed in; emails match case-insensitively through the lower(email) index.
    """

    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100, blank=True)
    phone = PhoneNumberField(blank=True)
    email = models.EmailField(max_length=254, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    preferred_language = models.CharField(max_length=8, default="en")
    postal_code = models.CharField(max_length=10, blank=True)
    patient = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="caregivers",
        help_text="For a caregiver: the patient they inquire for.",
        db_index=False,  # indexed where set (Meta.indexes)
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "people"
        ordering = ["last_name", "first_name"]
        indexes = [
            models.Index(fields=["phone"], name="person_phone_idx"),
            # Only caregivers point at a patient.
            models.Index(
                fields=["patient"], condition=Q(patient__isnull=False), name="person_patient_idx"
            ),
            models.Index(Lower("email"), name="person_email_lower_idx"),
            # Name searches of people (global search, the people list) seek the names
            # and, with the names and id included, find who matches from the index
            # alone. The duplicate check (same last name, first initial and birth date)
            # reads the birth date from it too. The queue searches the lead's own copy
            # of the names instead (apps.leads.models).
            models.Index(
                Lower("last_name"),
                Lower("first_name"),
                F("date_of_birth"),
                include=["id", "last_name", "first_name"],
                name="person_name_dob_lower_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(patient=models.F("id")), name="person_not_own_caregiver"
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class ConsentChannel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "SMS"
    PHONE = "phone", "Phone"


class ConsentPurpose(models.TextChoices):
    CARE_COORDINATION = "care_coordination", "Care coordination about their own inquiry"
    MARKETING = "marketing", "Marketing (events, service offers, newsletters)"


class ConsentStatus(models.TextChoices):
    GRANTED = "granted", "Granted"
    WITHDRAWN = "withdrawn", "Withdrawn"


class ConsentMethod(models.TextChoices):
    WEB_FORM = "web_form", "Web form"
    PHONE_CALL = "phone_call", "Told us on a call"
    IN_PERSON = "in_person", "In person"
    WRITTEN = "written", "Written form"
    SMS_REPLY = "sms_reply", "SMS reply"
    UNSUBSCRIBE_LINK = "unsubscribe_link", "Unsubscribe link"
    STAFF = "staff", "Recorded by staff"


# A lead's history reads its people's consent events by person.
@pghistory.track(
    meta={"indexes": [models.Index(fields=["person"], name="consent_event_person_idx")]}
)
class Consent(models.Model):
    """One consent event. The history is kept; the newest event per person, channel and
    purpose is the one in force (see selectors.consent_in_force)."""

    # consent_in_force_idx starts with person_id: a second index on it would only cost.
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="consents", db_index=False
    )
    channel = models.CharField(max_length=10, choices=ConsentChannel.choices)
    purpose = models.CharField(max_length=20, choices=ConsentPurpose.choices)
    status = models.CharField(max_length=10, choices=ConsentStatus.choices)
    recorded_at = models.DateTimeField(default=timezone.now)
    method = models.CharField(max_length=20, choices=ConsentMethod.choices)
    wording = models.TextField(blank=True, help_text="The exact wording shown to the person.")
    source = models.CharField(
        max_length=120, blank=True, help_text="Where it came from: intake key, form, staff."
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        db_index=False,  # indexed where set (Meta.indexes)
    )

    class Meta:
        ordering = ["-recorded_at", "-id"]
        indexes = [
            models.Index(
                fields=["person", "channel", "purpose", "-recorded_at"],
                name="consent_in_force_idx",
            ),
            # Set only when staff record a consent by hand; forms leave it empty.
            models.Index(
                fields=["recorded_by"],
                condition=Q(recorded_by__isnull=False),
                name="consent_recorded_by_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(channel__in=ConsentChannel.values), name="consent_channel_valid"
            ),
            models.CheckConstraint(
                condition=Q(purpose__in=ConsentPurpose.values), name="consent_purpose_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ConsentStatus.values), name="consent_status_valid"
            ),
            # A grant without the words the person agreed to proves nothing.
            models.CheckConstraint(
                condition=Q(status="withdrawn") | ~Q(wording=""),
                name="consent_grant_has_wording",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} / {self.get_purpose_display()}: {self.status}"
