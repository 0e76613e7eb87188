from django.apps import AppConfig


class IntakeConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "apps.intake"

    def ready(self) -> None:
        # drf-spectacular finds extensions by import; registering here keeps the schema
        # right whichever module is imported first.
        from apps.intake import schema  # noqa: F401
