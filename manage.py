#!/usr/bin/env python
"""Django's command-line utility for LeadCRM."""

import contextlib
import os
import sys

# Commands that serve requests or tasks (each of which names itself in the change
# history) or change the schema: everything else runs under its own name.
NOT_HISTORY_CONTEXT = {"runserver", "migrate", "makemigrations", "test", "collectstatic"}


def command_history_context(argv: list[str]):
    """The change history's context for `manage.py <command>`: the command's name."""
    import pghistory

    command = argv[1] if len(argv) > 1 else ""
    if not command or command.startswith("-") or command in NOT_HISTORY_CONTEXT:
        return contextlib.nullcontext()
    return pghistory.context(command=command)


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leadcrm.settings")
    from django.core.management import execute_from_command_line

    with command_history_context(sys.argv):
        execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
