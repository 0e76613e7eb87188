"""LeadCRM settings, read from the environment.

Development defaults point at PostgreSQL and Redis on localhost so that `make run`
works on a fresh machine. `LEADCRM_ENV=production` switches on the hardened mode that
passes `manage.py check --deploy` and refuses to start without a real SECRET_KEY.
"""

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ
import pghistory
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

LEADCRM_ENV = env.str("LEADCRM_ENV", default="development")
if LEADCRM_ENV not in {"development", "production"}:
    raise ImproperlyConfigured("LEADCRM_ENV must be 'development' or 'production'.")
PRODUCTION = LEADCRM_ENV == "production"

# Off unless a developer turns it on (DEBUG=true): tracebacks echo what was posted.
DEBUG = env.bool("DEBUG", default=False)
# In production a missing, default or short key is refused by a system check
# (apps/core/checks.py), along with DEBUG, empty ALLOWED_HOSTS and console backends.
SECRET_KEY = env.str(
    "SECRET_KEY", default="" if PRODUCTION else "django-insecure-development-only-key"
)

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=[] if PRODUCTION else ["localhost", "127.0.0.1", "[::1]", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.humanize",  # django-allauth's two-factor pages load it
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI and ReDoc served by the app, not a CDN
    "django_celery_beat",
    "django_htmx",
    "csp",
    "template_partials",
    "phonenumber_field",
    "pgtrigger",
    "pghistory",
    # Domain apps, lowest layer first (see README "Architecture").
    "apps.core",
    "apps.accounts",
    "apps.audit",
    "apps.privacy",
    "apps.facilities",
    "apps.servicelines",
    "apps.pipeline",
    "apps.referral_sources",
    "apps.teams",
    "apps.people",
    "apps.leads",
    "apps.routing",
    "apps.alerts",
    "apps.safety",
    "apps.sla",
    "apps.intake",
    "apps.demo",
    "apps.referrals",
    "apps.queue",
    "apps.dashboards",
    "apps.nurture",
    "apps.search",
    "apps.webhooks",
    "apps.fhir",
    "apps.staff",
]

MIDDLEWARE = [
    "apps.core.middleware.HealthProbeMiddleware",  # first: answers whatever the Host
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "apps.audit.context.AccessContextMiddleware",
    "apps.audit.history.HistoryContextMiddleware",
    "csp.middleware.CSPMiddleware",
    "apps.core.middleware.PrivateResponseMiddleware",
    "apps.core.middleware.ViewerTimeZoneMiddleware",
]

ROOT_URLCONF = "leadcrm.urls"
WSGI_APPLICATION = "leadcrm.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "apps.alerts.context_processors.unread_alerts",
            ],
        },
    },
]

DATABASES = {
    "default": env.db_url("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/leadcrm")
}
# A connection per request made every request pay for a new PostgreSQL backend
# (bench/README.md): keep connections and check them before reuse.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=300)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Safe behind a pooler in transaction mode (PgBouncer): no server-side cursors, which
# would outlive the transaction that opened them. No session state (SET, PREPARE,
# session advisory locks) is carried between transactions anywhere in the code.
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
# Several checkouts can test side by side on one server with their own test database.
DATABASES["default"]["TEST"] = {"NAME": env.str("TEST_DATABASE_NAME", default="test_leadcrm")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "leadcrm",
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    },
    # Small reference tables read on every inquiry and page (apps.core.reference_cache).
    "reference": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "reference",
        "TIMEOUT": 10,
    },
}

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="America/New_York")
USE_I18N = True
USE_TZ = True
# The app's one short and one long date and date-time format (and the time), by name.
FORMAT_MODULE_PATH = ["leadcrm.formats"]

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="LeadCRM <leadcrm@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Where staff open the app; links in alert emails start with it.
SITE_URL = env.str("SITE_URL", default="http://localhost:8000")

PHONENUMBER_DEFAULT_REGION = env.str("PHONENUMBER_DEFAULT_REGION", default="US")
PHONENUMBER_DB_FORMAT = "E164"

