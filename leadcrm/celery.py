"""The Celery app shared by the web process, the workers and beat, and the two things
every process does with it on a hot path: publish a task, and run one."""

import os
import threading
from contextlib import contextmanager, suppress
from functools import cached_property

from celery import Celery
from celery.signals import beat_init, task_postrun, task_prerun, worker_init
from kombu.transport import redis as kombu_redis
from kombu.utils.uuid import uuid

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leadcrm.settings")

app = Celery("leadcrm")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


# --- Publishing ---------------------------------------------------------------------


class _RedisChannel(kombu_redis.Channel):
    """kombu's Redis channel with one redis-py client per channel: the stock channel
    builds a new client (and its table of response callbacks) for every message it
    publishes, a third of what a publish cost. Clients share the channel's connection
    pool and are thread-safe, so one serves every publish and queue read of the channel."""

    @contextmanager
    def conn_or_acquire(self, client=None):
        yield client or self._sync_client

    @cached_property
    def _sync_client(self):
        return self._create_client()


class RedisTransport(kombu_redis.Transport):
    """The Redis transport with `_RedisChannel` (settings.CELERY_BROKER_TRANSPORT)."""

    Channel = _RedisChannel


_producer = None
_producer_source: tuple[int, object] | None = None  # (process id, the pool it came from)
_producer_lock = threading.Lock()
_ARGSREPR_MAX = 1024  # Celery's own argsrepr_maxsize


def task_publish(task, args: list) -> None:
    """Queue `task` with `args` on this process's own producer, kept between publishes.

    `apply_async` takes a producer from the pool and gives it back for every message;
    holding one saves that, and a web process publishes after each intake commit. Never
    retries: a broker error is raised at once for the caller (routing and alerts log it
    and leave the work to their sweeps). The producer is dropped after an error, in a
    forked child (it belongs to the parent's connection) and when the app's pool was
    replaced. While another thread is publishing (a threaded server), this one takes a
    producer from the pool as usual.
    """
    global _producer, _producer_source
    if not _producer_lock.acquire(blocking=False):
        task.apply_async(args=args, retry=False)
        return
    try:
        source = (os.getpid(), app.producer_pool)
        if _producer is not None and _producer_source != source:
            if _producer_source[0] == source[0]:
                with suppress(Exception):  # its pool may be closed: nothing to give back
                    _producer.release()
            _producer = None
        if _producer is None:
            # Connects (and pings the broker): raises like a failed publish.
            _producer, _producer_source = source[1].acquire(block=True), source
        try:
            _message_send(task, args)
        except BaseException:
            producer, _producer = _producer, None
            producer.release()  # its connection goes back to the pool, as apply_async does
            raise
    finally:
        _producer_lock.release()


def _message_send(task, args: list) -> None:
    """What `apply_async` -> `send_task` do for a plain message, without what is the same
    for every message of a task (its options and route, worked out once) and without
    declaring the queue on each publish (the message goes straight to the queue; the
    workers declare theirs). That machinery was over half of a publish's cost, and a
    web process publishes once per intake. Celery's own message builder and sender are
    used, so the message is what `apply_async` sends, signals included.
    """
    options = _publish_options(task)
    root_id = parent_id = None
    parent = app.current_worker_task  # a task queued from a task: keep the trail
    if parent is not None:
        root_id = parent.request.root_id or parent.request.id
        parent_id = parent.request.id
    message = app.amqp.create_task_message(
        uuid(),
        options["name"],
        args,
        {},
        root_id=root_id,
        parent_id=parent_id,
        # Ids only: their plain repr (cut as Celery cuts it) is safe, and spares the
        # saferepr walk Celery makes of every message's arguments.
        argsrepr=repr(args)[:_ARGSREPR_MAX],
        kwargsrepr="{}",
        **options["message"],
    )
    with _producer.connection._reraise_as_library_errors():
        app.amqp.send_task_message(
            _producer, options["name"], message, retry=False, declare=[], **options["route"]
        )


_options_by_task: dict = {}  # by task object: a lookup without the task's name


def _publish_options(task) -> dict:
    """The task's own publish options and its route (settings.CELERY_TASK_ROUTES: plain
    queue names, the same for every message), as `send_task` works them out."""
    options = _options_by_task.get(task)
    if options is None:
        route = dict(task._get_exec_options())
        message = {name: route.pop(name, None) for name in _MESSAGE_OPTIONS}
        message["ignore_result"] = task.ignore_result
        message["create_sent_event"] = app.conf.task_send_sent_event
        route = app.amqp.router.route(route, task.name, (), {}, None)
        options = {"name": task.name, "route": route, "message": message}
        _options_by_task[task] = options
    return options


_MESSAGE_OPTIONS = ("expires", "time_limit", "soft_time_limit")


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
