"""Saved views of the queue: a name for a set of filters, columns and an order.

A view holds ids and codes only (never a search: names and phones stay out of stored
settings as they stay out of URLs). It narrows the queue of whoever opens it; it never
widens what they may see, since the queue is always read for the viewer
(apps.queue.selectors.queue_page).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

# The queue's filters as URL parameters: what a link to the queue and a saved view carry.
# Ids and codes only; the search (`q`) is never among them.
QUEUE_FILTER_NAMES = (
    "scope",
    "service_line",
    "location",
    "stage",
    "urgency",
    "lead_type",
    "channel",
)


class ViewSharing(models.TextChoices):
    PERSONAL = "personal", "Only me"
    TEAM = "team", "A team"
    EVERYONE = "everyone", "Everyone"


class SavedView(models.Model):
    """A queue view: personal to its owner, or published by a manager to a team or to
    everyone."""

    name = models.CharField(max_length=80)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views"
    )
    sharing = models.CharField(
        max_length=10, choices=ViewSharing.choices, default=ViewSharing.PERSONAL
    )
    team = models.ForeignKey(
        "teams.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="saved_views"
    )
    # QUEUE_FILTER_NAMES, as the queue's form cleaned them.
    filters = models.JSONField(default=dict, blank=True)
    columns = models.JSONField(default=list, blank=True)
    sort = models.CharField(max_length=20, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["owner", "sharing"], name="saved_view_owner_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(sharing__in=ViewSharing.values), name="saved_view_sharing_valid"
            ),
            # A team view names its team; the others name none.
            models.CheckConstraint(
                condition=Q(sharing=ViewSharing.TEAM, team__isnull=False)
                | (~Q(sharing=ViewSharing.TEAM) & Q(team__isnull=True)),
                name="saved_view_team_matches_sharing",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_shared(self) -> bool:
        return self.sharing != ViewSharing.PERSONAL
