from django.apps import AppConfig


class ServicelinesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "apps.servicelines"
