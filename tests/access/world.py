"""The small hospital the access matrix runs against: one lead in the coordinator's team
referred by the liaison's source (the object every URL with an id points at), a lead of
another team (out of everyone's scope but managers'), and one user per role."""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from apps.accounts.choices import Role
from apps.leads.merging import lead_merge
from apps.leads.models import Activity, Lead, LeadMerge
from apps.people.models import Person
from tests.factories import (
    ActivityFactory,
    LeadFactory,
    PersonFactory,
    ReferralSourceFactory,
    TeamFactory,
    TeamMembershipFactory,
    UserFactory,
)

# The patient's identifiers: no response to a role without patient access contains them.
PATIENT = {
    "first_name": "Quintessa",
    "last_name": "Marlowe",
    "phone": "+13125550177",
    "email": "quintessa.marlowe@example.com",
}
PATIENT_MESSAGE = "Numbness in the left hand since Tuesday."
SECRETS = ("Quintessa", "Marlowe", "5550177", "quintessa.marlowe", "Numbness in the left hand")

# Objects the matrix does not build: an id nothing has, so a role allowed to use the page
# gets its 404 and a role refused at the door gets its 403 or login redirect.
MISSING = 999999


@dataclass
class World:
    users: dict[str, object]
    lead: Lead
    other_lead: Lead
    person: Person
    task: Activity
    merge: LeadMerge
    source: object
    team: object
    twin: Lead  # another lead of the same patient, not merged: the merge screen's pair

    def query(self, name: str) -> dict[str, object]:
        """Query parameters a URL needs to show something."""
        return {"duplicate": self.twin.pk} if name == "queue:lead_merge" else {}

    def kwargs(self, name: str) -> dict[str, object]:
        """Values for a URL's arguments, by argument name."""
        slug = {
            "api-service-line-detail": self.lead.service_line.slug,
            "api-location-detail": self.lead.location.slug,
            "api-stage-detail": self.lead.stage.slug,
        }.get(name, "")
        return {
            "lead_id": self.lead.pk,
            "person_id": self.person.pk,
            "source_id": self.source.pk,
            "team_id": self.team.pk,
            "task_id": self.task.pk,
            "activity_id": self.task.pk,
            "merge_id": self.merge.pk,
            "user_id": self.users["coordinator"].pk,
            "slug": slug,
            "panel": "funnel",
            "table": "steps",
            "token": "not-a-valid-token",
            "rule_id": MISSING,
            "policy_id": MISSING,
            "alert_id": MISSING,
            "visit_id": MISSING,
            "track_id": MISSING,
            "send_id": MISSING,
            "enrollment_id": MISSING,
            "access_id": MISSING,
            "view_id": MISSING,
            "uidb64": "MQ",
        }


def world_build() -> World:
    team = TeamFactory(name="Neuro intake", slug="neuro-intake")
    coordinator = UserFactory(username="m-coordinator", roles=[Role.INTAKE_COORDINATOR])
    TeamMembershipFactory(team=team, user=coordinator)
    deactivated = UserFactory(username="m-deactivated", roles=[Role.INTAKE_COORDINATOR])
    TeamMembershipFactory(team=team, user=deactivated)
    deactivated.is_active = False
    deactivated.save(update_fields=["is_active"])
    liaison = UserFactory(username="m-liaison", roles=[Role.LIAISON])
    users = {
        "coordinator": coordinator,
        "liaison": liaison,
        "manager": UserFactory(username="m-manager", roles=[Role.MANAGER]),
        "admin": UserFactory(username="m-admin", roles=[Role.ADMIN]),
        "privacy": UserFactory(username="m-privacy", roles=[Role.PRIVACY_OFFICER]),
        "anonymous": None,
        "deactivated": deactivated,
    }
    source = ReferralSourceFactory(owning_liaison=liaison)
    person = PersonFactory(**PATIENT)
    created = timezone.now() - dt.timedelta(hours=3)
    lead = LeadFactory(
        person=person,
        team=team,
        referral_source=source,
        message=PATIENT_MESSAGE,
        created_at=created,
    )
    ActivityFactory(lead=lead, kind="inquiry", direction="inbound", body=PATIENT_MESSAGE)
    task = ActivityFactory(
        lead=lead, kind="task", body="Call back", due_at=timezone.now(), assignee=coordinator
    )
    duplicate = LeadFactory(person=person, team=team, created_at=created)
    merge = lead_merge(survivor=lead, duplicate=duplicate, actor=users["manager"])
    twin = LeadFactory(person=person, team=team, created_at=created)
    other_lead = LeadFactory(team=TeamFactory(), referral_source=ReferralSourceFactory())
    return World(
        users=users,
        lead=lead,
        other_lead=other_lead,
        person=person,
        task=task,
        merge=merge,
        source=source,
        team=team,
        twin=twin,
    )