# --- Celery -----------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
# Work is acknowledged after it finishes, so a worker killed mid-task gives the task
# back; every task is therefore written to be safe to run twice.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# With late acks a process holds no task it has not started: one held behind a slow
# task would wait for it while the other process is idle.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Workers keep their database connections between tasks (CONN_MAX_AGE, health-checked;
# see leadcrm/celery.py) rather than opening one per task as Celery's Django fixup does
# by default, and still close them after this many tasks.
CELERY_DB_REUSE_MAX = 1000
# A broker that is down or hangs must never hold up an intake request: fail fast,
# leave the lead unrouted, and let the beat sweep pick it up.
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_timeout": 1,
    "socket_connect_timeout": 1,
    "visibility_timeout": 3600,
    # Without it a refused connection is retried after a 2 s sleep before publish gives
    # up (measured): with it, a publish to a down broker fails at once. The worker's
    # consumer reconnects by its own broker_connection_* settings, not this one.
    "max_retries": 0,
}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Alert emails have a queue of their own: a burst of breach emails must never hold a
# routing task or the next escalation sweep behind it. A worker started without -Q
# consumes every queue listed here, taking from each in turn.
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_QUEUES = [Queue("celery"), Queue("alert_emails")]
CELERY_TASK_ROUTES = {
    "apps.alerts.tasks.alert_email_send": {"queue": "alert_emails"},
    "apps.alerts.tasks.alert_emails_dispatch": {"queue": "alert_emails"},
}
CELERY_BEAT_SCHEDULE = globals().get("CELERY_BEAT_SCHEDULE", {})
# Routing: leads left unrouted (broker down, task lost) and leads waiting for a skilled
# member are routed by this sweep; a stalled beat never runs a backlog of old sweeps.
ROUTING_SWEEP_SECONDS = env.float("ROUTING_SWEEP_SECONDS", default=10.0)
CELERY_BEAT_SCHEDULE["routing-sweep"] = {
    "task": "apps.routing.tasks.routing_sweep",
    "schedule": ROUTING_SWEEP_SECONDS,
    "options": {"expires": ROUTING_SWEEP_SECONDS},
}
# Response-time escalations: a due step waits at most this long for the sweep, so
# breach-to-alert lag stays under 10 s at p95. Entries expire so a stalled worker
# never runs a backlog of stale sweeps.
SLA_SWEEP_SECONDS = env.float("SLA_SWEEP_SECONDS", default=5.0)
# A call or message may be logged after it happened (occurred_at earlier than now), but
# what it does to the response clock is bounded: it counts from at most this many
# minutes before it was logged, so a backdated entry cannot fake a first response.
LEADS_CLOCK_BACKDATE_MINUTES = env.int("LEADS_CLOCK_BACKDATE_MINUTES", default=15)
if LEADS_CLOCK_BACKDATE_MINUTES < 0:
    raise ImproperlyConfigured("LEADS_CLOCK_BACKDATE_MINUTES must be 0 or more.")
CELERY_BEAT_SCHEDULE["sla-escalations-sweep"] = {
    "task": "apps.sla.tasks.escalations_sweep",
    "schedule": SLA_SWEEP_SECONDS,
    "options": {"expires": SLA_SWEEP_SECONDS},
}
# Break-the-glass: how long emergency access to a lead outside one's teams lasts.
BREAK_GLASS_HOURS = env.float("BREAK_GLASS_HOURS", default=4.0)
# The access log's INSERT waits for its WAL flush like any commit (durable even if
# PostgreSQL crashes the next moment). false: the entry's transaction commits without
# waiting (PostgreSQL's synchronous_commit=off for it alone), several times cheaper on a
# slow disk, at the risk of losing the last fraction of a second of entries in a
# database crash.
ACCESS_LOG_SYNCHRONOUS_COMMIT = env.bool("ACCESS_LOG_SYNCHRONOUS_COMMIT", default=True)
# Change history (django-pghistory, README "Change history"): PostgreSQL triggers copy
# each tracked row on insert, update and delete. Who did it rides along as
# transaction-local settings (set_config(..., true)) prepended to each write, so it holds
# behind PgBouncer in transaction mode. The context is stored on each event row, not in
# one shared table every write would update; the event tables refuse UPDATE and DELETE.
PGHISTORY_CONTEXT_FIELD = pghistory.ContextJSONField()
PGHISTORY_APPEND_ONLY = True
# Event tables are read by object (and timeline entries and consents by lead and person,
# indexed on their trackers), never by the other keys they copy: unindexed, so each
# event insert costs one heap row and a few index entries, not one per foreign key.
PGHISTORY_FOREIGN_KEY_FIELD = pghistory.ForeignKey(db_index=False)
PGHISTORY_OBJ_FIELD = pghistory.ObjForeignKey(db_index=True, related_name="events")
PGHISTORY_DEFAULT_TRACKERS = (
    pghistory.InsertEvent(),
    # auto_now stamps (updated_at) alone are no change worth a history line.
    pghistory.UpdateEvent(condition=pghistory.AnyChange(exclude_auto=True)),
    pghistory.DeleteEvent(),
)
# Context values computed when a write happens (the user is known only after DRF
# authenticates): see apps.audit.history.
PGHISTORY_JSON_ENCODER = "apps.audit.history.HistoryContextEncoder"
# The access log's monthly partitions, made months ahead (the insert path is the fallback).
CELERY_BEAT_SCHEDULE["audit-access-log-partitions"] = {
    "task": "apps.audit.tasks.access_log_partitions_ensure",
    "schedule": 24 * 3600.0,
    "options": {"expires": 3600},
}
CELERY_BEAT_SCHEDULE["alerts-email-relay"] = {
    "task": "apps.alerts.tasks.alert_emails_relay",
    "schedule": 60.0,
    "options": {"expires": 60},
}

