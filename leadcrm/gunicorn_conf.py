"""gunicorn settings of the web process, for `make run` (Procfile), the Docker image and
the benchmarks alike: `gunicorn -c python:leadcrm.gunicorn_conf leadcrm.wsgi`.

Command-line flags (bind, workers, access log) still apply on top of these.
"""

import gc

worker_class = "sync"  # measured: gthread took more leads/s but a worse p95 (bench/README.md)
timeout = 60
# The access log (on with --access-logfile) names the path without its query string and
# leaves out the Referer: a search (?q=) carries patients' names, phones and emails, and
# the next request's Referer would repeat them.
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(L)s "%(a)s"'


def post_worker_init(worker) -> None:
    """Take what start-up built (modules, settings, URL patterns) out of the cyclic
    garbage collector's sight.

    None of it is ever freed, yet each full collection walked all of it, a pause that
    stalled every request queued behind it (bench/README.md).

    Safety screening's language pipelines load first (about 3 s), so no inquiry waits
    for them and they are frozen with the rest.
    """
    from apps.safety.engine import warm_up

    warm_up()
    gc.freeze()
