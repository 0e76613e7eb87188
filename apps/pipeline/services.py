"""Writes to the pipeline's reference data."""

from django.db import transaction

from apps.pipeline.choices import DEFAULT_STAGES
from apps.pipeline.models import PipelineStage


@transaction.atomic
def stage_install_defaults() -> None:
    """Create any default stage that is missing (migrations do this on install; tests
    that flush the database call it again)."""
    for position, (slug, name, kind) in enumerate(DEFAULT_STAGES, start=1):
        PipelineStage.objects.get_or_create(
            slug=slug, defaults={"name": name, "kind": kind, "position": position * 10}
        )
