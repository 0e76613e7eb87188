"""The vocabularies of routing."""

from django.db import models


class Strategy(models.TextChoices):
    """How a rule picks the owner among the available members of its team."""

    ROUND_ROBIN = "round_robin", "Round robin"
    LEAST_LOAD = "least_load", "Least open load"
    FIXED_OWNER = "fixed_owner", "Fixed owner"


class WaitReason(models.TextChoices):
    """Why a lead sits in a team's queue without an owner while the sweep retries it."""

    SKILL = "skill", "Waiting for a member with the right skills"
    NOBODY_AVAILABLE = "nobody_available", "Nobody available"


class RoutingTrigger(models.TextChoices):
    """What made routing run, written on the timeline entry."""

    INTAKE = "intake", "New lead"
    SWEEP = "sweep", "Sweep of unrouted leads"
    RETRY = "retry", "Retry of a waiting lead"
    REROUTE = "reroute", "Re-routed by a manager"
