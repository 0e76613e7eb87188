"""The access log: who read which patient's records, when, how and from where.

The table is created by migration 0001 (PostgreSQL declarative partitioning by month,
append-only by trigger), so the model is unmanaged: Django reads it and inserts into it,
never alters it. See README "Access log" for retention and archiving.
"""

from django.contrib.postgres.fields import ArrayField
from django.db import models


class AccessLogEntry(models.Model):
    """One read of patient information: one row per request, every lead and person the
    answer showed (a list page: all the ids on the page)."""

    id = models.BigAutoField(primary_key=True)  # with accessed_at, the table's key
    accessed_at = models.DateTimeField()
    user = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.DO_NOTHING, db_constraint=False
    )
    username = models.CharField(max_length=150)
    roles = models.CharField(max_length=200, blank=True)
    # "session", "token" (the user's API token), "api key" or "bearer" (a system), "task"
    via = models.CharField(max_length=10)
    what = models.CharField(max_length=60)  # "lead page", "lead list (API)", ...
    method = models.CharField(max_length=10)
    view_name = models.CharField(max_length=120, blank=True)
    path = models.CharField(max_length=300)  # never the query string: it can hold a search
    ip = models.GenericIPAddressField(null=True)
    user_agent = models.CharField(max_length=300, blank=True)
    reason = models.CharField(max_length=1000, blank=True)
    break_glass = models.BooleanField(default=False)
    lead_ids = ArrayField(models.BigIntegerField(), default=list)
    person_ids = ArrayField(models.BigIntegerField(), default=list)

    class Meta:
        managed = False
        db_table = "audit_accesslog"
        ordering = ["-accessed_at", "-id"]
        verbose_name = "access log entry"
        verbose_name_plural = "access log"

    def __str__(self) -> str:
        return f"{self.username} · {self.what} · {self.accessed_at:%Y-%m-%d %H:%M}"
