from django.apps import AppConfig


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "apps.accounts"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from apps.accounts.middleware import session_clock_start

        user_logged_in.connect(session_clock_start, dispatch_uid="accounts.session_clock_start")
