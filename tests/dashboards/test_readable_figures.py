"""Response times read as staff say them, not as minutes with decimals."""

from decimal import Decimal

import pytest

from apps.dashboards.tables import Cell
from apps.dashboards.templatetags.dashboards_tags import figure


@pytest.mark.parametrize(
    ("minutes", "shown"),
    [
        (Decimal("0.5"), "30 s"),
        (Decimal("8.0"), "8 min"),
        (Decimal("59.6"), "1 h"),
        (Decimal("200"), "3 h 20 min"),
        (Decimal("2477.8"), "1 d 17 h"),
        (Decimal("2880"), "2 d"),
    ],
)
def test_minutes_read_as_days_hours_and_minutes(minutes, shown):
    assert figure(Cell(minutes, unit="min")) == shown


def test_other_units_are_unchanged():
    assert figure(Cell(Decimal("12.5"), unit="%")) == "12.5%"
    assert figure(Cell(1234)) == "1,234"
