"""Database helpers shared by the domain apps."""

import hashlib

from django.db import connection


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
    # Transaction-scoped (xact) locks end with the transaction, so they are safe behind
    # a pooler in transaction mode; a session lock would outlive it on a shared connection.
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {calls}", lock_ids)


def _lock_id(namespace: str, key: str) -> int:
    digest = hashlib.blake2b(f"{namespace}:{key}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)