CELERY_BEAT_SCHEDULE["referrals-health-classify"] = {
    "task": "apps.referrals.tasks.referrer_health_classify",
    "schedule": crontab(hour=6, minute=30),  # UTC: overnight across US time zones
    "options": {"expires": 6 * 60 * 60},
}
CELERY_BEAT_SCHEDULE["referrals-feedback-overdue-sweep"] = {
    "task": "apps.referrals.tasks.referral_feedback_overdue_sweep",
    "schedule": crontab(hour=12, minute=0),  # UTC: before the US working day starts
    "options": {"expires": 6 * 60 * 60},
}
# Dashboards: the per-lead rollup follows the leads every minute and is recomputed in
# full every night (edits that log no activity); the page shows how fresh it is.
CELERY_BEAT_SCHEDULE["dashboard-facts-refresh"] = {
    "task": "apps.dashboards.tasks.dashboard_facts_refresh",
    "schedule": 60.0,
    "options": {"expires": 60},
}
CELERY_BEAT_SCHEDULE["dashboard-facts-rebuild"] = {
    "task": "apps.dashboards.tasks.dashboard_facts_rebuild",
    "schedule": crontab(hour=7, minute=15),  # UTC: after the referrer health job
    "options": {"expires": 6 * 60 * 60},
}

# --- Referrals: referrer health, closed loop, gifts (issue 5) -----------------
# Declining: referrals in the last RECENT_DAYS down DECLINE_PERCENT or more against the
# rate of the BASELINE_DAYS before them. Inactive: none in INACTIVE_DAYS. New: first
# referral (or, with none, the listing) less than NEW_DAYS ago.
REFERRALS_HEALTH_RECENT_DAYS = env.int("REFERRALS_HEALTH_RECENT_DAYS", default=90)
REFERRALS_HEALTH_BASELINE_DAYS = env.int("REFERRALS_HEALTH_BASELINE_DAYS", default=365)
REFERRALS_HEALTH_DECLINE_PERCENT = env.int("REFERRALS_HEALTH_DECLINE_PERCENT", default=30)
REFERRALS_HEALTH_INACTIVE_DAYS = env.int("REFERRALS_HEALTH_INACTIVE_DAYS", default=120)
REFERRALS_HEALTH_NEW_DAYS = env.int("REFERRALS_HEALTH_NEW_DAYS", default=120)
# The owner is alerted when a completed referral has had no feedback for this long.
REFERRALS_FEEDBACK_DUE_DAYS = env.int("REFERRALS_FEEDBACK_DUE_DAYS", default=7)
# Meals and items given to a referrer, per calendar year (Stark Law non-monetary
# compensation limit; CMS updates it every year). Profiles warn from WARNING_PERCENT on.
REFERRALS_GIFT_ANNUAL_LIMIT = env.str("REFERRALS_GIFT_ANNUAL_LIMIT", default="519.00")
REFERRALS_GIFT_WARNING_PERCENT = env.int("REFERRALS_GIFT_WARNING_PERCENT", default=80)
# Referral trend around a liaison visit: this many days before against as many after.
REFERRALS_VISIT_TREND_DAYS = env.int("REFERRALS_VISIT_TREND_DAYS", default=90)

