"""Writes to staff accounts."""

from django.contrib.auth.models import Group

from apps.accounts.choices import Role


def role_groups_install() -> None:
    """Create the four role groups if missing (a migration does it on install)."""
    for role in Role:
        Group.objects.get_or_create(name=role.value)
