"""Template helpers of the dashboards."""

from dataclasses import asdict
from decimal import Decimal

from django import template
from django.utils.html import format_html, format_html_join, json_script
from django.utils.safestring import SafeString

from apps.accounts.choices import Role
from apps.accounts.selectors import user_has_role
from apps.core.readable import duration_text

register = template.Library()


@register.filter
def sees_dashboards(user) -> bool:
    """{% if user|sees_dashboards %}: managers and admins see the dashboards."""
    return user_has_role(user=user, roles={Role.MANAGER, Role.ADMIN})


@register.filter
def figure(cell) -> str:
    """A table cell as read on the page: 1,234 / 12.5% / 8 min / 1 d 17 h / 3.5 days / —."""
    value = cell.value
    if value is None:
        return "—"
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return str(value)
    if cell.unit == "min":
        return duration_text(float(value))
    text = f"{value:,}"
    if cell.unit == "%":
        return f"{text}%"
    if cell.unit:
        return f"{text} {cell.unit}"
    return text


@register.simple_tag
def chart_json(chart):
    """A chart's labels and series for static/js/dashboards.js, as a JSON script tag."""
    return json_script(asdict(chart))


@register.filter
def table_rows(table) -> SafeString:
    """A table's body rows, rendered in one call: a panel can hold a few thousand cells,
    and a template loop per cell cost more than the query behind them."""
    return format_html_join("", "<tr>{}</tr>", ((_row(row),) for row in table.rows))


def _row(row) -> SafeString:
    first, *rest = row
    name = figure(first)
    if first.href:  # a referral source's name links to its profile
        name = format_html('<a href="{}">{}</a>', first.href, name)
    return format_html(
        '<th scope="row">{}</th>{}',
        name,
        format_html_join("", "{}", ((_cell(cell),) for cell in rest)),
    )


def _cell(cell) -> SafeString:
    shown = figure(cell)
    if cell.href:
        shown = format_html('<a href="{}">{}</a>', cell.href, shown)
    if cell.is_number:
        return format_html('<td class="num">{}</td>', shown)
    if len(str(cell.value or "")) > 40:  # a sentence (why a source is declining) needs room
        return format_html('<td class="long">{}</td>', shown)
    return format_html("<td>{}</td>", shown)
