"""Database helpers shared by the domain apps."""

import datetime as dt
import hashlib
from functools import cache

from django.db import DEFAULT_DB_ALIAS, connection, connections, models


def advisory_xact_lock(namespace: str, key: str) -> None:
    """Hold a PostgreSQL advisory lock on (namespace, key) until the transaction ends.

    Serializes writers that would otherwise race past a read-then-insert check (two
    intake requests for the same person, the same Idempotency-Key twice) without
    locking any table. Only a hash of the key reaches PostgreSQL.
    """
    advisory_xact_locks([(namespace, key)])


def advisory_xact_locks(keys: list[tuple[str, str]]) -> None:
    """`advisory_xact_lock` on several (namespace, key) pairs in one statement.

    They are taken in sorted order (PostgreSQL evaluates the select list left to right),
    so two callers locking overlapping sets cannot deadlock, provided every caller that
    takes more than one of these locks takes them all through here, at once.
    """
    if not keys:
        return
    lock_ids = [_lock_id(namespace, key) for namespace, key in sorted(keys)]
    calls = ", ".join(["pg_advisory_xact_lock(%s)"] * len(lock_ids))
    with connection.cursor() as cursor:
        execute_prepared(cursor, f"SELECT {calls}", lock_ids)


def _lock_id(namespace: str, key: str) -> int:
    digest = hashlib.blake2b(f"{namespace}:{key}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def insert_rows(instances: list[models.Model]) -> None:
    """INSERT new instances of one model in one statement, as a lean bulk_create.

    For hot paths only (an intake's person and consents): the ORM spent longer building
    these INSERTs than PostgreSQL took to run them. Values are prepared as Model.save()
    would (auto_now, field defaults already set on the instances, get_db_prep_save),
    but no save signals are sent, so use it only for models without receivers. Sets the
    primary keys and marks the instances saved.
    """
    if not instances:
        return
    model = type(instances[0])
    fields = _insertable_fields(model, exclude=None)
    # The connection itself, not the thread-local proxy: fields consult it per value.
    db = connections[DEFAULT_DB_ALIAS]
    params = []
    for instance in instances:
        params += _insert_params(instance, fields, db)
    with db.cursor() as cursor:
        execute_prepared(cursor, _insert_rows_sql(model, len(instances)), params)
        pks = [pk for (pk,) in cursor.fetchall()]
    for instance, pk in zip(instances, pks, strict=True):
        instance.pk = pk
        instance._state.adding = False
        instance._state.db = db.alias


def insert_with_child(*, parent: models.Model, child: models.Model, child_fk: str) -> None:
    """INSERT two new model instances, `child` pointing at `parent` through its foreign
    key `child_fk`, in one statement (a data-modifying CTE) and one round trip.

    For hot paths only (a lead and its first inquiry): the ORM spent about as long
    building the two INSERTs as PostgreSQL took to run them. Values are prepared as
    Model.save() would (auto_now, field defaults already set on the instances,
    get_db_prep_save), but no save signals are sent, so use it only for models without
    receivers. Sets both primary keys and marks both instances saved.
    """
    parent_fields = _insertable_fields(type(parent), exclude=None)
    child_fields = _insertable_fields(type(child), exclude=child_fk)
    sql = _insert_with_child_sql(type(parent), type(child), child_fk)
    # The connection itself, not the thread-local proxy: fields consult it per value.
    db = connections[DEFAULT_DB_ALIAS]
    params = [*_insert_params(parent, parent_fields, db), *_insert_params(child, child_fields, db)]
    with db.cursor() as cursor:
        execute_prepared(cursor, sql, params)
        parent_pk, child_pk = cursor.fetchone()
    parent.pk = parent_pk
    setattr(child, type(child)._meta.get_field(child_fk).attname, parent_pk)
    child.pk = child_pk
    for instance in (parent, child):
        instance._state.adding = False
        instance._state.db = db.alias


def execute_prepared(cursor, sql: str, params: list) -> None:
    """Run `sql` (%s placeholders) on a Django cursor as a prepared statement of its
    connection: PREPARE the first time the connection sees it, EXECUTE from then on.

    For the statements every intake runs. PostgreSQL otherwise parses, analyses and
    plans each one afresh; for the lead's 45-column INSERT that was about a third of
    its cost. The statement's text must be fixed (only quoted names from code, never
    values), so each distinct text is prepared once per connection and kept.

    PREPARE goes through the driver's own cursor, so it is not counted among the
    request's queries; it outlives a rollback, and a new connection (after an error, or
    CONN_MAX_AGE) starts a new set. Not for use behind a pooler in transaction mode
    (PgBouncer), which hands a session's prepared statements to other clients.
    """
    db = cursor.db
    raw = db.connection
    state = getattr(db, "_prepared_statements", None)
    if state is None or state[0] is not raw:
        state = (raw, {})
        db._prepared_statements = state
    names = state[1]
    name = names.get(sql)
    if name is None:
        name = f"leadcrm_{len(names) + 1}"
        with raw.cursor() as plain:
            plain.execute(f"PREPARE {name} AS {_numbered_placeholders(sql)}")
        names[sql] = name
    if params:
        cursor.execute(f"EXECUTE {name} ({', '.join(['%s'] * len(params))})", params)
    else:
        cursor.execute(f"EXECUTE {name}")


def _numbered_placeholders(sql: str) -> str:
    """psycopg2's %s placeholders as PostgreSQL's $1, $2, ... (for PREPARE)."""
    parts = sql.split("%s")
    return "".join(
        part + (f"${number}" if number < len(parts) else "")
        for number, part in enumerate(parts, start=1)
    )


@cache
def _insertable_fields(model: type[models.Model], exclude: str | None) -> tuple:
    """The columns Model.save() would insert: concrete, not the auto primary key, not
    generated by the database."""
    meta = model._meta
    return tuple(
        field
        for field in meta.local_concrete_fields
        if field is not meta.auto_field
        and not getattr(field, "generated", False)
        and field.name != exclude
    )


@cache
def _insert_rows_sql(model: type[models.Model], count: int) -> str:
    quote = connection.ops.quote_name
    fields = _insertable_fields(model, exclude=None)
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    # Only quoted table and column names from the model's metadata are formatted in.
    return (
        f"INSERT INTO {quote(model._meta.db_table)} "  # noqa: S608
        f"({', '.join(quote(field.column) for field in fields)}) "
        f"VALUES {', '.join([row] * count)} RETURNING {quote(model._meta.pk.column)}"
    )


@cache
def _insert_with_child_sql(
    parent_model: type[models.Model], child_model: type[models.Model], child_fk: str
) -> str:
    quote = connection.ops.quote_name
    parent_fields = _insertable_fields(parent_model, exclude=None)
    child_fields = _insertable_fields(child_model, exclude=child_fk)
    parent_pk = quote(parent_model._meta.pk.column)
    fk_column = quote(child_model._meta.get_field(child_fk).column)

    def columns(fields) -> str:
        return ", ".join(quote(field.column) for field in fields)

    def placeholders(fields) -> str:
        return ", ".join(["%s"] * len(fields))

    # VALUES rather than SELECT: NULLs and quoted literals take the target columns' types.
    # Only quoted table and column names from the models' metadata are formatted in.
    return (
        f"WITH new_parent AS (INSERT INTO {quote(parent_model._meta.db_table)} "  # noqa: S608
        f"({columns(parent_fields)}) VALUES ({placeholders(parent_fields)}) "
        f"RETURNING {parent_pk}) "
        f"INSERT INTO {quote(child_model._meta.db_table)} ({fk_column}, {columns(child_fields)}) "
        f"VALUES ((SELECT {parent_pk} FROM new_parent), {placeholders(child_fields)}) "
        f"RETURNING {fk_column}, {quote(child_model._meta.pk.column)}"
    )


def _insert_params(instance: models.Model, fields: tuple, db) -> list:
    params = []
    for field in fields:
        value = field.pre_save(instance, True)
        # Most values of a row are already what the driver takes (a str for a plain
        # CharField, an int for a key, an aware datetime): the field's preparation
        # would hand them back unchanged, at a cost per value that added up.
        if value is None or type(value) in _AS_IS.get(type(field), ()):
            if type(value) is dt.datetime and value.tzinfo is None:
                value = field.get_db_prep_save(value, connection=db)  # warns, as save() does
            params.append(value)
        else:
            params.append(field.get_db_prep_save(value, connection=db))
    return params


# Field classes (exactly these, not subclasses such as PhoneNumberField, whose values
# need their own preparation) and the value types that pass to the driver as they are.
_AS_IS: dict[type, tuple[type, ...]] = {
    models.CharField: (str,),
    models.TextField: (str,),
    models.SlugField: (str,),
    models.EmailField: (str,),
    models.URLField: (str,),
    models.BooleanField: (bool,),
    models.IntegerField: (int,),
    models.SmallIntegerField: (int,),
    models.BigIntegerField: (int,),
    models.PositiveIntegerField: (int,),
    models.PositiveSmallIntegerField: (int,),
    models.ForeignKey: (int,),
    models.DateTimeField: (dt.datetime,),
}
