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
    """INSERT new instances of one model in one statement, as a lean bulk_create (see
    insert_together, which this is for a single group)."""
    if instances:
        insert_together((instances, {}))


# New instances of one model, and their foreign keys (by field name) pointing at a
# single new instance of an earlier group: (instances, {"lead": lead}).
InsertGroup = tuple[list[models.Model], dict[str, models.Model]]


def insert_together(*groups: InsertGroup) -> None:
    """INSERT new instances of several models in one statement and one round trip:
    each group is a data-modifying CTE, and a foreign key to an earlier group's
    instance takes the key that group's INSERT returns.

    For hot paths only (an intake's person, lead, first inquiry and consents): the ORM
    spent longer building these INSERTs than PostgreSQL took to run them, and each
    statement was a round trip. Values are prepared as Model.save() would (auto_now,
    field defaults already set on the instances, get_db_prep_save), but no save signals
    are sent, so use it only for models without receivers. The statement is prepared
    per connection (execute_prepared). Sets the primary keys and the linked foreign
    keys (keeping the related instances cached) and marks the instances saved.
    """
    # The connection itself, not the thread-local proxy: fields consult it per value.
    db = connections[DEFAULT_DB_ALIAS]
    group_of: dict[int, int] = {}  # id(instance) -> its group, for one-instance groups
    shape, params = [], []
    for number, (instances, links) in enumerate(groups):
        model = type(instances[0])
        link_shape = tuple(sorted((name, group_of[id(parent)]) for name, parent in links.items()))
        fields = _insertable_fields(model, exclude=frozenset(links))
        for instance in instances:
            params += _insert_params(instance, fields, db)
        shape.append((model, len(instances), link_shape))
        if len(instances) == 1:
            group_of[id(instances[0])] = number
    with db.cursor() as cursor:
        execute_prepared(cursor, _insert_together_sql(tuple(shape)), params)
        keys_by_group = cursor.fetchone()
    for (instances, links), keys in zip(groups, keys_by_group, strict=True):
        meta = type(instances[0])._meta
        for instance, pk in zip(instances, keys, strict=True):
            for name, parent in links.items():
                field = meta.get_field(name)
                setattr(instance, field.attname, parent.pk)  # earlier group: already set
                field.set_cached_value(instance, parent)
            instance.pk = pk
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
    if "%%" in sql:  # psycopg2's escaped percent would reach PREPARE doubled
        raise ValueError("A prepared statement cannot contain a literal %.")
    parts = sql.split("%s")
    return "".join(
        part + (f"${number}" if number < len(parts) else "")
        for number, part in enumerate(parts, start=1)
    )


@cache
def _insertable_fields(model: type[models.Model], exclude: frozenset[str]) -> tuple:
    """The columns Model.save() would insert: concrete, not the auto primary key, not
    generated by the database, not the excluded foreign keys (set by the statement)."""
    meta = model._meta
    return tuple(
        field
        for field in meta.local_concrete_fields
        if field is not meta.auto_field
        and not getattr(field, "generated", False)
        and field.name not in exclude
    )


@cache
def _insert_together_sql(shape: tuple) -> str:
    """The statement of insert_together for a shape: per group its model, number of
    rows and links (foreign key name, group it points at)."""
    quote = connection.ops.quote_name
    ctes, key_lists = [], []
    for number, (model, count, links) in enumerate(shape):
        meta = model._meta
        fields = _insertable_fields(model, exclude=frozenset(name for name, _ in links))
        columns = [quote(meta.get_field(name).column) for name, _ in links]
        columns += [quote(field.column) for field in fields]
        values = [
            f"(SELECT {quote(shape[group][0]._meta.pk.column)} FROM new_{group})"  # noqa: S608
            for _, group in links
        ]
        row = "(" + ", ".join([*values, *["%s"] * len(fields)]) + ")"
        pk = quote(meta.pk.column)
        # VALUES: NULLs and quoted literals take the target columns' types. Only
        # quoted table and column names from the models' metadata are formatted in.
        ctes.append(
            f"new_{number} AS (INSERT INTO {quote(meta.db_table)} ({', '.join(columns)}) "  # noqa: S608
            f"VALUES {', '.join([row] * count)} RETURNING {pk})"
        )
        # A multi-row INSERT returns its rows in the order of its VALUES.
        key_lists.append(f"ARRAY(SELECT {pk} FROM new_{number})")  # noqa: S608
    return f"WITH {', '.join(ctes)} SELECT {', '.join(key_lists)}"


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
