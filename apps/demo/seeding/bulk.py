"""Load generated rows into PostgreSQL with COPY, inside the caller's transaction.

A background thread runs COPY while the main thread generates the next chunk, so on two
cores Python and PostgreSQL work at the same time (psycopg2 releases the GIL while it
sends data). For big loads into a small table the secondary indexes and foreign keys
are dropped first and rebuilt once at the end: one sort per index and one join per
foreign key instead of millions of index insertions and deferred trigger checks. After
a reset the rows go in already frozen (COPY FREEZE). All of it is transactional: if
anything fails, PostgreSQL puts every index and key back. The change-history triggers
are off during the load. Where the time goes: bench/README.md, "Data"."""

import io
import json
import queue
import threading
import time
from contextlib import contextmanager

from django.db import connection, models
from django.db.models.fields import NOT_PROVIDED

from apps.demo.seeding.pools import NULL


class BulkLoader:
    """COPY chunks of rows into tables, ids assigned by the caller from `next_id`."""

    def __init__(
        self, *, tables: list[type[models.Model]], rebuild: bool, freeze: bool = False
    ) -> None:
        self.tables = tables
        self.rebuild = rebuild
        # Tables truncated in this transaction can take rows already frozen (COPY FREEZE):
        # nothing is left for the first readers (hint bits) or VACUUM (freezing) to write
        # back. Pages are marked all-visible as they are written only where COPY writes
        # in batches, not into a table with a BEFORE row trigger (leads): the seed
        # VACUUMs after its commit for that. (Older snapshots of other sessions see the
        # rows once committed: no matter for a seed that has just reset the tables.)
        self.freeze = freeze
        self.next_id: dict[type[models.Model], int] = {}
        self.rows_loaded: dict[str, int] = {}
        self._copy_sql: dict[type[models.Model], str] = {}
        self._row_suffix: dict[type[models.Model], str] = {}
        self._dropped_indexes: list[tuple[str, str]] = []  # (label, statement)
        self._dropped_keys: list[tuple[str, str, str]] = []
        self._queue: queue.Queue = queue.Queue(maxsize=2)
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None
        # Where the time goes: in COPY (PostgreSQL busy) and waiting for it (generator idle).
        self.copy_seconds = 0.0
        self.wait_seconds = 0.0

    def declare(self, model: type[models.Model], columns: tuple[str, ...]) -> None:
        """Say which columns the generator writes for `model`, in row order.

        Columns it does not write (added by later migrations) get the field's default,
        so a new field with a default never breaks seeding; one without fails loudly.
        """
        written = set(columns)
        extra_columns, extra_values = [], []
        for field in model._meta.concrete_fields:
            if field.column in written or field.db_default is not NOT_PROVIDED:
                continue  # a database default fills the column by itself
            extra_columns.append(field.column)
            extra_values.append(_default_as_copy_text(model, field))
        table = model._meta.db_table
        options = " WITH (FREEZE)" if self.freeze else ""
        self._copy_sql[model] = (
            f"COPY {table} ({', '.join([*columns, *extra_columns])}) FROM STDIN{options}"
        )
        self._row_suffix[model] = "".join("\t" + value for value in extra_values)

    def put(self, model: type[models.Model], rows: list[str]) -> None:
        """Queue rows (tab-separated, no newline) for COPY; blocks while two chunks wait."""
        if self._error is not None:
            raise self._error
        if rows:
            suffix = self._row_suffix[model]
            data = ((suffix + "\n").join(rows) + suffix + "\n").encode()
            started = time.monotonic()
            self._queue.put((model, data, len(rows)))
            self.wait_seconds += time.monotonic() - started

    def _copy_worker(self, raw_connection) -> None:
        with raw_connection.cursor() as cursor:
            while True:
                item = self._queue.get()
                if item is None:
                    return
                if self._error is not None:
                    continue  # drain so the producer never blocks
                model, data, count = item
                started = time.monotonic()
                try:
                    # One read of the whole chunk: psycopg2 takes the GIL back after each
                    # read, and the generator thread holds it most of the time.
                    cursor.copy_expert(self._copy_sql[model], io.BytesIO(data), size=len(data))
                    table = model._meta.db_table
                    self.rows_loaded[table] = self.rows_loaded.get(table, 0) + count
                except BaseException as exc:
                    self._error = exc
                self.copy_seconds += time.monotonic() - started

    def start(self) -> None:
        with connection.cursor() as cursor:
            # Altering a table (its triggers below, its keys for a rebuild) alters the
            # tables it references too, which PostgreSQL refuses while checks of rows
            # written earlier in this transaction wait: run those checks now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            for model in self.tables:
                table = model._meta.db_table
                # No one else writes these tables while we hand out ids.
                cursor.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")
                cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")  # noqa: S608
                self.next_id[model] = cursor.fetchone()[0]
                # The demo's rows are the hospital's past, like rows that existed before
                # change history was switched on: no history events for the load (they
                # doubled the writes of a big seed). Only until the end of this
                # transaction; whatever happens to these rows later is recorded. The
                # leads' search-names trigger is off with them: the generated rows carry
                # those names already (people_and_leads.LEAD_COLUMNS).
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
            if self.rebuild:
                # Index builds run in parallel (max_parallel_maintenance_workers, the
                # server's default 2); 1GB instead of 512MB measured no faster.
                cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
                for model in self.tables:
                    self._drop_indexes_and_keys(cursor, model._meta.db_table)
        connection.ensure_connection()
        self._thread = threading.Thread(
            target=self._copy_worker, args=(connection.connection,), daemon=True
        )
        self._thread.start()

    def finish(self, *, on_step=None) -> None:
        """Wait for the last COPY, rebuild the indexes, ANALYZE, check the foreign keys
        again and move the id sequences on."""
        self._stop_worker()
        if self._error is not None:
            raise self._error
        if on_step:
            on_step(
                f"COPY done: PostgreSQL busy {self.copy_seconds:.1f} s, "
                f"generator waited {self.wait_seconds:.1f} s for it"
            )
        with connection.cursor() as cursor:
            for label, statement in self._dropped_indexes:
                if on_step:
                    on_step(f"Building {label}")
                cursor.execute(statement)
            # Statistics before the foreign-key checks, so their anti-joins are planned
            # with the real row counts.
            for model in self.tables:
                if on_step:
                    on_step(f"Analyzing {model._meta.db_table}")
                cursor.execute(f"ANALYZE {model._meta.db_table}")
            for table, name, definition in self._dropped_keys:
                if on_step:
                    on_step(f"Checking foreign key {name}")
                cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}")
            # The loaded rows' key checks wait, deferred, and hold ALTER TABLE off.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            for model in self.tables:
                table = model._meta.db_table
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                    f"COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM {table}"
                )

    def abort(self) -> None:
        self._stop_worker()

    def _stop_worker(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._thread = None

    def _drop_indexes_and_keys(self, cursor, table: str) -> None:
        """Drop the secondary indexes and the foreign keys of `table`. The primary key
        stays: dropping it too saved ~10 CPU seconds of COPY per million leads but took
        ~6 to rebuild after the load, when nothing else runs, and other apps' foreign
        keys point at it."""
        cursor.execute(
            """
            SELECT index_class.relname, pg_get_indexdef(ix.indexrelid)
            FROM pg_index ix
            JOIN pg_class index_class ON index_class.oid = ix.indexrelid
            WHERE ix.indrelid = %s::regclass
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = ix.indexrelid)
            ORDER BY index_class.relname
            """,
            [table],
        )
        for name, definition in cursor.fetchall():
            cursor.execute(f'DROP INDEX "{name}"')
            self._dropped_indexes.append((f"index {name}", definition))
        cursor.execute(
            """
            SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
            WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname
            """,
            [table],
        )
        for name, definition in cursor.fetchall():
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
            self._dropped_keys.append((table, f'"{name}"', definition))


@contextmanager
def bulk_load(*, tables: list[type[models.Model]], rebuild: bool, freeze: bool = False):
    """Run a BulkLoader for the duration of the block (inside a transaction)."""
    loader = BulkLoader(tables=tables, rebuild=rebuild, freeze=freeze)
    loader.start()
    try:
        yield loader
    except BaseException:
        loader.abort()
        raise


def _default_as_copy_text(model: type[models.Model], field: models.Field) -> str:
    if field.has_default() or field.null:
        value = field.get_default() if field.has_default() else None
    elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        raise ValueError(f"seed_demo must write {model.__name__}.{field.name} itself.")
    else:
        raise ValueError(
            f"seed_demo does not know how to fill {model.__name__}.{field.name}: "
            "give the field a default or teach apps/demo/seeding to write it."
        )
    if value is None:
        return NULL
    if isinstance(value, bool):
        return "t" if value else "f"
    if field.get_internal_type() == "ArrayField":
        return "{" + ",".join(f'"{item}"' for item in value) + "}"
    if isinstance(value, dict | list):
        return json.dumps(value).replace("\\", "\\\\")
    prepared = field.get_db_prep_save(value, connection)
    return str(prepared).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
