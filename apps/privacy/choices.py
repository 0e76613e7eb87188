from django.db import models


class EmergencyReason(models.TextChoices):
    """Why someone opened a lead outside their teams (break-the-glass)."""

    WRONG_LINE = "wrong_line", "The patient called the wrong line"
    COVERING = "covering", "Covering for a colleague or team"
    CLINICAL_URGENCY = "clinical_urgency", "Urgent clinical need"
    OTHER = "other", "Other (explain below)"
