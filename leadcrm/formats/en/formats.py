"""LeadCRM's one way of writing dates and times (settings.FORMAT_MODULE_PATH): templates
use these by name (`|date:"SHORT_DATE_FORMAT"`, `|date` for the long date) and Python
code through django.utils.formats.date_format, never a format string of its own.
Times carry their zone's abbreviation: staff work across time zones."""

SHORT_DATE_FORMAT = "M j, Y"  # Mar 3, 2025: tables, lists, ranges
DATE_FORMAT = "D, M j, Y"  # Mon, Mar 3, 2025: a day that matters (appointment, recontact)
SHORT_DATETIME_FORMAT = "M j, Y, H:i T"  # Mar 3, 2025, 14:05 EST
DATETIME_FORMAT = "D, M j, Y, H:i T"  # Mon, Mar 3, 2025, 14:05 EST
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = "M j"  # Mar 3: inside a range whose year is said once
YEAR_MONTH_FORMAT = "F Y"
