from django.apps import AppConfig
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class NurtureConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "apps.nurture"
    verbose_name = "Nurture"

    def ready(self) -> None:
        nurture_settings_check()


def nurture_settings_check() -> None:
    """Refuse to start (web, worker, beat, manage.py) with quiet hours that do not parse,
    rather than send texts at night."""
    from apps.nurture.quiet_hours import quiet_hours_parse

    try:
        quiet_hours_parse(settings.NURTURE_QUIET_HOURS)
    except ValueError as exc:
        raise ImproperlyConfigured(f"NURTURE_QUIET_HOURS: {exc}") from None
