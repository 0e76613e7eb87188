"""Database helpers shared by the domain apps."""

import hashlib

from django.db import connection


def advisory_xact_lock(namespace: str, key: str) -> None:
    """Hold a PostgreSQL advisory lock on (namespace, key) until the transaction ends.

    Serializes writers that would otherwise race past a read-then-insert check (two
    intake requests for the same person, the same Idempotency-Key twice) without
    locking any table. Only a hash of the key reaches PostgreSQL.
    """
    digest = hashlib.blake2b(f"{namespace}:{key}".encode(), digest_size=8).digest()
    lock_id = int.from_bytes(digest, "big", signed=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [lock_id])
