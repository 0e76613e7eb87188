"""Trigram indexes that let a part of a name or an email be found among millions of
people and referral sources (pg_trgm GIN indexes on the lower-cased text).

They live in the search app, the one reader that needs them, rather than in the people
and referral source models: created here with the extension they depend on.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEXES = [
    ("people_person", "person_first_trgm_idx", "lower(first_name)"),
    ("people_person", "person_last_trgm_idx", "lower(last_name)"),
    ("people_person", "person_email_trgm_idx", "lower(email)"),
    ("referral_sources_referralsource", "source_name_trgm_idx", "lower(name)"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0001_initial"),
        ("referral_sources", "0001_initial"),
    ]

    operations = [
        TrigramExtension(),
        *[
            migrations.RunSQL(
                f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({column} gin_trgm_ops)",
                f"DROP INDEX IF EXISTS {name}",
            )
            for table, name, column in INDEXES
        ],
    ]
