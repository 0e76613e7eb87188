"""Intake teams: the queues leads are routed to."""

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import Q


@pghistory.track()
class Team(models.Model):
    """An intake queue: its members work the leads routed to it.

    The service lines and locations it covers describe the team to managers and let
    routing rules and reports group by team; routing itself is decided by rules.
    """

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    team_lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="teams_led",
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="TeamMembership", related_name="teams"
    )
    service_lines = models.ManyToManyField("servicelines.ServiceLine", blank=True)
    locations = models.ManyToManyField("facilities.Location", blank=True)
    is_fallback = models.BooleanField(
        default=False, help_text="Takes leads when no rule matches or nobody is available."
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            # Exactly one place for unroutable leads to land.
            models.UniqueConstraint(
                fields=["is_fallback"], condition=Q(is_fallback=True), name="team_one_fallback"
            ),
        ]

    def __str__(self) -> str:
        return self.name


@pghistory.track()
class TeamMembership(models.Model):
    """A staff member's place in a team."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="team_memberships"
    )
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team", "user"], name="team_membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.team}"