# --- Nurture: tracks, consent-aware email and SMS (issue 6) ------------------
# Texts go through this backend: apps.nurture.sms.ConsoleSmsBackend (prints, the
# development default), .FileSmsBackend (JSON lines in NURTURE_SMS_FILE_PATH) or
# .TwilioSmsBackend (TWILIO_* below).
NURTURE_SMS_BACKEND = env.str("NURTURE_SMS_BACKEND", default="apps.nurture.sms.ConsoleSmsBackend")
NURTURE_SMS_FILE_PATH = env.str("NURTURE_SMS_FILE_PATH", default=str(BASE_DIR / "sms.log"))
TWILIO_ACCOUNT_SID = env.str("TWILIO_ACCOUNT_SID", default="")
TWILIO_AUTH_TOKEN = env.str("TWILIO_AUTH_TOKEN", default="")
TWILIO_FROM_NUMBER = env.str("TWILIO_FROM_NUMBER", default="")
TWILIO_MESSAGING_SERVICE_SID = env.str("TWILIO_MESSAGING_SERVICE_SID", default="")
TWILIO_API_URL = env.str("TWILIO_API_URL", default="https://api.twilio.com")
# Inbound texts (POST /nurture/sms/inbound/) must carry this in X-LeadCRM-Webhook-Secret
# or a valid X-Twilio-Signature (with TWILIO_AUTH_TOKEN); with neither set, none is taken.
NURTURE_SMS_INBOUND_SECRET = env.str("NURTURE_SMS_INBOUND_SECRET", default="")
# Unsubscribe links in patients' emails are signed with this key, not SECRET_KEY.
# Required in production (a system check); the development default is public.
NURTURE_UNSUBSCRIBE_KEY_DEVELOPMENT = "development-only-unsubscribe-key"
NURTURE_UNSUBSCRIBE_KEY = env.str(
    "NURTURE_UNSUBSCRIBE_KEY", default="" if PRODUCTION else NURTURE_UNSUBSCRIBE_KEY_DEVELOPMENT
)
# Earlier keys, so links already sent keep working after a rotation (comma-separated).
NURTURE_UNSUBSCRIBE_KEY_FALLBACKS = env.list("NURTURE_UNSUBSCRIBE_KEY_FALLBACKS", default=[])
# No message in these hours of the location's time zone; the step waits ("off": none).
# Checked when the nurture app starts (apps.nurture.apps): settings import no app code.
NURTURE_QUIET_HOURS = env.str("NURTURE_QUIET_HOURS", default="20:00-08:00")
# Emails and texts per person in any seven days, all tracks together (0: no cap).
NURTURE_WEEKLY_MESSAGE_CAP = env.int("NURTURE_WEEKLY_MESSAGE_CAP", default=3)
if NURTURE_WEEKLY_MESSAGE_CAP < 0:
    raise ImproperlyConfigured("NURTURE_WEEKLY_MESSAGE_CAP must be 0 or more.")
# For {{ scheduling_link }} when a track sets none (a patient-facing booking page).
NURTURE_SCHEDULING_URL = env.str("NURTURE_SCHEDULING_URL", default="")
# Sender of nurture emails, as patients see it (the hospital, not the CRM).
NURTURE_FROM_EMAIL = env.str("NURTURE_FROM_EMAIL", default=DEFAULT_FROM_EMAIL)
NURTURE_SWEEP_SECONDS = env.float("NURTURE_SWEEP_SECONDS", default=30.0)
# Delivery: at most this many sends out with the broker at once; one queued this long
# ago and still not started once the broker's queue is empty is queued again (its task
# died with a worker); a claim this old whose row no worker holds belongs to a dead
# worker and is taken over.
NURTURE_MAX_QUEUED = env.int("NURTURE_MAX_QUEUED", default=2000)
NURTURE_REQUEUE_SECONDS = env.int("NURTURE_REQUEUE_SECONDS", default=300)
NURTURE_SEND_LEASE_SECONDS = env.int("NURTURE_SEND_LEASE_SECONDS", default=300)
NURTURE_SEND_MAX_ATTEMPTS = env.int("NURTURE_SEND_MAX_ATTEMPTS", default=6)
NURTURE_SEND_TIMEOUT_SECONDS = env.int("NURTURE_SEND_TIMEOUT_SECONDS", default=30)
CELERY_BEAT_SCHEDULE["nurture-sweep"] = {
    "task": "apps.nurture.tasks.nurture_sweep",
    "schedule": NURTURE_SWEEP_SECONDS,
    "options": {"expires": NURTURE_SWEEP_SECONDS},
}
CELERY_BEAT_SCHEDULE["nurture-hourly-sweep"] = {
    "task": "apps.nurture.tasks.nurture_hourly_sweep",
    "schedule": crontab(minute=5),  # hourly: re-contact dates turn over hour by hour
    "options": {"expires": 60 * 60},
}
# Nurture messages have a queue of their own: 10,000 due steps never hold up routing,
# escalations or the sweeps behind them.
CELERY_TASK_QUEUES.append(Queue("nurture"))
CELERY_TASK_ROUTES["apps.nurture.tasks.nurture_send_deliver"] = {"queue": "nurture"}

