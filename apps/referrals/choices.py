"""The vocabularies of the liaison's work: referrer health and visits."""

from django.db import models


class HealthStatus(models.TextChoices):
    """How a referral source is doing, as the nightly classification last found it."""

    NEW = "new", "New"
    ACTIVE = "active", "Active"
    DECLINING = "declining", "Declining"
    INACTIVE = "inactive", "Inactive"


class VisitKind(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    LUNCH_AND_LEARN = "lunch_and_learn", "Lunch-and-learn"
    PHONE = "phone", "Phone"
    VIRTUAL = "virtual", "Virtual"


class PersonMet(models.TextChoices):
    """Who the liaison spoke with at the practice."""

    PHYSICIAN = "physician", "Physician"
    OFFICE_MANAGER = "office_manager", "Office manager"
    SCHEDULER = "scheduler", "Scheduler"
    NURSE = "nurse", "Nurse or MA"
    CASE_MANAGER = "case_manager", "Case manager"
    OTHER = "other", "Someone else"


class FeedbackMethod(models.TextChoices):
    """How the visit summary or consult note went back to the referrer."""

    FAX = "fax", "Fax"
    EHR = "ehr", "EHR / Direct message"
    PORTAL = "portal", "Referral portal"
    MAIL = "mail", "Mail"
    EMAIL = "email", "Secure email"
    PHONE = "phone", "Phone call"
