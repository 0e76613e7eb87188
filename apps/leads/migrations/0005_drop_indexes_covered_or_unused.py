"""Drop single-column foreign-key indexes that a composite index already starts
with, or that serve no read (few-valued keys over millions of rows).

Only the indexes go: the foreign keys stay as they are, so nothing is revalidated
(AlterField alone would drop and re-add each constraint, rechecking every row).
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('facilities', '0001_initial'),
        ('leads', '0004_queue_covering_indexes'),
        ('pipeline', '0002_default_stages'),
        ('referral_sources', '0001_initial'),
        ('servicelines', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='activity',
                    name='from_stage',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='pipeline.pipelinestage'),
                ),
                migrations.AlterField(
                    model_name='activity',
                    name='lead',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='activities', to='leads.lead'),
                ),
                migrations.AlterField(
                    model_name='activity',
                    name='to_stage',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='pipeline.pipelinestage'),
                ),
                migrations.AlterField(
                    model_name='lead',
                    name='appointment_location',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='appointments', to='facilities.location'),
                ),
                migrations.AlterField(
                    model_name='lead',
                    name='location',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, to='facilities.location'),
                ),
                migrations.AlterField(
                    model_name='lead',
                    name='referral_source',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='leads', to='referral_sources.referralsource'),
                ),
                migrations.AlterField(
                    model_name='lead',
                    name='service_line',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, to='servicelines.serviceline'),
                ),
                migrations.AlterField(
                    model_name='lead',
                    name='stage',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, to='pipeline.pipelinestage'),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    sql='DROP INDEX IF EXISTS "leads_activity_from_stage_id_54c4383a";\nDROP INDEX IF EXISTS "leads_activity_lead_id_9cc33a14";\nDROP INDEX IF EXISTS "leads_activity_to_stage_id_56d6bb09";\nDROP INDEX IF EXISTS "leads_lead_appointment_location_id_08036f38";\nDROP INDEX IF EXISTS "leads_lead_location_id_a2cdddc8";\nDROP INDEX IF EXISTS "leads_lead_referral_source_id_5cc42dc5";\nDROP INDEX IF EXISTS "leads_lead_service_line_id_8980d236";\nDROP INDEX IF EXISTS "leads_lead_stage_id_75332acb"',
                    reverse_sql='CREATE INDEX IF NOT EXISTS "leads_activity_from_stage_id_54c4383a" ON "leads_activity" ("from_stage_id");\nCREATE INDEX IF NOT EXISTS "leads_activity_lead_id_9cc33a14" ON "leads_activity" ("lead_id");\nCREATE INDEX IF NOT EXISTS "leads_activity_to_stage_id_56d6bb09" ON "leads_activity" ("to_stage_id");\nCREATE INDEX IF NOT EXISTS "leads_lead_appointment_location_id_08036f38" ON "leads_lead" ("appointment_location_id");\nCREATE INDEX IF NOT EXISTS "leads_lead_location_id_a2cdddc8" ON "leads_lead" ("location_id");\nCREATE INDEX IF NOT EXISTS "leads_lead_referral_source_id_5cc42dc5" ON "leads_lead" ("referral_source_id");\nCREATE INDEX IF NOT EXISTS "leads_lead_service_line_id_8980d236" ON "leads_lead" ("service_line_id");\nCREATE INDEX IF NOT EXISTS "leads_lead_stage_id_75332acb" ON "leads_lead" ("stage_id")',
                )
            ],
        )
    ]