# --- Outbound webhooks (issue 17) ---------------------------------------------
# Endpoints on loopback, link-local or private addresses are refused (server-side
# request forgery) unless this is on: for a receiver inside the hospital's network.
WEBHOOK_ALLOW_PRIVATE_ADDRESSES = env.bool("WEBHOOK_ALLOW_PRIVATE_ADDRESSES", default=False)
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=10.0)
# A claimed delivery not recorded within this belongs to a dead worker and is sent again.
WEBHOOK_CLAIM_LEASE_SECONDS = env.float("WEBHOOK_CLAIM_LEASE_SECONDS", default=60.0)
if WEBHOOK_CLAIM_LEASE_SECONDS <= WEBHOOK_TIMEOUT_SECONDS:
    raise ImproperlyConfigured("WEBHOOK_CLAIM_LEASE_SECONDS must exceed WEBHOOK_TIMEOUT_SECONDS.")
# Seconds to wait after the 1st, 2nd, ... failed try (each ±25%); the default is
# exponential (x4 from 5 s, capped at 8 h) and spans 30-50 h (39.6 h on average)
# before the endpoint is disabled and its owner alerted.
try:
    WEBHOOK_RETRY_DELAYS = [
        float(part)
        for part in env.str(
            "WEBHOOK_RETRY_DELAYS", default="5,20,80,320,1280,5120,20480,28800,28800,28800,28800"
        ).split(",")
    ]
    if not WEBHOOK_RETRY_DELAYS or min(WEBHOOK_RETRY_DELAYS) <= 0:
        raise ValueError
except ValueError:
    raise ImproperlyConfigured("WEBHOOK_RETRY_DELAYS: positive seconds, comma-separated.") from None
WEBHOOK_SWEEP_SECONDS = env.float("WEBHOOK_SWEEP_SECONDS", default=5.0)
CELERY_BEAT_SCHEDULE["webhooks-deliveries-sweep"] = {
    "task": "apps.webhooks.tasks.webhook_deliveries_sweep",
    "schedule": WEBHOOK_SWEEP_SECONDS,
    "options": {"expires": WEBHOOK_SWEEP_SECONDS},
}
# A slow receiver must never hold up routing or escalations: a queue of its own.
CELERY_TASK_QUEUES.append(Queue("webhooks"))
CELERY_TASK_ROUTES["apps.webhooks.tasks.webhook_endpoint_deliver"] = {"queue": "webhooks"}

# --- Browser security --------------------------------------------------------
# Content-Security-Policy (django-csp): scripts and styles only from our own static
# files, never inline or eval'd; no framing; forms post only to us.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
# Browser features no page of the CRM uses, refused for every page and anything it embeds.
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=(), interest-cohort=()"
)

