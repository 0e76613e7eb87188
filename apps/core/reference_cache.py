"""Per-process copies of small reference tables read on hot paths (the intake API).

Service lines, locations and intake keys change a few times a year but
are read on every inquiry; one query each per request was a fifth of an intake's cost.
Each cache holds what its loader returned for at most `ttl` seconds. A save or delete of
a watched model clears it at once in the process that made the change (and again after
that transaction commits, so a value read mid-transaction does not linger); the other
processes see the change when their copy expires. Wall-clock time is used, so tests can
travel past the expiry with time-machine.
"""

import copy
import time
from collections.abc import Callable
from typing import Generic, TypeVar

from django.db import models, transaction
from django.db.models.signals import post_delete, post_save

T = TypeVar("T")

# Long enough that a busy process reloads a table a few times a minute at most; short
# enough that a switched-off service line or a revoked intake key stops working in
# every process within seconds.
REFERENCE_CACHE_SECONDS = 10.0

_all_caches: list["ReferenceCache"] = []


class ReferenceCache(Generic[T]):
    """The value of `load()`, kept for `ttl` seconds in this process."""

    def __init__(
        self,
        load: Callable[[], T],
        *,
        watch: tuple[type[models.Model], ...],
        ttl: float = REFERENCE_CACHE_SECONDS,
    ):
        self._load = load
        self._ttl = ttl
        # (loaded at, value) in one attribute, read and replaced whole, so a thread never
        # sees one half of another thread's reload or clear.
        self._entry: tuple[float, T] | None = None
        _all_caches.append(self)
        for model in watch:
            for signal in (post_save, post_delete):
                signal.connect(self._changed, sender=model, weak=False)

    def get(self) -> T:
        now = time.time()
        entry = self._entry
        # A clock set back counts as expired too, rather than extending the copy's life.
        if entry is None or not entry[0] <= now < entry[0] + self._ttl:
            entry = (now, self._load())
            self._entry = entry
        return entry[1]

    def clear(self) -> None:
        self._entry = None

    def _changed(self, *, using: str, **kwargs) -> None:
        self.clear()
        transaction.on_commit(self.clear, using=using)


def reference_caches_clear() -> None:
    """Forget every cached table in this process (tests roll back rows between cases)."""
    for cache in _all_caches:
        cache.clear()


M = TypeVar("M", bound=models.Model)


class RowsBySlug(Generic[M]):
    """A per-process copy of a small table with a `slug`, for lookups by slug.

    A slug missing from the copy is looked up in the database, since the row may have
    been added since the copy was made (the copy is then reloaded on next use). Each
    caller gets its own shallow copy of the row, so nothing it sets leaks to others.
    """

    def __init__(self, model: type[M]):
        self._model = model
        self._rows = ReferenceCache(
            lambda: {row.slug: row for row in model.objects.all()}, watch=(model,)
        )

    def find(self, slug: str) -> M | None:
        row = self._rows.get().get(slug)
        if row is None:
            row = self._model.objects.filter(slug=slug).first()
            if row is not None:
                self._rows.clear()
            return row
        return copy.copy(row)
