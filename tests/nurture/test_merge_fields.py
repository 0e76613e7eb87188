"""Only the safe merge fields, refused field by field when a step is saved."""

import pytest
from django.core.exceptions import ValidationError

from apps.nurture.choices import StepAction
from apps.nurture.merge_fields import merge_fields_render
from tests.nurture.conftest import step


@pytest.mark.parametrize(
    "body",
    [
        "Hi {{ first_name }}, about {{ condition_interest }}",
        "Your plan {{ payer }} is accepted",
        "{{ lead.person.last_name }}",
        "{{first_name|upper}}",
        "{% if payer %}covered{% endif %}",
        "Hi {first_name}",
        "Hi {{ first_name }",
    ],
    ids=[
        "condition",
        "payer",
        "attribute-path",
        "filter",
        "template-tag",
        "single-braces",
        "unclosed",
    ],
)
def test_body_with_any_other_placeholder_is_refused_on_the_body_field(body):
    with pytest.raises(ValidationError) as error:
        step(body=body).clean()

    assert list(error.value.message_dict) == ["body"]


@pytest.mark.parametrize(
    "subject",
    ["Hi {{ first_name }}", "Your {{ service_line }} inquiry", "Book at {{ scheduling_link }}"],
)
def test_subject_line_may_not_name_the_person_or_the_care(subject):
    with pytest.raises(ValidationError) as error:
        step(subject=subject).clean()

    assert "cannot be used in a subject line" in error.value.message_dict["subject"][0]


@pytest.mark.parametrize(
    "body",
    [
        "Hi {{ first_name }}, {{ coordinator_name }} at {{ location }} ({{ coordinator_phone }}).",
        "Your {{service_line}} visit: {{ scheduling_link }}",
        "No merge fields at all.",
    ],
)
def test_safe_merge_fields_are_accepted(body):
    step(body=body, subject="News from {{ location }}").clean()


def test_email_needs_a_subject_and_a_text_has_none():
    with pytest.raises(ValidationError) as email_error:
        step(subject="  ").clean()
    with pytest.raises(ValidationError) as sms_error:
        step(StepAction.SMS, subject="Hello").clean()

    assert "subject" in email_error.value.message_dict
    assert "subject" in sms_error.value.message_dict


def test_long_text_message_is_refused():
    with pytest.raises(ValidationError) as error:
        step(StepAction.SMS, body="x" * 400).clean()

    assert "at most" in error.value.message_dict["body"][0]


def test_render_fills_fields_with_or_without_spaces():
    text = merge_fields_render(
        "Hi {{first_name}}, see {{ location }}.", {"first_name": "Ana", "location": "Lakeside"}
    )

    assert text == "Hi Ana, see Lakeside."
