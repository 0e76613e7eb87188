"""Parsing the quiet hours setting (checked when the nurture app starts, used by timing)."""

import datetime as dt
from functools import lru_cache


@lru_cache(maxsize=8)
def quiet_hours_parse(value: str) -> tuple[dt.time, dt.time] | None:
    """ "20:00-08:00" → (20:00, 08:00); "", "off" or equal ends → None. Raises ValueError."""
    value = value.strip().lower()
    if value in ("", "off", "none"):
        return None
    start_text, separator, end_text = value.partition("-")
    if not separator:
        raise ValueError(f"quiet hours must look like 20:00-08:00, not {value!r}")
    start = dt.time.fromisoformat(start_text.strip())
    end = dt.time.fromisoformat(end_text.strip())
    return None if start == end else (start, end)
