"""What stops a lead's response clock: the hospital's first response.

From the hospital's point of view a person has been answered when someone here has
spoken with them, or has actually sent them a message:
- a call in which staff reached the person (we called them, or they called and a
  coordinator took it);
- an email or text a member of staff sent them (not one that bounced).
A call with no answer, a busy line, a wrong number or a voicemail is an attempt, not a
response: the clock keeps running and the escalation chain carries on. Automatic
messages (acknowledgements, nurture) and system entries never count.

This is the one definition: activity_log stops the clock with it, a merge and its undo
recompute the clock with it, the missed-call escalation asks it whether the call was
returned, the demo data follows it and the SLA settings page states it.
"""

from django.db.models import Q

from apps.leads.choices import ActivityKind, Direction, Outcome

# {kind: {direction: outcomes that make it a first response}}. A message logged by
# staff without an outcome was sent (a failed one is recorded as bounced).
_MESSAGE_SENT = ("", Outcome.SENT, Outcome.DELIVERED, Outcome.REPLIED)
FIRST_RESPONSES: dict[str, dict[str, tuple[str, ...]]] = {
    ActivityKind.CALL: {
        Direction.OUTBOUND: (Outcome.REACHED,),
        Direction.INBOUND: (Outcome.REACHED,),
    },
    ActivityKind.EMAIL: {Direction.OUTBOUND: _MESSAGE_SENT},
    ActivityKind.SMS: {Direction.OUTBOUND: _MESSAGE_SENT},
}

FIRST_RESPONSE_IN_WORDS = (
    "The response clock stops at the first call in which a member of staff reached the "
    "person (either of you calling), or the first email or text staff sent them. A call "
    "with no answer, a busy line, a wrong number or a voicemail does not stop it, nor "
    "does an automatic message."
)


def is_first_response(
    *, kind: str, direction: str, outcome: str, by_staff: bool, is_automated: bool
) -> bool:
    """True when an activity with these facts is a first response (see the module)."""
    if not by_staff or is_automated:
        return False
    return outcome in FIRST_RESPONSES.get(kind, {}).get(direction, ())


def first_response_filter(prefix: str = "") -> Q:
    """The activities that are first responses, as a filter on Activity (or on a
    relation to it: `prefix="activities__"`)."""
    matches = Q()
    for kind, by_direction in FIRST_RESPONSES.items():
        for direction, outcomes in by_direction.items():
            matches |= Q(
                **{
                    f"{prefix}kind": kind,
                    f"{prefix}direction": direction,
                    f"{prefix}outcome__in": outcomes,
                }
            )
    return matches & Q(**{f"{prefix}author__isnull": False, f"{prefix}is_automated": False})
