"""Service lines (orthopedics, cardiology, ...) and what qualifies a lead for each."""

from django.db import models
from django.db.models import Q


class ServiceLine(models.Model):
    """A clinical service line that leads are captured, routed and reported by.

    The default first-response targets are in minutes; urgent is wall-clock time,
    soon and routine are business minutes of the lead's location.
    """

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    description = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)
    urgent_response_minutes = models.PositiveIntegerField(default=15)
    soon_response_minutes = models.PositiveIntegerField(default=60)
    routine_response_minutes = models.PositiveIntegerField(default=240)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(urgent_response_minutes__gt=0)
                & Q(soon_response_minutes__gt=0)
                & Q(routine_response_minutes__gt=0),
                name="service_line_targets_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class QualificationQuestion(models.Model):
    """A question whose answer makes a lead qualified for its service line."""

    class AnswerKind(models.TextChoices):
        YES_NO = "yes_no", "Yes / no"
        TEXT = "text", "Free text"
        NUMBER = "number", "Number"

    service_line = models.ForeignKey(
        ServiceLine, on_delete=models.CASCADE, related_name="qualification_questions"
    )
    position = models.PositiveSmallIntegerField(default=0)
    text = models.CharField(max_length=300)
    answer_kind = models.CharField(
        max_length=10, choices=AnswerKind.choices, default=AnswerKind.YES_NO
    )
    is_required = models.BooleanField(default=True)

    class Meta:
        ordering = ["service_line", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["service_line", "position"], name="qualification_question_position_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.text
