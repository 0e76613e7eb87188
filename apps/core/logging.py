"""Logging filters: request lines are logged without their query string."""

import logging
import re

# "GET /queue/?q=Rivera HTTP/1.1" -> "GET /queue/ HTTP/1.1"
_QUERY_STRING = re.compile(r"\?[^\s\"]*")


class QueryStringRemove(logging.Filter):
    """Drops the query string from request lines (Django's development server logs the
    full line; a search's ?q= holds patients' names, phones and emails)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                _QUERY_STRING.sub("", arg) if isinstance(arg, str) else arg for arg in record.args
            )
        if isinstance(record.msg, str):
            record.msg = _QUERY_STRING.sub("", record.msg)
        return True
