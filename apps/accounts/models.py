"""Staff accounts. Roles are Django groups (see choices.Role)."""

import pghistory
from django.contrib.auth.models import AbstractUser
from django.contrib.postgres.fields import ArrayField
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models
from phonenumber_field.modelfields import PhoneNumberField

from apps.accounts.choices import AlertEmails


# Changes to who a user is and what they may do; not the password or sign-in times.
@pghistory.track(
    fields=["username", "first_name", "last_name", "email", "is_active", "is_staff", "is_superuser"]
)
class User(AbstractUser):
    """A member of staff: intake coordinator, liaison, manager or admin.

    The availability fields are what routing reads: who is on shift, away, and how many
    open, not yet contacted leads one person can carry at once.
    """

    title = models.CharField(max_length=120, blank=True)
    phone = PhoneNumberField(blank=True)
    languages = ArrayField(
        models.CharField(max_length=8),
        default=list,
        blank=True,
        help_text="Languages spoken with patients, as codes such as en, es.",
    )
    is_on_shift = models.BooleanField(default=False)
    on_leave = models.BooleanField(default=False)
    max_open_leads = models.PositiveSmallIntegerField(
        default=15, help_text="Open, not yet contacted leads this person can carry."
    )
    # Their own settings (the account page). An empty zone: the browser's own.
    time_zone = models.CharField(max_length=64, blank=True)
    alert_emails = models.CharField(
        max_length=10, choices=AlertEmails.choices, default=AlertEmails.ALL
    )

    class Meta:
        ordering = ["first_name", "last_name", "username"]

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


@pghistory.track(
    pghistory.InsertEvent("role.add"), pghistory.DeleteEvent("role.remove"), obj_field=None
)
class UserRole(User.groups.through):
    """A role given to a user (a row of the user-groups table), as a proxy so that roles
    given and taken away are in the change history."""

    class Meta:
        proxy = True


class StaffSession(AbstractBaseSession):
    """A browser session, with the user it belongs to, so that all of one person's
    sessions can be ended at once ("sign out everywhere", deactivation).

    Django's documented way of extending the database session engine; the engine is
    apps.accounts.sessions (SESSION_ENGINE).
    """

    user = models.ForeignKey(User, null=True, on_delete=models.CASCADE, related_name="+")

    @classmethod
    def get_session_store_class(cls):
        from apps.accounts.sessions import SessionStore

        return SessionStore
