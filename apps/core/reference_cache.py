"""Small reference tables read on every inquiry or page: intake keys, service lines,
locations and pipeline stages, kept in Django's cache framework (the `reference` cache,
local memory: a lookup never waits on the network, and a Redis outage never fails an
intake).

One rule for all of them: a save or delete through the ORM clears the table's entry at
once in the process that made it, and again once the transaction commits (a reader in
between may have cached the old rows); every other process reads the table afresh within
REFERENCE_CACHE_SECONDS, when its entry expires. A write that sends no model signal
(QuerySet.update) calls `clear()` itself. Each read hands out its own copy of the rows
(the cache stores them pickled), so nothing a caller sets leaks to another.
"""

from collections.abc import Callable
from typing import Generic, TypeVar

from django.core.cache import caches
from django.db import models, transaction
from django.db.models.signals import post_delete, post_save

T = TypeVar("T")

# Short enough that a switched-off service line or a revoked intake key stops working in
# every process within seconds; long enough that a busy process reloads a table a few
# times a minute at most. settings.CACHES["reference"] sets the same timeout.
REFERENCE_CACHE_SECONDS = 10


def _cache():
    return caches["reference"]


class ReferenceCache(Generic[T]):
    """The value of `load()` under `key` in the reference cache."""

    def __init__(self, key: str, load: Callable[[], T], *, watch: tuple[type[models.Model], ...]):
        self._key = key
        self._load = load
        for model in watch:
            for signal in (post_save, post_delete):
                signal.connect(self._changed, sender=model, weak=False)

    def get(self) -> T:
        value = _cache().get(self._key)
        if value is None:
            value = self._load()
            _cache().set(self._key, value, REFERENCE_CACHE_SECONDS)
        return value

    def clear(self) -> None:
        _cache().delete(self._key)

    def _changed(self, *, using: str, **kwargs) -> None:
        self.clear()
        transaction.on_commit(self.clear, using=using)


def reference_caches_clear() -> None:
    """Forget every cached table in this process (tests roll back rows between cases)."""
    _cache().clear()


M = TypeVar("M", bound=models.Model)


class RowsBySlug(Generic[M]):
    """A small table with a `slug`, cached for lookups by slug.

    A slug missing from the cached rows is looked up in the database, since the row may
    have been added since they were read (the entry is then cleared).
    """

    def __init__(self, model: type[M]):
        self._model = model
        self._rows = ReferenceCache(
            f"rows-by-slug:{model._meta.label_lower}",
            lambda: {row.slug: row for row in model.objects.all()},
            watch=(model,),
        )

    def find(self, slug: str) -> M | None:
        row = self._rows.get().get(slug)
        if row is None:
            row = self._model.objects.filter(slug=slug).first()
            if row is not None:
                self._rows.clear()
        return row

    def by_id(self, ids) -> dict[int, M]:
        """The rows with these ids, by id; ids missing from the cached rows (added since
        they were read) are looked up in the database."""
        rows = {row.pk: row for row in self._rows.get().values()}
        missing = set(ids) - set(rows)
        if missing:
            rows.update((row.pk, row) for row in self._model.objects.filter(pk__in=missing))
            self._rows.clear()
        return rows
