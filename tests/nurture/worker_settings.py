"""Settings for the Celery processes of the nurture integration test: the test overlay,
with email going to the SMTP server the test starts and texts to a file."""

import os

from tests.settings import *  # noqa: F403

EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = "127.0.0.1"
EMAIL_PORT = int(os.environ["LEADCRM_TEST_SMTP_PORT"])
EMAIL_HOST_USER = EMAIL_HOST_PASSWORD = ""
EMAIL_USE_TLS = EMAIL_USE_SSL = False
EMAIL_TIMEOUT = 5
NURTURE_SMS_BACKEND = "apps.nurture.sms.FileSmsBackend"
