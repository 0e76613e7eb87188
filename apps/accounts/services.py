"""Writes to staff accounts."""

from django.contrib.auth.models import Group

from apps.accounts.choices import Role


def role_groups_install() -> None:
    """Create the role groups if missing (migrations do it on install)."""
    for role in Role:
        Group.objects.get_or_create(name=role.value)
