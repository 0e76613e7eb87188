"""Drop single-column foreign-key indexes that a composite index already starts
with, or that serve no read (few-valued keys over millions of rows).

Only the indexes go: the foreign keys stay as they are, so nothing is revalidated
(AlterField alone would drop and re-add each constraint, rechecking every row).
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('people', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='consent',
                    name='person',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='consents', to='people.person'),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    sql='DROP INDEX IF EXISTS "people_consent_person_id_a757a92f"',
                    reverse_sql='CREATE INDEX IF NOT EXISTS "people_consent_person_id_a757a92f" ON "people_consent" ("person_id")',
                )
            ],
        )
    ]
