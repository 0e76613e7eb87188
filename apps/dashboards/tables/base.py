"""The pieces every panel's layout is made of: cells that carry their drill-down link,
tables, charts, the panel, and the builder of drill-down URLs."""

from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlencode

from django.urls import reverse

from apps.dashboards.filters import DashboardFilters


@dataclass
class Cell:
    value: object  # int, Decimal, str or None ("no data")
    unit: str = ""  # "%", "min", "days" or "" for counts and text
    href: str = ""  # the drill-down list of the leads behind the number

    @property
    def is_number(self) -> bool:
        return isinstance(self.value, int | Decimal) or (self.value is None and bool(self.unit))


@dataclass
class Table:
    slug: str
    title: str
    columns: list[str]
    rows: list[list[Cell]]
    empty: str = "No leads match these filters in this period."
    caption: str = ""


@dataclass
class Chart:
    kind: str  # "bars", "lines" or "stacked"
    title: str
    labels: list[str]
    series: list[dict]  # {"name": str, "values": [number, ...]}
    unit: str = ""


@dataclass
class PanelView:
    slug: str
    title: str
    summary: list[tuple[str, Cell]] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    note: str = ""
    is_empty: bool = False


class Links:
    """Builds drill-down URLs: the page's filters, narrowed, plus a number's condition."""

    def __init__(self, filters: DashboardFilters):
        self.filters = filters
        self.base = reverse("dashboards:leads")
        self.params = filters.query_params()
        # A panel has a few hundred links: encode the filters once, not once per link.
        self.prefix = f"{self.base}?{urlencode(self.params)}"

    def __call__(self, *, panel: str, **condition: str | int | None) -> str:
        extra = {"panel": panel}
        for name, value in condition.items():
            if value is None or value == "":
                continue
            if name in self.params:
                if self.params[name] == str(value):
                    continue  # already narrowed to it by the filters
                return self._rebuilt(panel=panel, **condition)
            extra[name] = str(value)
        return f"{self.prefix}&{urlencode(extra)}"

    def _rebuilt(self, *, panel: str, **condition) -> str:
        params = {**self.params, "panel": panel}
        params.update({k: str(v) for k, v in condition.items() if v is not None and v != ""})
        return f"{self.base}?{urlencode(params)}"


def count_cell(value: int, href: str) -> Cell:
    return Cell(value, href=href if value else "")


def rate_cell(value: Decimal | None, href: str = "") -> Cell:
    return Cell(value, unit="%", href=href if value else "")
