"""Create the configured PostgreSQL database if it does not exist yet (for `make run`)."""

import psycopg2
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from psycopg2 import sql


class Command(BaseCommand):
    help = "Create the database named in DATABASE_URL if it is missing."

    def handle(self, *args, **options) -> None:
        db = settings.DATABASES["default"]
        params = {
            "host": db.get("HOST") or None,
            "port": db.get("PORT") or None,
            "user": db.get("USER") or None,
            "password": db.get("PASSWORD") or None,
            "connect_timeout": 5,
        }
        try:
            # Connect to the maintenance database: the target may not exist yet.
            connection = psycopg2.connect(dbname="postgres", **params)
        except psycopg2.OperationalError as exc:
            raise CommandError(
                f"PostgreSQL does not answer at {db.get('HOST')}:{db.get('PORT')}: {exc}"
            ) from exc
        connection.autocommit = True  # CREATE DATABASE cannot run in a transaction
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]])
                if cursor.fetchone():
                    self.stdout.write(f"Database {db['NAME']} exists.")
                    return
                cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db["NAME"])))
        finally:
            connection.close()
        self.stdout.write(self.style.SUCCESS(f"Created database {db['NAME']}."))
