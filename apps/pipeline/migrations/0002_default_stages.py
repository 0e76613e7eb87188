from django.db import migrations

# Frozen copy of apps.pipeline.choices.DEFAULT_STAGES at the time of this migration.
DEFAULT_STAGES = [
    ("new", "New", "open"),
    ("attempting-contact", "Attempting contact", "open"),
    ("contacted", "Contacted", "open"),
    ("qualified", "Qualified", "open"),
    ("scheduled", "Scheduled", "open"),
    ("completed", "Completed", "won"),
    ("not-ready", "Not ready", "nurture"),
    ("disqualified", "Disqualified", "lost"),
    ("referred-elsewhere", "Referred elsewhere", "lost"),
]


def create_default_stages(apps, schema_editor):
    PipelineStage = apps.get_model("pipeline", "PipelineStage")
    for position, (slug, name, kind) in enumerate(DEFAULT_STAGES, start=1):
        PipelineStage.objects.update_or_create(
            slug=slug, defaults={"name": name, "kind": kind, "position": position * 10}
        )


class Migration(migrations.Migration):
    dependencies = [("pipeline", "0001_initial")]
    operations = [migrations.RunPython(create_default_stages, migrations.RunPython.noop)]
