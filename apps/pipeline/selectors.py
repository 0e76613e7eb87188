"""Reads of pipeline stages: a small table read on most pages, so it is cached
(apps.core.reference_cache: an edit in the admin shows on the next request of the
process that made it, and within seconds in the others)."""

from apps.core.reference_cache import ReferenceCache
from apps.pipeline.models import PipelineStage


def _stages_by_slug() -> dict[str, PipelineStage]:
    return {stage.slug: stage for stage in PipelineStage.objects.all()}


_stages = ReferenceCache("stages-by-slug", _stages_by_slug, watch=(PipelineStage,))


def stage_list() -> list[PipelineStage]:
    return list(PipelineStage.objects.filter(is_active=True).order_by("position"))


def stage_get_by_slug(slug: str) -> PipelineStage:
    return _stages.get()[slug]


def stages_by_id(stage_ids) -> dict[int, PipelineStage]:
    """Stages by id from the cache; a stage added since it was filled is read from the
    database."""
    stages = {stage.pk: stage for stage in _stages.get().values()}
    missing = set(stage_ids) - set(stages)
    if missing:
        stages.update((stage.pk, stage) for stage in PipelineStage.objects.filter(pk__in=missing))
    return stages


def stage_list_cached() -> list[PipelineStage]:
    """Every stage (active or not) in pipeline order, from the cache: for hot pages that
    must not spend a query on reference data."""
    return sorted(_stages.get().values(), key=lambda stage: stage.position)
