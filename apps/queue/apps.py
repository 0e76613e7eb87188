from django.apps import AppConfig


class QueueConfig(AppConfig):
    """The intake coordinator's screens: the work queue and the lead page."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "apps.queue"
    label = "queue"
    verbose_name = "Work queue"