# --- API --------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "apps.accounts.authentication.StaffTokenAuthentication",  # DRF's, with an expiry
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON nested past a limit answers 400, not a RecursionError's 500.
    "DEFAULT_PARSER_CLASSES": [
        "apps.core.parsers.DepthLimitedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    # Cursor pagination: no COUNT(*) over a million leads on every page.
    # Per staff user; intake has its own per-key throttles (apps/intake/throttles.py).
    "DEFAULT_THROTTLE_CLASSES": ["apps.core.throttles.StaffApiThrottle"],
    # How many proxies (load balancer, TLS terminator) stand in front of the app: the
    # client address for per-address throttles is taken that far back in
    # X-Forwarded-For. 0 trusts no such header (a client could forge it).
    "NUM_PROXIES": env.int("NUM_PROXIES", default=0),
    "DEFAULT_PAGINATION_CLASS": "apps.core.pagination.CreatedCursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]
    + ([] if PRODUCTION else ["rest_framework.renderers.BrowsableAPIRenderer"]),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "LeadCRM API",
    "DESCRIPTION": "Intake for web forms, chat and call-tracking vendors; staff API for leads.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema lists this hospital's service lines and locations, read from the database:
    # generating it in `check --deploy` would fail on a database not yet migrated (compose
    # runs the checks before migrate). tests/api/test_schema*.py generate it instead.
    "ENABLE_DJANGO_DEPLOY_CHECK": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # ReDoc's options (static/js/redoc.js passes them to Redoc.init).
    "REDOC_UI_SETTINGS": {"expandResponses": "200,201", "pathInMiddlePanel": True},
    "COMPONENT_SPLIT_REQUEST": True,
    # Integrations send JSON; form encodings are there for the browsable API only, and a
    # generated client sending a list as multipart would lose it.
    "PARSER_WHITELIST": ["apps.core.parsers.DepthLimitedJSONParser"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "apps.core.openapi.error_responses_document",
        "apps.core.openapi.text_without_nul_document",
        "apps.intake.schema.intake_contact_rule_document",
        "apps.leads.schema.stage_requirements_document",
        "apps.leads.schema.activity_requirements_document",
        "apps.leads.schema.lead_edit_fields_document",
    ],
}
# Choice sets used by several fields, or fields named alike ("kind"), named once so the
# schema stays stable (the generator warns otherwise).
SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {}).update(
    {
        "ChannelEnum": "apps.leads.choices.Channel",
        "ActivityKindEnum": "apps.leads.choices.ActivityKind",
        "StaffActivityKindEnum": "apps.leads.serializers.STAFF_ACTIVITY_KINDS",
        "StageKindEnum": "apps.pipeline.models.StageKind",
        "ReferralSourceKindEnum": "apps.referral_sources.models.ReferralSourceKind",
        "WebhookEventTypeEnum": "apps.webhooks.choices.WebhookEventType",
    }
)

# Throttles (apps/core/throttles.py): "<requests>/<sec|min|hour|day>", empty for none.
# Past a rate the answer is 429 with Retry-After; counts are kept in Redis.
INTAKE_THROTTLE_BURST = env.str("INTAKE_THROTTLE_BURST", default="120/min")  # per key
INTAKE_THROTTLE_SUSTAINED = env.str("INTAKE_THROTTLE_SUSTAINED", default="2000/hour")
STAFF_API_THROTTLE = env.str("STAFF_API_THROTTLE", default="600/min")  # per staff user
UNSUBSCRIBE_THROTTLE = env.str("UNSUBSCRIBE_THROTTLE", default="30/min")  # per address
SMS_INBOUND_THROTTLE = env.str("SMS_INBOUND_THROTTLE", default="600/min")  # per address
# Wrong intake keys and staff API tokens per address (only failures count).
CREDENTIAL_FAILURE_THROTTLE = env.str("CREDENTIAL_FAILURE_THROTTLE", default="20/hour")

# Largest intake body accepted; larger ones answer 413.
INTAKE_MAX_BODY_BYTES = 64 * 1024

# --- Logging: never personal data, only ids and outcomes ---------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"no_query_string": {"()": "apps.core.logging.QueryStringRemove"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Request lines without their query string (gunicorn's access log: gunicorn_conf).
        "django.server": {"filters": ["no_query_string"]},
        "django.request": {"filters": ["no_query_string"]},
    },
}

if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    # The health probes are called over plain HTTP from inside the cluster.
    SECURE_REDIRECT_EXEMPT = [r"^healthz/$", r"^readyz/$"]
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # Preloading binds the whole domain to HTTPS in browsers for months, beyond this
    # app: the hospital opts in (security.W021, "preload not set", is silenced for that).
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
    SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=12 * 60 * 60)

