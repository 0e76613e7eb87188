from django.apps import AppConfig


class StaffConfig(AppConfig):
    """Users and roles (/setup/users/): who works here, in which role and teams."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "apps.staff"
