"""Two nurture tracks for the demo, so the builder opens on real examples: a care
track for orthopedic patients who are not ready yet (switched on: only leads arriving
at Not ready from now on enter it), and a bariatric seminar invitation for people who
agreed to marketing (switched off, enrolled by hand)."""

from apps.accounts.models import User
from apps.demo.seeding.reference import Hospital
from apps.nurture.choices import EntryTrigger, StepAction, WaitUnit
from apps.nurture.models import NurtureStep, NurtureTrack
from apps.nurture.services import nurture_track_save
from apps.people.models import ConsentPurpose

DEMO_SCHEDULING_LINK = "https://riversidehealth.example/book"
TRACKS = [
    {
        "name": "Orthopedics: not ready yet",
        "description": "Gentle check-ins for orthopedic patients who want to wait.",
        "purpose": ConsentPurpose.CARE_COORDINATION,
        "service_line": "orthopedics",
        "lead_type": "patient",
        "entry_trigger": EntryTrigger.STAGE,
        "entry_stage": "not-ready",
        "is_active": True,
        "steps": [
            (
                StepAction.EMAIL,
                1,
                WaitUnit.BUSINESS_DAYS,
                "Your questions, answered at {{ location }}",
                "Hi {{ first_name }},\n\nThank you for talking with us about {{ service_line }}. "
                "Whenever you are ready, pick a time that suits you: {{ scheduling_link }}\n\n"
                "{{ coordinator_name }}, {{ coordinator_phone }}",
            ),
            (
                StepAction.SMS,
                5,
                WaitUnit.BUSINESS_DAYS,
                "",
                "Hi {{ first_name }}, it's {{ coordinator_name }} at {{ location }}. Any questions "
                "about {{ service_line }}? Call {{ coordinator_phone }}, or book: "
                "{{ scheduling_link }}",
            ),
            (
                StepAction.CALL_TASK,
                10,
                WaitUnit.BUSINESS_DAYS,
                "",
                "Call {{ first_name }}: still not ready? Offer a consult, "
                "then update the re-contact date.",
            ),
        ],
    },
    {
        "name": "Bariatrics: seminar invitation",
        "description": "Invites people who agreed to hear about events to the monthly seminar.",
        "purpose": ConsentPurpose.MARKETING,
        "service_line": "bariatrics",
        "lead_type": "",
        "entry_trigger": EntryTrigger.MANUAL,
        "entry_stage": None,
        "is_active": False,
        "steps": [
            (
                StepAction.EMAIL,
                0,
                WaitUnit.BUSINESS_DAYS,
                "A free weight-loss surgery seminar at {{ location }}",
                "Hi {{ first_name }},\n\nOur surgeons hold a free seminar every month. "
                "Save a seat: "
                "{{ scheduling_link }}",
            ),
            (
                StepAction.SMS,
                3,
                WaitUnit.BUSINESS_DAYS,
                "",
                "Hi {{ first_name }}, a reminder of the free seminar at {{ location }}: "
                "{{ scheduling_link }}",
            ),
        ],
    },
]


def nurture_tracks_install(*, hospital: Hospital) -> int:
    """Create the demo tracks that are missing (a track managers already edited stays as
    they left it). Returns how many were created."""
    actor = User.objects.get(pk=hospital.user_ids["manager"])
    created = 0
    for spec in TRACKS:
        if NurtureTrack.objects.filter(name=spec["name"]).exists():
            continue
        track = NurtureTrack(
            name=spec["name"],
            description=spec["description"],
            purpose=spec["purpose"],
            service_line_id=hospital.service_line_ids[spec["service_line"]],
            lead_type=spec["lead_type"],
            entry_trigger=spec["entry_trigger"],
            entry_stage_id=hospital.stage_ids[spec["entry_stage"]] if spec["entry_stage"] else None,
            scheduling_link=DEMO_SCHEDULING_LINK,
            is_active=spec["is_active"],
        )
        steps = [
            NurtureStep(action=action, wait_amount=wait, wait_unit=unit, subject=subject, body=body)
            for action, wait, unit, subject, body in spec["steps"]
        ]
        nurture_track_save(track=track, steps=steps, actor=actor)
        created += 1
    return created
