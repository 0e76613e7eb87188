"""Django's PostgreSQL backend, with a health check of kept connections that costs no
round trip while the connection is plainly alive (settings.DATABASES: ENGINE)."""

import select

from django.db.backends.postgresql import base
from psycopg2.extensions import TRANSACTION_STATUS_IDLE


class DatabaseWrapper(base.DatabaseWrapper):
    def close_if_health_check_failed(self) -> None:
        """Before a request's first query on a kept connection, ask its socket first.

        Django asks with `SELECT 1` (CONN_HEALTH_CHECKS): a round trip per request, more
        than an intake's advisory lock costs. A connection the server has ended (a
        restart, an idle timeout, pg_terminate_backend) has something to read on its
        idle socket, the server's goodbye or the end of the stream, and libpq knows when
        it is not idle: only then is `SELECT 1` asked. An idle connection with nothing
        to read is as alive as a round trip could show (a silent network cut shows up
        on the next query either way). The check after an error stays Django's own.
        """
        if self.health_check_enabled and not self.health_check_done and self._quiet():
            self.health_check_done = True
            return
        super().close_if_health_check_failed()

    def _quiet(self) -> bool:
        connection = self.connection
        if connection is None or connection.closed:
            return False
        if connection.get_transaction_status() != TRANSACTION_STATUS_IDLE:
            return False
        try:
            readable, _, _ = select.select([connection.fileno()], [], [], 0)
        except (OSError, ValueError):
            return False
        return not readable
