"""The ordered stages a lead moves through, from New to won, lost or nurture."""

from django.db import models


class StageKind(models.TextChoices):
    OPEN = "open", "Open"
    WON = "won", "Won"
    LOST = "lost", "Lost"
    NURTURE = "nurture", "Nurture"


class PipelineStage(models.Model):
    """One stage of the intake pipeline. Leads in won or lost stages are closed."""

    name = models.CharField(max_length=60, unique=True)
    slug = models.SlugField(max_length=40, unique=True)
    position = models.PositiveSmallIntegerField(unique=True)
    kind = models.CharField(max_length=10, choices=StageKind.choices)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=StageKind.values), name="pipeline_stage_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_closed(self) -> bool:
        return self.kind in (StageKind.WON, StageKind.LOST)
