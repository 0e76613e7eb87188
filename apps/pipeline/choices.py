"""Slugs of the default stages that business rules refer to by name."""

from django.db import models


class DefaultStage(models.TextChoices):
    NEW = "new", "New"
    ATTEMPTING_CONTACT = "attempting-contact", "Attempting contact"
    CONTACTED = "contacted", "Contacted"
    QUALIFIED = "qualified", "Qualified"
    SCHEDULED = "scheduled", "Scheduled"
    COMPLETED = "completed", "Completed"
    NOT_READY = "not-ready", "Not ready"
    DISQUALIFIED = "disqualified", "Disqualified"
    REFERRED_ELSEWHERE = "referred-elsewhere", "Referred elsewhere"


# (slug, name, kind) in pipeline order; installed by a data migration.
DEFAULT_STAGES = [
    (DefaultStage.NEW, "New", "open"),
    (DefaultStage.ATTEMPTING_CONTACT, "Attempting contact", "open"),
    (DefaultStage.CONTACTED, "Contacted", "open"),
    (DefaultStage.QUALIFIED, "Qualified", "open"),
    (DefaultStage.SCHEDULED, "Scheduled", "open"),
    (DefaultStage.COMPLETED, "Completed", "won"),
    (DefaultStage.NOT_READY, "Not ready", "nurture"),
    (DefaultStage.DISQUALIFIED, "Disqualified", "lost"),
    (DefaultStage.REFERRED_ELSEWHERE, "Referred elsewhere", "lost"),
]
