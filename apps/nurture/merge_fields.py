"""The few merge fields a nurture message may use, checked when a step is saved and
filled in when it is sent.

Managers write `{{ first_name }}`; anything else between braces is refused at save time
with a field-level error, so a template can never reach the lead's condition, payer or
any other field. Filling in is plain substitution, not the Django template engine: a
message template is data typed by staff, not code.
"""

import re

# name → what managers see in the help text.
BODY_MERGE_FIELDS = {
    "first_name": "the person's first name",
    "service_line": "the service line",
    "location": "the location",
    "coordinator_name": "the coordinator's name",
    "coordinator_phone": "the coordinator's phone",
    "scheduling_link": "the scheduling link",
}
# A subject line shows on lock screens and in inbox lists: nothing about the person or
# the care they asked about.
SUBJECT_MERGE_FIELDS = {
    name: label
    for name, label in BODY_MERGE_FIELDS.items()
    if name in ("location", "coordinator_name")
}
# Leaves room for the merged values and the opt-out line within three SMS segments
# (459 characters); longer texts arrive split, or not at all, on some phones.
SMS_MAX_CHARACTERS = 380

_FIELD = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")


def merge_fields_check(text: str, *, allowed: dict[str, str], where: str) -> list[str]:
    """Problems with the placeholders in `text`, as messages for the field (empty: fine)."""
    problems = []
    unknown = [name for name in _FIELD.findall(text) if name not in allowed]
    if unknown:
        names = ", ".join(f"{{{{ {name} }}}}" for name in dict.fromkeys(unknown))
        allowed_names = ", ".join(f"{{{{ {name} }}}}" for name in allowed)
        problems.append(
            f"{names} cannot be used in {where}. Use only: {allowed_names}."
            if allowed
            else f"{names} cannot be used in {where}: no merge fields are allowed here."
        )
    leftover = _FIELD.sub("", text)
    if "{" in leftover or "}" in leftover:
        problems.append(
            f"Braces are kept for merge fields written as {{{{ first_name }}}}; "
            f"remove the other braces from {where}."
        )
    return problems


def merge_fields_render(text: str, values: dict[str, str]) -> str:
    """`text` with each allowed field replaced by its value (unknown ones left as typed,
    which a saved step cannot contain)."""
    return _FIELD.sub(lambda match: values.get(match.group(1), match.group(0)), text)


def merge_fields_help(allowed: dict[str, str]) -> str:
    return "; ".join(f"{{{{ {name} }}}}: {label}" for name, label in allowed.items())