# --- Sign-in: lockout, passwords, sessions (issue 13) ---------------------------
# django-axes counts failed sign-ins per username and, separately, per client address;
# the LOGIN_FAILURE_LIMIT-th failure locks that username (or address) for
# LOGIN_LOCKOUT_MINUTES, the right password included. Admins unlock from the user list.
INSTALLED_APPS += ["axes"]
# Last, as axes asks: it turns a locked-out sign-in into the lockout page.
MIDDLEWARE += ["axes.middleware.AxesMiddleware"]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses before the password is even checked
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # either one alone locks
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "apps.accounts.views.login_locked_out"
# The client's address: the connection's own unless proxies are trusted to name it in
# X-Forwarded-For (a header anyone can send would let an attacker dodge the address lock).
# One setting for every per-address count: NUM_PROXIES, as the API throttles read it.
if REST_FRAMEWORK["NUM_PROXIES"]:
    AXES_IPWARE_PROXY_COUNT = REST_FRAMEWORK["NUM_PROXIES"]
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
# Passwords: 12 characters or more (AUTH_PASSWORD_VALIDATORS above); a reset link works
# once (Django's token covers the password hash) and for an hour.
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=60 * 60)
# Sessions: signed out after SESSION_IDLE_SECONDS without activity (a warning comes
# SESSION_IDLE_WARNING_SECONDS before, with one click to stay) and SESSION_COOKIE_AGE
# after signing in whatever happens. Each session row names its user, so "sign out
# everywhere" and deactivation end them all at once.
SESSION_ENGINE = "apps.accounts.sessions"
SESSION_IDLE_SECONDS = env.int("SESSION_IDLE_SECONDS", default=15 * 60)
SESSION_IDLE_WARNING_SECONDS = env.int("SESSION_IDLE_WARNING_SECONDS", default=60)
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=12 * 60 * 60)
if not 0 < SESSION_IDLE_WARNING_SECONDS < SESSION_IDLE_SECONDS <= SESSION_COOKIE_AGE:
    raise ImproperlyConfigured(
        "Sessions need 0 < SESSION_IDLE_WARNING_SECONDS < SESSION_IDLE_SECONDS"
        " <= SESSION_COOKIE_AGE."
    )
# After the auth, messages and htmx middleware, whose request attributes it reads.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django_htmx.middleware.HtmxMiddleware") + 1,
    "apps.accounts.middleware.SessionTimeoutMiddleware",
)
TEMPLATES[0]["OPTIONS"]["context_processors"].append("apps.accounts.context_processors.sign_in")
# Staff API tokens (Authorization: Token) stop working this many days after they are made.
STAFF_API_TOKEN_DAYS = env.int("STAFF_API_TOKEN_DAYS", default=90)
# Sign-in runs through django-allauth: its login view, two-factor authentication
# (allauth.mfa: authenticator apps, security keys and passkeys, recovery codes) and
# single sign-on (allauth.socialaccount's OpenID Connect provider). Why allauth rather
# than django-otp: see the README's "Sign-in".
INSTALLED_APPS += [
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
]
MIDDLEWARE.insert(
    MIDDLEWARE.index("axes.middleware.AxesMiddleware"),
    "allauth.account.middleware.AccountMiddleware",
)
AUTHENTICATION_BACKENDS += ["allauth.account.auth_backends.AuthenticationBackend"]
ACCOUNT_ADAPTER = "apps.accounts.adapters.AccountAdapter"  # no self sign-up
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "password1*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_SESSION_REMEMBER = False  # sessions end by the rules above, never "remembered"
# Failed sign-ins are django-axes' (above), not allauth's own counter; every sign-in
# attempt from one address, failed or not, at most LOGIN_RATE_LIMIT (allauth's syntax).
ACCOUNT_RATE_LIMITS = {
    "login_failed": None,
    "login": env.str("LOGIN_RATE_LIMIT", default="30/m/ip"),
}
ALLAUTH_TRUSTED_PROXY_COUNT = REST_FRAMEWORK["NUM_PROXIES"]  # the same address as axes counts
MFA_ADAPTER = "apps.accounts.adapters.MfaAdapter"
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_TOTP_ISSUER = env.str("MFA_TOTP_ISSUER", default="LeadCRM")
# Browsers allow WebAuthn on http://localhost; elsewhere only over HTTPS.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = not PRODUCTION
# Roles (comma-separated role names, see apps/accounts/choices.py) that must set up a
# second factor before using the app; empty when the identity provider's MFA covers all.
MFA_REQUIRED_ROLES = frozenset(
    role.strip()
    for role in env.str("MFA_REQUIRED_ROLES", default="manager,admin").split(",")
    if role.strip()
)
# The privacy officer reads who saw every patient: a hospital may well require MFA there.
_unknown_roles = MFA_REQUIRED_ROLES - {
    "intake coordinator",
    "liaison",
    "manager",
    "admin",
    "privacy officer",
}
if _unknown_roles:
    raise ImproperlyConfigured(f"MFA_REQUIRED_ROLES: unknown role(s) {sorted(_unknown_roles)}.")
