from django.apps import AppConfig


class ReferralSourcesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "apps.referral_sources"
