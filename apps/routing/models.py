"""Routing rules, the skills members bring, and the state routing keeps between runs.

Routing never adds fields to Lead: the lead carries its owner, team and routed_at, and
everything routing needs to remember lives here.
"""

import pghistory
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from apps.core.languages import language_name
from apps.leads.choices import Channel, LeadType, Urgency
from apps.referral_sources.models import ReferralSourceKind
from apps.routing.choices import Strategy, WaitReason

# An urgent lead counts this much against a member's capacity when no rule says otherwise
# (leads that no rule matched, routed to the fallback team).
DEFAULT_URGENT_WEIGHT = 2


@pghistory.track()
class RoutingRule(models.Model):
    """Which team a lead goes to, and how the owner is picked inside it.

    Rules are tried in `position` order and the first enabled rule whose conditions all
    hold wins. An empty condition matches anything.
    """

    name = models.CharField(max_length=120)
    position = models.PositiveIntegerField(default=0, db_index=True)
    is_enabled = models.BooleanField(default=True)

    # Conditions: each one empty means "any".
    service_lines = models.ManyToManyField(
        "servicelines.ServiceLine", blank=True, related_name="routing_rules"
    )
    locations = models.ManyToManyField(
        "facilities.Location", blank=True, related_name="routing_rules"
    )
    lead_types = ArrayField(
        models.CharField(max_length=20, choices=LeadType.choices), default=list, blank=True
    )
    channels = ArrayField(
        models.CharField(max_length=20, choices=Channel.choices), default=list, blank=True
    )
    urgencies = ArrayField(
        models.CharField(max_length=10, choices=Urgency.choices), default=list, blank=True
    )
    languages = ArrayField(
        models.CharField(max_length=8),
        default=list,
        blank=True,
        help_text="Preferred languages of the person, as codes such as es, vi.",
    )
    referral_source_kinds = ArrayField(
        models.CharField(max_length=20, choices=ReferralSourceKind.choices),
        default=list,
        blank=True,
    )

    # Outcome.
    target_team = models.ForeignKey(
        "teams.Team", on_delete=models.PROTECT, related_name="routing_rules"
    )
    strategy = models.CharField(
        max_length=20, choices=Strategy.choices, default=Strategy.ROUND_ROBIN
    )
    fixed_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="routing_rules_owned",
    )
    urgent_weight = models.PositiveSmallIntegerField(
        default=DEFAULT_URGENT_WEIGHT,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text="How many routine leads one urgent lead counts as against capacity.",
    )

    # Skills narrow the choice, then relax so that nobody waits for ever.
    match_language = models.BooleanField(
        default=False, help_text="Only members who speak the person's preferred language."
    )
    match_service_line = models.BooleanField(
        default=False, help_text="Only members who cover the lead's service line."
    )
    match_location = models.BooleanField(
        default=False, help_text="Only members who cover the lead's location."
    )
    relax_after_minutes = models.PositiveIntegerField(
        null=True,
        blank=True,
        default=10,
        help_text="After this wait, anyone available may take the lead. Empty: never relax.",
    )

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(strategy__in=Strategy.values), name="routing_rule_strategy_valid"
            ),
            models.CheckConstraint(
                condition=~Q(strategy=Strategy.FIXED_OWNER) | Q(fixed_owner__isnull=False),
                name="routing_rule_fixed_owner_set",
            ),
            models.CheckConstraint(
                condition=Q(urgent_weight__gte=1), name="routing_rule_urgent_weight_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def narrows_by_skill(self) -> bool:
        return self.match_language or self.match_service_line or self.match_location

    def conditions(self) -> list[tuple[str, str]]:
        """(condition, wanted values) pairs for display; service lines and locations
        should be prefetched. Empty when the rule matches every lead."""

        def labels(choices, values) -> str:
            return ", ".join(str(dict(choices.choices).get(v, v)) for v in values)

        pairs = [
            ("Service line", ", ".join(s.name for s in self.service_lines.all())),
            ("Location", ", ".join(loc.name for loc in self.locations.all())),
            ("Lead type", labels(LeadType, self.lead_types)),
            ("Channel", labels(Channel, self.channels)),
            ("Urgency", labels(Urgency, self.urgencies)),
            ("Language", ", ".join(language_name(c) for c in self.languages)),
            ("Referral source", labels(ReferralSourceKind, self.referral_source_kinds)),
        ]
        return [(name, wanted) for name, wanted in pairs if wanted]

    # The rule's number as every screen shows it (rules page, dry run, timeline): its
    # place in the order, counting from 1, whatever the stored positions (10, 20, ...).
    # Set by whoever reads the rules in order (routing_rule_list, the routing cache).
    number: int = 0

    def skills(self) -> list[str]:
        wanted = [
            label
            for flag, label in (
                (self.match_language, "language"),
                (self.match_service_line, "service line"),
                (self.match_location, "location"),
            )
            if flag
        ]
        return wanted


@pghistory.track()
class MemberSkills(models.Model):
    """The service lines and locations a staff member covers (languages are on the user).

    Empty lists mean the member covers every service line or location: a generalist
    is never shut out by a rule that narrows by skill.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="routing_skills"
    )
    service_lines = models.ManyToManyField("servicelines.ServiceLine", blank=True, related_name="+")
    locations = models.ManyToManyField("facilities.Location", blank=True, related_name="+")

    class Meta:
        verbose_name = "member skills"
        verbose_name_plural = "member skills"

    def __str__(self) -> str:
        return f"Skills of {self.user}"


class TeamRoutingCursor(models.Model):
    """Where round robin stands in one team.

    Its row lock serializes the routing decisions of a team: two leads routed at once
    can neither pick the same next member nor both fill a member's last free slot.
    One cursor per team (not per rule) keeps the rotation fair whichever rule sent a lead.
    """

    team = models.OneToOneField(
        "teams.Team", primary_key=True, on_delete=models.CASCADE, related_name="routing_cursor"
    )
    last_assigned = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_assigned_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Routing cursor of team #{self.team_id}"


class RoutingWait(models.Model):
    """A lead in a team's queue (team set, no owner) that the sweep keeps trying to
    give an owner: waiting for a skilled member, or for anyone to come free."""

    lead = models.OneToOneField(
        "leads.Lead", primary_key=True, on_delete=models.CASCADE, related_name="routing_wait"
    )
    reason = models.CharField(max_length=20, choices=WaitReason.choices)
    rule = models.ForeignKey(
        RoutingRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    team = models.ForeignKey("teams.Team", on_delete=models.CASCADE, related_name="+")
    waiting_since = models.DateTimeField()
    relax_at = models.DateTimeField(null=True, blank=True)
    last_tried_at = models.DateTimeField()
    attempts = models.PositiveIntegerField(default=1)

    class Meta:
        indexes = [models.Index(fields=["last_tried_at"], name="routing_wait_tried_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(reason__in=WaitReason.values), name="routing_wait_reason_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"Lead #{self.lead_id} waiting in team #{self.team_id}"
