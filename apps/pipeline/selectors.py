"""Reads of pipeline stages. Stages change rarely, so they are read once per process."""

from functools import cache

from apps.pipeline.models import PipelineStage


def stage_list() -> list[PipelineStage]:
    return list(PipelineStage.objects.filter(is_active=True).order_by("position"))


def stage_get_by_slug(slug: str) -> PipelineStage:
    return _stage_ids_by_slug_cached()[slug]


@cache
def _stage_ids_by_slug_cached() -> dict[str, PipelineStage]:
    # Stage rows are reference data set by migration and admin; a process restart
    # picks up admin edits. Tests that rename stages call stage_cache_clear().
    return {stage.slug: stage for stage in PipelineStage.objects.all()}


def stage_cache_clear() -> None:
    _stage_ids_by_slug_cached.cache_clear()


def stages_by_id(stage_ids) -> dict[int, PipelineStage]:
    """Stages by id from the process cache; a stage added since the cache was filled is
    read from the database."""
    stages = {stage.pk: stage for stage in _stage_ids_by_slug_cached().values()}
    missing = set(stage_ids) - set(stages)
    if missing:
        stages.update((stage.pk, stage) for stage in PipelineStage.objects.filter(pk__in=missing))
    return stages


def stage_list_cached() -> list[PipelineStage]:
    """Every stage (active or not) in pipeline order, read once per process like
    stage_get_by_slug: for hot pages that must not spend a query on reference data."""
    return sorted(_stage_ids_by_slug_cached().values(), key=lambda stage: stage.position)
