"""Beat makes the access log's partitions as the table's owner.

In production the app (web, worker, beat) runs as a role that does not own the table and
holds only SELECT and INSERT on it (README "Access log"); creating a partition needs the
owner, so audit_accesslog_partition_ensure runs with its owner's rights (SECURITY
DEFINER) and a fixed search_path, so a caller cannot slip in a table of its own.
"""

from django.db import migrations

FORWARD = """
ALTER FUNCTION audit_accesslog_partition_ensure(date)
    SECURITY DEFINER SET search_path FROM CURRENT;
"""

BACKWARD = """
ALTER FUNCTION audit_accesslog_partition_ensure(date) SECURITY INVOKER RESET search_path;
"""


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_access_log_model_state")]
    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
