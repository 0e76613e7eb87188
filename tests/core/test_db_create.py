import psycopg2
import pytest
from django.core.management import call_command
from django.db import connection


@pytest.fixture
def throwaway_database_name(settings):
    name = "leadcrm_db_create_check"
    params = {
        k: v
        for k, v in {
            "host": connection.settings_dict.get("HOST") or None,
            "port": connection.settings_dict.get("PORT") or None,
            "user": connection.settings_dict.get("USER") or None,
        }.items()
        if v
    }
    admin = psycopg2.connect(dbname="postgres", **params)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {name}")
    settings.DATABASES = {"default": {**settings.DATABASES["default"], "NAME": name}}
    yield name, admin
    with admin.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {name}")
    admin.close()


def _exists(admin, name) -> bool:
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        return cursor.fetchone() is not None


def test_db_create_makes_the_missing_database_once(throwaway_database_name, capsys):
    name, admin = throwaway_database_name
    call_command("db_create")
    assert _exists(admin, name)
    call_command("db_create")  # a second run finds it and changes nothing
    out = capsys.readouterr().out
    assert f"Created database {name}." in out
    assert f"Database {name} exists." in out
