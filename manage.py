#!/usr/bin/env python
"""Django's command-line utility for LeadCRM."""

import contextlib
import os
import sys

# Commands that serve requests or tasks (each of which names itself in the change
# history) or change the schema: everything else runs under its own name.
NOT_HISTORY_CONTEXT = {"runserver", "migrate", "makemigrations", "test", "collectstatic"}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leadcrm.settings")
    import pghistory
    from django.core.management import execute_from_command_line

    command = sys.argv[1] if len(sys.argv) > 1 else ""
    history_context = (
        pghistory.context(command=command)
        if command and command not in NOT_HISTORY_CONTEXT
        else contextlib.nullcontext()
    )
    with history_context:
        execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
