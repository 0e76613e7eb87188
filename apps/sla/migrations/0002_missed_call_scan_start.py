from django.db import migrations
from django.db.models import Max


def start_at_current_activity(apps, schema_editor):
    # Watch missed calls logged from now on: calls from before the install would
    # otherwise all alert at once on the first sweep.
    Activity = apps.get_model("leads", "Activity")
    MissedCallScan = apps.get_model("sla", "MissedCallScan")
    last = Activity.objects.aggregate(last=Max("id"))["last"] or 0
    MissedCallScan.objects.update_or_create(pk=1, defaults={"last_activity_id": last})


class Migration(migrations.Migration):
    dependencies = [
        ("sla", "0001_initial"),
        ("leads", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(start_at_current_activity, migrations.RunPython.noop),
    ]
