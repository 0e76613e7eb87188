"""Settings of the bare DRF project (bench/bare_drf): less than `startproject` gives (two
of its seven middleware, no sessions, messages or admin, JSON only, no authentication),
with the same database, connection keeping and gunicorn as LeadCRM's benchmark. Issue
12's ratios are measured against this; it is kept as it was when they were set."""

import environ

env = environ.Env()

SECRET_KEY = "bench-only-not-a-secret"  # noqa: S105 - a local benchmark, never deployed
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "rest_framework",
    "bare_drf",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
]
ROOT_URLCONF = "bare_drf.urls"
WSGI_APPLICATION = "bare_drf.wsgi.application"
DATABASES = {"default": env.db_url("BARE_DATABASE_URL")}
DATABASES["default"]["CONN_MAX_AGE"] = 300
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
TIME_ZONE = "UTC"
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
}
