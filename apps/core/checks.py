"""Production refuses to start on an unsafe setting (system checks at error level).

They run with every management command (migrate, check) and when the web process and
the Celery workers start (leadcrm/wsgi.py, leadcrm/celery.py), so a deployment that
would print patient messages to a log, run with a guessable key or echo tracebacks
never takes traffic. In development they stay silent.
"""

import io

from django.conf import settings
from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

SECRET_KEY_MIN_LENGTH = 50
# Email backends that print, store or drop messages instead of sending them: in
# production a patient's nurture email or an alert would land in a log or nowhere.
UNSENT_EMAIL_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
}
# The console backend prints each text's body; the file backend writes it to disk.
UNSENT_SMS_BACKENDS = {
    "apps.nurture.sms.ConsoleSmsBackend",
    "apps.nurture.sms.FileSmsBackend",
    "apps.nurture.sms.LocmemSmsBackend",
}


PRODUCTION_TAG = "production"


def production_startup_check() -> None:
    """Raise SystemCheckError, so the process exits, when production settings are unsafe.

    gunicorn and Celery run no system checks of their own; the web and worker processes
    call this as they start.
    """
    if getattr(settings, "PRODUCTION", False):
        call_command("check", tags=[PRODUCTION_TAG], fail_level="ERROR", stdout=io.StringIO())


@register(PRODUCTION_TAG)
def production_settings_check(app_configs=None, **kwargs) -> list[Error]:
    if not getattr(settings, "PRODUCTION", False):
        return []
    return [
        *_secret_key_errors(),
        *_debug_errors(),
        *_allowed_hosts_errors(),
        *_message_backend_errors(),
        *_unsubscribe_key_errors(),
    ]


def _secret_key() -> str:
    try:
        return settings.SECRET_KEY
    except ImproperlyConfigured:  # Django refuses an empty key when it is read
        return ""


def _secret_key_errors() -> list[Error]:
    key = _secret_key()
    if len(key) < SECRET_KEY_MIN_LENGTH or key.startswith("django-insecure"):
        return [
            Error(
                "SECRET_KEY is missing, a development default or shorter than "
                f"{SECRET_KEY_MIN_LENGTH} characters.",
                hint="Set SECRET_KEY to 50+ random characters, e.g. from "
                "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`.",
                id="leadcrm.E001",
            )
        ]
    return []


def _debug_errors() -> list[Error]:
    if settings.DEBUG:
        return [
            Error(
                "DEBUG is on: error pages would show settings and the posted patient data.",
                hint="Unset DEBUG (production defaults it off).",
                id="leadcrm.E002",
            )
        ]
    return []


def _allowed_hosts_errors() -> list[Error]:
    hosts = settings.ALLOWED_HOSTS
    if not hosts or "*" in hosts:
        return [
            Error(
                "ALLOWED_HOSTS is empty or '*'.",
                hint="Set ALLOWED_HOSTS to the host names staff and vendors use, "
                "e.g. crm.example.org. Health probes answer whatever the Host header.",
                id="leadcrm.E003",
            )
        ]
    return []


def _message_backend_errors() -> list[Error]:
    errors = []
    if settings.EMAIL_BACKEND in UNSENT_EMAIL_BACKENDS:
        errors.append(
            Error(
                f"EMAIL_BACKEND {settings.EMAIL_BACKEND} prints, stores or drops emails "
                "instead of sending them.",
                hint="Set EMAIL_URL to your SMTP server, e.g. "
                "smtp+tls://user:password@smtp.example.org:587.",
                id="leadcrm.E004",
            )
        )
    if settings.NURTURE_SMS_BACKEND in UNSENT_SMS_BACKENDS:
        errors.append(
            Error(
                f"NURTURE_SMS_BACKEND {settings.NURTURE_SMS_BACKEND} writes patients' texts "
                "to a log or file instead of sending them.",
                hint="Set NURTURE_SMS_BACKEND=apps.nurture.sms.TwilioSmsBackend and TWILIO_*.",
                id="leadcrm.E005",
            )
        )
    return errors


def _unsubscribe_key_errors() -> list[Error]:
    key = settings.NURTURE_UNSUBSCRIBE_KEY
    if len(key) < 32 or key in (settings.NURTURE_UNSUBSCRIBE_KEY_DEVELOPMENT, _secret_key()):
        return [
            Error(
                "NURTURE_UNSUBSCRIBE_KEY is missing, the development default, shorter than "
                "32 characters or the same as SECRET_KEY.",
                hint="Set NURTURE_UNSUBSCRIBE_KEY to 50+ random characters of its own.",
                id="leadcrm.E006",
            )
        ]
    return []
