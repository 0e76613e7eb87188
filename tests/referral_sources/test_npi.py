import pytest
from django.core.exceptions import ValidationError

from apps.referral_sources.validators import npi_check_digit, npi_is_valid, validate_npi


@pytest.mark.parametrize(
    ("npi", "valid"),
    [
        ("1234567893", True),  # CMS's published example
        ("1245319599", True),
        ("1234567890", False),  # wrong check digit
        ("123456789", False),  # nine digits
        ("12345678930", False),  # eleven digits
        ("12345678a3", False),  # not all digits
        ("", False),
    ],
)
def test_npi_luhn_check_over_the_80840_prefix(npi, valid):
    assert npi_is_valid(npi) is valid


def test_check_digit_makes_any_nine_digits_a_valid_npi():
    for first_nine in ("123456789", "100000000", "298765432"):
        assert npi_is_valid(first_nine + npi_check_digit(first_nine))


def test_validate_npi_names_the_problem():
    with pytest.raises(ValidationError, match="check digit"):
        validate_npi("1234567890")
