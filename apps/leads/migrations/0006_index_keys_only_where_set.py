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
        ('facilities', '0001_initial'),
        ('leads', '0005_drop_indexes_covered_or_unused'),
        ('people', '0003_index_keys_only_where_set'),
        ('pipeline', '0002_default_stages'),
        ('referral_sources', '0001_initial'),
        ('servicelines', '0001_initial'),
        ('teams', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='activity',
                    name='assignee',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='assigned_tasks', to=settings.AUTH_USER_MODEL),
                ),
                migrations.AlterField(
                    model_name='activity',
                    name='author',
                    field=models.ForeignKey(blank=True, db_index=False, help_text='Empty for the system: intake, routing and automatic messages.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='activities', to=settings.AUTH_USER_MODEL),
                ),
                migrations.AlterField(
                    model_name='lead',
                    name='caregiver',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='leads_as_caregiver', to='people.person'),
                ),
                migrations.AlterField(
                    model_name='lead',
                    name='merged_into',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='merged_leads', to='leads.lead'),
                ),
                migrations.AlterField(
                    model_name='lead',
                    name='owner',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='owned_leads', to=settings.AUTH_USER_MODEL),
                ),
                migrations.AlterField(
                    model_name='lead',
                    name='referral_source_at_appointment',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='leads_at_appointment', to='referral_sources.referralsource'),
                ),
                migrations.AlterField(
                    model_name='lead',
                    name='team',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, to='teams.team'),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    sql='DROP INDEX IF EXISTS "leads_activity_assignee_id_324d7ecb";\nDROP INDEX IF EXISTS "leads_activity_author_id_7ad4e0ec";\nDROP INDEX IF EXISTS "leads_lead_caregiver_id_42687747";\nDROP INDEX IF EXISTS "leads_lead_merged_into_id_c068178b";\nDROP INDEX IF EXISTS "leads_lead_owner_id_1f4568d0";\nDROP INDEX IF EXISTS "leads_lead_referral_source_at_appointment_id_e4ec0bbe";\nDROP INDEX IF EXISTS "leads_lead_team_id_93d3ec8e"',
                    reverse_sql='CREATE INDEX IF NOT EXISTS "leads_activity_assignee_id_324d7ecb" ON "leads_activity" ("assignee_id");\nCREATE INDEX IF NOT EXISTS "leads_activity_author_id_7ad4e0ec" ON "leads_activity" ("author_id");\nCREATE INDEX IF NOT EXISTS "leads_lead_caregiver_id_42687747" ON "leads_lead" ("caregiver_id");\nCREATE INDEX IF NOT EXISTS "leads_lead_merged_into_id_c068178b" ON "leads_lead" ("merged_into_id");\nCREATE INDEX IF NOT EXISTS "leads_lead_owner_id_1f4568d0" ON "leads_lead" ("owner_id");\nCREATE INDEX IF NOT EXISTS "leads_lead_referral_source_at_appointment_id_e4ec0bbe" ON "leads_lead" ("referral_source_at_appointment_id");\nCREATE INDEX IF NOT EXISTS "leads_lead_team_id_93d3ec8e" ON "leads_lead" ("team_id")',
                )
            ],
        ),
        migrations.AddIndex(
            model_name='activity',
            index=models.Index(condition=models.Q(('author__isnull', False)), fields=['author'], name='activity_author_idx'),
        ),
        migrations.AddIndex(
            model_name='activity',
            index=models.Index(condition=models.Q(('assignee__isnull', False)), fields=['assignee'], name='activity_assignee_idx'),
        ),
        migrations.AddIndex(
            model_name='lead',
            index=models.Index(condition=models.Q(('caregiver__isnull', False)), fields=['caregiver'], name='lead_caregiver_idx'),
        ),
        migrations.AddIndex(
            model_name='lead',
            index=models.Index(condition=models.Q(('owner__isnull', False)), fields=['owner'], name='lead_owner_idx'),
        ),
        migrations.AddIndex(
            model_name='lead',
            index=models.Index(condition=models.Q(('team__isnull', False)), fields=['team'], name='lead_team_idx'),
        ),
        migrations.AddIndex(
            model_name='lead',
            index=models.Index(condition=models.Q(('referral_source_at_appointment__isnull', False)), fields=['referral_source_at_appointment'], name='lead_source_at_appt_idx'),
        ),
        migrations.AddIndex(
            model_name='lead',
            index=models.Index(condition=models.Q(('merged_into__isnull', False)), fields=['merged_into'], name='lead_merged_into_idx'),
        ),
    ]
