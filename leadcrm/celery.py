"""The Celery app shared by the web process, the workers and beat, and how a worker
looks after its database connections between tasks. Tasks are queued through
apps.core.queueing."""

import os

import pghistory
from celery import Celery, Task
from celery.signals import beat_init, task_postrun, task_prerun, worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leadcrm.settings")


class HistoryTask(Task):
    """Every task's changes are recorded in the change history under the task's name
    (README "Change history"); a task run inside a request adds its name to the
    request's context."""

    def __call__(self, *args, **kwargs):
        with pghistory.context(task=self.name):
            return super().__call__(*args, **kwargs)


app = Celery("leadcrm", task_cls=HistoryTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


# --- Running a task: database connections -------------------------------------------
#
# Celery's Django fixup closes every database connection before and after each task
# unless CELERY_DB_REUSE_MAX is set (settings): a new PostgreSQL backend per task cost
# more than routing a lead. With it set, the connections are looked after the way Django
# looks after them around each web request: dropped past CONN_MAX_AGE or after an error
# left them unusable, and health-checked on first use (CONN_HEALTH_CHECKS). A task that
# failed may have been interrupted mid-query (a time limit), where Django cannot tell
# that its connection is unusable (celery#9824), so its connections are closed.


@task_prerun.connect
def _database_connections_check(*, task=None, **kwargs) -> None:
    if not _in_worker_task(task):
        return
    from django.db import close_old_connections

    close_old_connections()


@task_postrun.connect
def _database_connections_release(*, task=None, state=None, **kwargs) -> None:
    if not _in_worker_task(task):
        return
    from django.db import close_old_connections, connections

    if state == "SUCCESS":
        close_old_connections()
    else:
        connections.close_all()


def _in_worker_task(task) -> bool:
    # Eager tasks (apply() in a test) run inside the caller's transaction: leave it.
    return task is not None and not getattr(task.request, "is_eager", False)


# --- Starting: production refuses unsafe settings -----------------------------------


@worker_init.connect
@beat_init.connect
def _production_settings_check(**kwargs) -> None:
    import django

    django.setup()  # already done by Celery's Django fixup in a worker; a no-op then
    from apps.core.checks import production_startup_check

    production_startup_check()
