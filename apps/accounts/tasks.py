"""Celery tasks for staff accounts."""

from celery import shared_task

from apps.accounts import services


@shared_task(acks_late=True)
def sessions_clear_expired() -> int:
    """Nightly: ended sessions leave the session table (safe to run twice)."""
    return services.sessions_clear_expired()
