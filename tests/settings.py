"""Test overlay on the real settings: same PostgreSQL and Redis, faster hashing."""

import os

os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")

from leadcrm.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed, tests only
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
# Throttles off: tests share the Redis cache and reuse ids; tests/core/test_throttles.py
# switches each on.
INTAKE_THROTTLE_BURST = INTAKE_THROTTLE_SUSTAINED = STAFF_API_THROTTLE = ""
UNSUBSCRIBE_THROTTLE = SMS_INBOUND_THROTTLE = CREDENTIAL_FAILURE_THROTTLE = ""
# Every test signs in from 127.0.0.1, many a minute: the per-address rate of sign-ins
# would refuse them. Tests of two-factor authentication set this themselves.
ACCOUNT_RATE_LIMITS = {"login": None, "login_failed": None}
MFA_REQUIRED_ROLES = frozenset()
# The webhook receivers the tests start listen on 127.0.0.1.
WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
