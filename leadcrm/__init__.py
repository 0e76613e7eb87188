# Load the Celery app with Django so that @shared_task binds to it and
# transaction.on_commit publishing works from web processes too.
from leadcrm.celery import app as celery_app

__all__ = ("celery_app",)
