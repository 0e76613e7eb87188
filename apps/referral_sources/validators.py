"""NPI (National Provider Identifier) validation, offline.

An NPI is 10 digits whose last digit is a Luhn check digit computed over the
first nine digits prefixed with 80840 (the ISO health-industry issuer prefix).
"""

from django.core.exceptions import ValidationError


def npi_is_valid(npi: str) -> bool:
    if len(npi) != 10 or not npi.isdigit():
        return False
    digits = [int(d) for d in "80840" + npi[:9]]
    total = 0
    # Luhn: double every second digit from the right of the payload (which
    # is the position just left of the check digit).
    for index, digit in enumerate(reversed(digits)):
        if index % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    check = (10 - total % 10) % 10
    return check == int(npi[9])


def npi_check_digit(first_nine: str) -> str:
    """The check digit that makes `first_nine` + digit a valid NPI (for demo data)."""
    for candidate in "0123456789":
        if npi_is_valid(first_nine + candidate):
            return candidate
    raise ValueError("no check digit fits")  # unreachable for nine digits


def validate_npi(value: str) -> None:
    if not npi_is_valid(value):
        raise ValidationError(
            "Enter a valid 10-digit NPI; its check digit does not match.", code="invalid_npi"
        )
