"""The intake's text fields answer a string exactly as DRF's CharField would: the same
cleaned value, or the same error (their fast path must not differ); anything but a
string is refused, and null is empty."""

import pytest
from rest_framework import serializers

from apps.intake.serializers import StringField


def _outcome(field: serializers.Field, data):
    try:
        return "ok", field.run_validation(data)
    except serializers.ValidationError as error:
        return "error", [str(each) for each in error.detail]


def _pair(**kwargs) -> tuple[StringField, serializers.CharField]:
    drf_kwargs = {"required": False, "allow_blank": True, "default": "", **kwargs}
    return StringField(**kwargs), serializers.CharField(**drf_kwargs)


@pytest.mark.parametrize(
    "data",
    [
        "Maria",
        "  Maria  ",
        "",
        "   ",
        "x" * 10,
        "x" * 11,
        " " + "x" * 10 + " ",
        "Zoë",
        "Zo\x00e",
        "\ud800",
        "José Núñez",
        "Ω" * 11,
        "\t\n",
    ],
)
def test_a_text_field_answers_like_drf(data):
    ours, drfs = _pair(max_length=10)

    assert _outcome(ours, data) == _outcome(drfs, data)


@pytest.mark.parametrize("data", ["", "  ", "Maria", "x" * 11])
def test_a_required_text_field_refuses_blank_like_drf(data):
    ours = StringField(max_length=10, required=True, allow_blank=False)
    drfs = serializers.CharField(max_length=10, required=True, allow_blank=False)

    assert _outcome(ours, data) == _outcome(drfs, data)


@pytest.mark.parametrize("data", [12, 1.5, True, ["Maria"], {"name": "Maria"}])
def test_a_text_field_refuses_anything_but_a_string(data):
    assert _outcome(StringField(max_length=10), data) == ("error", ["Must be a string."])


def test_a_text_field_takes_null_as_empty():
    assert _outcome(StringField(max_length=10), None) == ("ok", "")


def test_a_text_field_with_its_own_validator_still_runs_it():
    def no_digits(value):
        if any(char.isdigit() for char in value):
            raise serializers.ValidationError("No digits.")

    field = StringField(max_length=10, validators=[no_digits])

    assert _outcome(field, "abc1") == ("error", ["No digits."])