MIDDLEWARE.insert(
    MIDDLEWARE.index("apps.accounts.middleware.SessionTimeoutMiddleware") + 1,
    "apps.accounts.mfa.MfaRequiredMiddleware",
)
# Single sign-on with the hospital's identity provider over OpenID Connect (Microsoft
# Entra ID, Okta, Google Workspace...): set SSO_SERVER_URL (the issuer, whose
# /.well-known/openid-configuration is read), SSO_CLIENT_ID and SSO_CLIENT_SECRET. Staff
# signing in for the first time get an account; SSO_GROUP_ROLES ("idp group=role,...")
# then sets their roles from the token's groups claim at every sign-in.
SSO_SERVER_URL = env.str("SSO_SERVER_URL", default="")
SSO_PROVIDER_ID = env.str("SSO_PROVIDER_ID", default="hospital")
SSO_PROVIDER_NAME = env.str("SSO_PROVIDER_NAME", default="your hospital account")
SOCIALACCOUNT_ADAPTER = "apps.accounts.adapters.SocialAccountAdapter"
SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"OAUTH_PKCE_ENABLED": True, "APPS": []}}
if SSO_SERVER_URL:
    # "Sign in with ..." posts to us and is redirected to the provider: form-action
    # governs that redirect too, so the provider's origin must be allowed.
    _sso_url = urlsplit(SSO_SERVER_URL)
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"].append(
        f"{_sso_url.scheme}://{_sso_url.netloc}"
    )
    SOCIALACCOUNT_PROVIDERS["openid_connect"]["APPS"].append(
        {
            "provider_id": SSO_PROVIDER_ID,
            "name": SSO_PROVIDER_NAME,
            "client_id": env.str("SSO_CLIENT_ID"),
            "secret": env.str("SSO_CLIENT_SECRET"),
            "settings": {"server_url": SSO_SERVER_URL},
        }
    )
SOCIALACCOUNT_AUTO_SIGNUP = True
# A staff member made by an admin signs in by SSO with the same (verified) email.
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_STORE_TOKENS = False  # nothing here calls the provider's APIs later


def _sso_group_roles(text: str) -> dict[str, str]:
    roles = {"intake coordinator", "liaison", "manager", "admin"}
    mapping = {}
    for pair in filter(None, (part.strip() for part in text.split(","))):
        group, _, role = pair.rpartition("=")
        if not group.strip() or role.strip() not in roles:
            raise ImproperlyConfigured(
                f"SSO_GROUP_ROLES: {pair!r} is not 'group=role' with a role of {sorted(roles)}."
            )
        mapping[group.strip()] = role.strip()
    return mapping


SSO_GROUP_ROLES = _sso_group_roles(env.str("SSO_GROUP_ROLES", default=""))
# Off: no password sign-in anywhere (login page, admin, API), only single sign-on.
LOCAL_PASSWORDS_ENABLED = env.bool("LOCAL_PASSWORDS_ENABLED", default=True)
if not LOCAL_PASSWORDS_ENABLED:
    if not SSO_SERVER_URL:
        raise ImproperlyConfigured("LOCAL_PASSWORDS_ENABLED=false needs SSO_SERVER_URL.")
    SOCIALACCOUNT_ONLY = True
    AUTHENTICATION_BACKENDS = [
        "axes.backends.AxesStandaloneBackend",
        "apps.accounts.adapters.SingleSignOnOnlyBackend",
    ]
CELERY_BEAT_SCHEDULE["sessions-clear-expired"] = {
    "task": "apps.accounts.tasks.sessions_clear_expired",
    "schedule": crontab(hour=8, minute=45),  # UTC: overnight across US time zones
    "options": {"expires": 6 * 60 * 60},
}
