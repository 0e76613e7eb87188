"""Celery tasks for alerts: ids in, database claims inside, safe to run twice."""

import smtplib

from celery import shared_task
from celery.utils.time import get_exponential_backoff_interval

from apps.alerts import services

# Only these are worth another try: the mail server refused, dropped or timed out.
# Anything else (a template error, a missing row) is a bug and must surface at once.
EMAIL_RETRY_ERRORS = (smtplib.SMTPException, ConnectionError, TimeoutError)


@shared_task(bind=True, max_retries=6, acks_late=True)
def alert_email_send(self, alert_id: int) -> bool:
    """Send one alert's email (claimed in the database first, so it goes once)."""
    final_attempt = self.request.retries >= self.max_retries
    try:
        return services.alert_email_send(alert_id=alert_id, final_attempt=final_attempt)
    except EMAIL_RETRY_ERRORS as exc:
        if final_attempt:
            raise
        countdown = get_exponential_backoff_interval(
            factor=10, retries=self.request.retries, maximum=600, full_jitter=True
        )
        raise self.retry(exc=exc, countdown=countdown) from exc


@shared_task(acks_late=True)
def alert_emails_dispatch(alert_ids: list[int]) -> int:
    """Queue one email task per alert of a sweep batch (ids only)."""
    return services.alert_emails_dispatch(alert_ids=[int(alert_id) for alert_id in alert_ids])


@shared_task(acks_late=True)
def alert_emails_relay() -> int:
    """Requeue alert emails whose task was lost (beat, every minute)."""
    return services.alert_emails_relay()
