from django.apps import AppConfig


class CoreConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "apps.core"

    def ready(self) -> None:
        from apps.core import (
            checks,  # noqa: F401 - registers the production checks
            openapi,  # noqa: F401 - registers the schema extensions
        )
