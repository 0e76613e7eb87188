"""The answer to "where does this lead go, and why": the rules looked at, who each
team's strategy picked and who it passed over, in plain words for the timeline and as
data for its details."""

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from apps.accounts.models import User
from apps.routing.choices import Strategy, WaitReason
from apps.routing.decision.facts import LeadFacts
from apps.routing.models import RoutingRule
from apps.teams.models import Team


@dataclass
class RuleCheck:
    """One rule looked at on the way to the first match, and what it said."""

    rule_id: int
    name: str
    number: int  # its place in the order, as the rules page shows it
    outcome: str  # "matched", "disabled", or why it did not match


@dataclass
class MemberVerdict:
    """One member as routing saw them for this lead."""

    user: User
    load: int
    capacity: int
    unavailable: str = ""  # why they can take no lead now: off shift, on leave, ...
    skill_gap: str = ""  # the first skill they lack for this lead
    passed_over_because: str = ""

    @property
    def name(self) -> str:
        return self.user.display_name


@dataclass
class TeamPick:
    """Who a team's strategy picked, or why nobody."""

    team: Team
    strategy: str
    verdicts: list[MemberVerdict] = field(default_factory=list)
    owner: User | None = None
    waiting_for_skill: bool = False
    skill_wanted: str = ""
    relaxed: bool = False

    @property
    def nobody_available(self) -> bool:
        return self.owner is None and not self.waiting_for_skill

    @property
    def passed_over(self) -> list[MemberVerdict]:
        return [v for v in self.verdicts if v.passed_over_because]


@dataclass
class RoutingDecision:
    """The whole answer to "where does this lead go, and why"."""

    facts: LeadFacts
    now: dt.datetime
    rules_checked: list[RuleCheck] = field(default_factory=list)
    rule: RoutingRule | None = None
    primary: TeamPick | None = None
    fallback: TeamPick | None = None
    fallback_missing: bool = False
    relax_at: dt.datetime | None = None

    @property
    def final_pick(self) -> TeamPick | None:
        return self.fallback or self.primary

    @property
    def team(self) -> Team | None:
        pick = self.final_pick
        return pick.team if pick else None

    @property
    def owner(self) -> User | None:
        pick = self.final_pick
        return pick.owner if pick else None

    @property
    def strategy(self) -> str:
        pick = self.final_pick
        return pick.strategy if pick else ""

    @property
    def wait_reason(self) -> str:
        """Empty when an owner was chosen or there is nowhere to wait."""
        pick = self.final_pick
        if pick is None or pick.owner is not None:
            return ""
        return WaitReason.SKILL if pick.waiting_for_skill else WaitReason.NOBODY_AVAILABLE

    def explanation(self) -> str:
        """The decision in plain words, as written on the lead's timeline."""
        parts: list[str] = []
        if self.rule is not None:
            parts.append(f"Rule {self.rule.number} “{self.rule.name}” matched.")
        elif self.rules_checked:
            parts.append("No routing rule matched.")
        else:
            parts.append("There are no routing rules.")
        if self.primary is not None:
            parts.append(self._describe(self.primary))
        if self.fallback is not None:
            parts.append(f"The lead goes to the fallback team {self.fallback.team.name}.")
            parts.append(self._describe(self.fallback))
        if self.fallback_missing:
            if self.primary is not None:
                parts.append(
                    f"No fallback team is set up, so the lead waits in "
                    f"{self.primary.team.name}'s queue."
                )
            else:
                parts.append("No fallback team is set up: the lead cannot be routed until one is.")
        return " ".join(part for part in parts if part)

    def _describe(self, pick: TeamPick) -> str:
        strategy = Strategy(pick.strategy).label.lower()
        sentences = [f"Strategy: {strategy} in {pick.team.name}."]
        if pick.relaxed and self.rule is not None:
            sentences.append(
                f"No {pick.skill_wanted} came free within {self.rule.relax_after_minutes} "
                "minutes, so anyone available could take it."
            )
        if pick.owner is not None:
            sentences.append(f"Chosen: {pick.owner.display_name}.")
        elif pick.waiting_for_skill:
            if self.relax_at is not None:
                until = timezone.localtime(self.relax_at)
                sentences.append(
                    f"No {pick.skill_wanted} is available, so the lead waits in "
                    f"{pick.team.name}'s queue until {until:%H:%M}, then goes to anyone "
                    "available."
                )
            else:
                sentences.append(
                    f"No {pick.skill_wanted} is available, so the lead waits in "
                    f"{pick.team.name}'s queue until one is."
                )
        elif not pick.verdicts:
            sentences.append(f"{pick.team.name} has no members.")
        else:
            sentences.append(f"Nobody in {pick.team.name} is available.")
        if pick.passed_over:
            passed = "; ".join(f"{v.name} ({v.passed_over_because})" for v in pick.passed_over)
            sentences.append(f"Passed over: {passed}.")
        return " ".join(sentences)

    def details(self) -> dict:
        """The same decision as data, for the timeline entry's details (ids, staff names)."""
        pick = self.final_pick
        relax_at = self.relax_at if pick and pick.waiting_for_skill else None
        return {
            "rule_id": self.rule.pk if self.rule else None,
            "rule_name": self.rule.name if self.rule else "",
            "strategy": self.strategy,
            "team_id": self.team.pk if self.team else None,
            "chosen": (
                {"id": self.owner.pk, "name": self.owner.display_name} if self.owner else None
            ),
            "passed_over": [
                {
                    "id": v.user.pk,
                    "name": v.name,
                    "team_id": p.team.pk,
                    "reason": v.passed_over_because,
                }
                for p in (self.primary, self.fallback)
                if p is not None
                for v in p.passed_over
            ],
            "fallback": self.fallback is not None,
            "waiting": self.wait_reason,
            "relax_at": relax_at.isoformat() if relax_at else None,
        }
