from django.db import migrations

ROLE = "privacy officer"


def create_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.get_or_create(name=ROLE)


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=ROLE).delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_staff_sessions")]
    operations = [migrations.RunPython(create_group, remove_group)]
