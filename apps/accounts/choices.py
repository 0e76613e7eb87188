from django.db import models


class Role(models.TextChoices):
    """The staff roles; each is a Django group of the same name."""

    INTAKE_COORDINATOR = "intake coordinator", "Intake coordinator"
    LIAISON = "liaison", "Physician liaison"
    MANAGER = "manager", "Manager"
    ADMIN = "admin", "Admin"
    # Answers "who looked at this patient?": reads the access log and reviews emergency
    # access; sees no patient record by default (minimum necessary).
    PRIVACY_OFFICER = "privacy officer", "Privacy officer"


class AlertEmails(models.TextChoices):
    """Which of their alerts a person also gets by email (every alert is in the app)."""

    ALL = "all", "Every alert"
    URGENT = "urgent", "Only urgent ones (possible emergencies, breached response times)"
    NONE = "none", "None: I read them in LeadCRM"
