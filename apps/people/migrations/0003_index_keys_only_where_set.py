"""Index the foreign keys that most rows leave empty only where they are set.

Intake inserts a lead with no owner, team, caregiver, merge or appointment source,
and system activities and form consents carry no staff member: partial indexes
skip those rows entirely. A lookup by a key (`= id`) uses the partial index as it
did the full one. Only the indexes change: the foreign keys stay, unchecked again.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('people', '0002_drop_indexes_covered_or_unused'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='consent',
                    name='recorded_by',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, to=settings.AUTH_USER_MODEL),
                ),
                migrations.AlterField(
                    model_name='person',
                    name='patient',
                    field=models.ForeignKey(blank=True, db_index=False, help_text='For a caregiver: the patient they inquire for.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='caregivers', to='people.person'),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    sql='DROP INDEX IF EXISTS "people_consent_recorded_by_id_a47a1cb6";\nDROP INDEX IF EXISTS "people_person_patient_id_7ac1af67"',
                    reverse_sql='CREATE INDEX IF NOT EXISTS "people_consent_recorded_by_id_a47a1cb6" ON "people_consent" ("recorded_by_id");\nCREATE INDEX IF NOT EXISTS "people_person_patient_id_7ac1af67" ON "people_person" ("patient_id")',
                )
            ],
        ),
        migrations.AddIndex(
            model_name='consent',
            index=models.Index(condition=models.Q(('recorded_by__isnull', False)), fields=['recorded_by'], name='consent_recorded_by_idx'),
        ),
        migrations.AddIndex(
            model_name='person',
            index=models.Index(condition=models.Q(('patient__isnull', False)), fields=['patient'], name='person_patient_idx'),
        ),
    ]
