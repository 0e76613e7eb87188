"""The dashboards' rollups, kept by Celery beat: one narrow row per lead (LeadFact), and
per day the counts the panels sum (DailyCounts, DailyLineCounts, ResponseDaily,
ReferralDaily, StallDaily), rebuilt from LeadFact in the same transaction.

Counting "leads that reached Qualified" means replaying every lead's stage changes; over
a million leads that join took 15 s, far from a page. The refresh task does the replay
once per changed lead and stores the answer here, next to the columns the dashboards
filter and group by, so every panel is one aggregate over this table.
"""

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q

from apps.leads.choices import LostReason

# The order of DailyCounts.lost: every reason code, then leads lost without one.
LOST_REASON_CODES = (*LostReason.values, "")

# How many bins ResponseDaily.bins splits the answered leads' response times into, and
# ReferralDaily.bins the referred leads' days to their appointment. More bins: fewer
# LeadFact rows read to reach a percentile's rank, more sums over the rollup rows (the
# referral rollup has about five times as many rows a year as the response one).
RESPONSE_BINS = 64
APPOINTMENT_BINS = 16
# StallDaily.bins: the open leads per bin of the time they entered their stage.
STALL_BINS = 64


class LeadFact(models.Model):
    """One lead as the dashboards count it, as of the last refresh.

    Ids are copied rather than foreign keys: the row is derived data, rewritten by the
    refresh, and must never hold up a change to a lead, a team or a service line.
    Merged duplicates have no row (they are the same inquiry as their survivor).
    """

    lead = models.OneToOneField(
        "leads.Lead",
        primary_key=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="dashboard_fact",
    )
    created_at = models.DateTimeField()
    # The day the lead came in, in the hospital's reporting time zone (settings.TIME_ZONE).
    created_on = models.DateField()
    service_line_id = models.BigIntegerField()
    location_id = models.BigIntegerField(null=True)
    channel = models.CharField(max_length=20)
    lead_type = models.CharField(max_length=20)
    referral_source_id = models.BigIntegerField(null=True)
    utm_campaign = models.CharField(max_length=200, blank=True)
    team_id = models.BigIntegerField(null=True)
    owner_id = models.BigIntegerField(null=True)
    stage_id = models.BigIntegerField()
    stage_kind = models.CharField(max_length=10)
    stage_entered_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True)
    lost_reason = models.CharField(max_length=30, blank=True)
    # The position of the furthest open or won stage the lead ever reached, replayed from
    # its stage changes and at least the first stage: the funnel counts a lead at every
    # stage up to this one, even if it is lost now.
    furthest_position = models.PositiveSmallIntegerField(default=0)
    first_response_at = models.DateTimeField(null=True)
    # first_response_at - created_at in whole seconds, kept so percentiles sort integers.
    response_seconds = models.IntegerField(null=True)
    sla_due_at = models.DateTimeField(null=True)
    appointment_at = models.DateTimeField(null=True)
    # appointment_at - created_at in days (apps.referrals' definition), kept so medians
    # read it sorted from an index.
    days_to_appointment = models.FloatField(null=True)
    referral_feedback_sent_at = models.DateTimeField(null=True)

    class Meta:
        indexes = [
            # Every panel scans one period; the drill-down lists page newest first on it.
            models.Index(fields=["created_at", "lead"], name="dash_fact_created_idx"),
            # The daily counts are rebuilt a day at a time.
            models.Index(fields=["created_on"], name="dash_fact_day_idx"),
            # The referral panel reads referred leads only, a third of the table, from
            # this index alone (no heap visits), in source order for its grouping.
            models.Index(
                fields=["referral_source_id", "created_at"],
                include=[
                    "service_line_id",
                    "location_id",
                    "channel",
                    "lead_type",
                    "stage_id",
                    "stage_kind",
                    "lost_reason",
                    "furthest_position",
                    "appointment_at",
                    "referral_feedback_sent_at",
                ],
                condition=Q(referral_source_id__isnull=False),
                name="dash_fact_source_idx",
            ),
            # The median days from referral to appointment, overall and per source, read
            # in order the same way (see below).
            *(
                models.Index(
                    fields=[*group, "days_to_appointment"],
                    include=[
                        "created_at",
                        "service_line_id",
                        "location_id",
                        "channel",
                        "lead_type",
                        "referral_source_id",
                    ],
                    condition=Q(
                        referral_source_id__isnull=False, days_to_appointment__isnull=False
                    ),
                    name=f"dash_fact_appt_{name}_idx",
                )
                for name, group in (("all", []), ("source", ["referral_source_id"]))
            ),
            # Exact medians and 90th percentiles of the time to first response sort a
            # million values per grouping; read in order from these, the sorts find them
            # sorted already and cost a single pass (PostgreSQL checks for that).
            *(
                models.Index(
                    fields=[*group, "response_seconds"],
                    include=[
                        "created_at",
                        "service_line_id",
                        "location_id",
                        "channel",
                        "lead_type",
                        "referral_source_id",
                    ],
                    condition=Q(response_seconds__isnull=False),
                    name=f"dash_fact_response_{name}_idx",
                )
                for name, group in (("all", []), ("team", ["team_id"]), ("owner", ["owner_id"]))
            ),
            # Drop-off reads open leads only (about a third), from this index alone, in
            # stage order and by time entered, so its medians find their input sorted.
            models.Index(
                fields=["stage_id", "stage_entered_at"],
                include=[
                    "created_at",
                    "service_line_id",
                    "location_id",
                    "channel",
                    "lead_type",
                    "referral_source_id",
                ],
                condition=Q(closed_at__isnull=True),
                name="dash_fact_open_idx",
            ),
            # Leads still waiting for a first response with a due time: the few whose
            # SLA state (pending or missed) depends on the moment of the request.
            models.Index(
                fields=["sla_due_at"],
                include=[
                    "created_at",
                    "team_id",
                    "owner_id",
                    "service_line_id",
                    "location_id",
                    "channel",
                    "lead_type",
                    "referral_source_id",
                ],
                condition=Q(first_response_at__isnull=True, sla_due_at__isnull=False),
                name="dash_fact_unanswered_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"Dashboard fact of lead #{self.lead_id}"


class DailyCounts(models.Model):
    """Leads per day and dimension, how many reached each funnel stage and how many were
    lost for each reason: what the funnel, trends, channel quality and lost reasons sum.

    A million leads fall into about 150,000 of these rows, so a year of them sums in a
    fraction of the time the per-lead rows take. Rebuilt day by day from LeadFact in the
    same transaction, so both always agree. No referral source here: a filter by source
    reads that source's few LeadFact rows instead.
    """

    day = models.DateField()
    service_line_id = models.BigIntegerField()
    location_id = models.BigIntegerField(null=True)
    channel = models.CharField(max_length=20)
    lead_type = models.CharField(max_length=20)
    utm_campaign = models.CharField(max_length=200, blank=True)
    leads = models.PositiveIntegerField()
    # reached[i]: leads whose furthest stage is at or past the i-th funnel stage, in the
    # order of FactsRefresh.funnel_positions (the funnel as it was when these were counted).
    reached = ArrayField(models.PositiveIntegerField())
    # lost[j]: leads now in a lost stage with the j-th reason of FactsRefresh.lost_reasons.
    lost = ArrayField(models.PositiveIntegerField(), default=list)

    class Meta:
        indexes = [models.Index(fields=["day"], name="dash_daily_day_idx")]

    def __str__(self) -> str:
        return f"{self.leads} leads on {self.day}"


class DailyLineCounts(models.Model):
    """DailyCounts summed over location and lead type: about a sixth of its rows, which is
    all the panels read when neither of those two filters is chosen."""

    day = models.DateField()
    service_line_id = models.BigIntegerField()
    channel = models.CharField(max_length=20)
    utm_campaign = models.CharField(max_length=200, blank=True)
    leads = models.PositiveIntegerField()
    reached = ArrayField(models.PositiveIntegerField())
    lost = ArrayField(models.PositiveIntegerField(), default=list)

    class Meta:
        indexes = [models.Index(fields=["day"], name="dash_daily_line_day_idx")]

    def __str__(self) -> str:
        return f"{self.leads} leads on {self.day}"


class DailySlice(models.Model):
    """A rollup row of one day at one of three levels of detail, the shape ResponseDaily,
    ReferralDaily and StallDaily share: level 0 splits by the day and the rollup's own
    key only; level 1 also by service line and channel; level 2 also by location and lead
    type. Columns a level does not split by are NULL / "" there. A panel reads the
    coarsest level its filters allow.

    `bins` counts the row's leads per bin of the rollup's measure (the ranges between
    consecutive edges in FactsRefresh, chosen at the nightly rebuild so each bin holds
    about as many leads): they locate a percentile's rank, whose exact value is then read
    from LeadFact within one bin (dashboards.query.values_at_ranks).
    """

    level = models.PositiveSmallIntegerField()
    day = models.DateField()
    service_line_id = models.BigIntegerField(null=True)
    location_id = models.BigIntegerField(null=True)
    channel = models.CharField(max_length=20, blank=True)
    lead_type = models.CharField(max_length=20, blank=True)
    bins = ArrayField(models.PositiveIntegerField())

    class Meta:
        abstract = True
        indexes = [
            models.Index(fields=["level", "day"], name="dash_%(class)s_day_idx"),
            # A service line chosen (and maybe a channel): its rows only, at level 1 or 2.
            models.Index(
                fields=["level", "service_line_id", "channel", "day"],
                name="dash_%(class)s_line_idx",
            ),
        ]


class ResponseDaily(DailySlice):
    """Time to first response per day, team and owner (a DailySlice): what the response
    panel sums instead of reading a million LeadFact rows. Level 0 holds a few thousand
    rows a year; a referral source filter reads that source's LeadFact rows instead.
    `bins` split the answered leads by response time (FactsRefresh.response_edges).
    """

    team_id = models.BigIntegerField(null=True)
    owner_id = models.BigIntegerField(null=True)
    leads = models.PositiveIntegerField()
    answered = models.PositiveIntegerField()
    sla_met = models.PositiveIntegerField()
    # Answered after the due time (missed for good).
    answered_late = models.PositiveIntegerField()
    # Not answered, with a due time: pending or missed, depending on the request's moment.
    unanswered_due = models.PositiveIntegerField()
    buckets = ArrayField(models.PositiveIntegerField())  # per conditions.RESPONSE_BUCKETS

    def __str__(self) -> str:
        return f"{self.leads} leads on {self.day} (level {self.level})"


class ReferralDaily(DailySlice):
    """Referred leads per day and referral source (a DailySlice): the counts the referral
    panel sums instead of reading every referred lead's LeadFact row. `bins` split the
    leads with an appointment by days to it (FactsRefresh.appointment_edges)."""

    referral_source_id = models.BigIntegerField()
    referrals = models.PositiveIntegerField()
    scheduled = models.PositiveIntegerField()  # reached Scheduled (conditions.reached_slug)
    completed = models.PositiveIntegerField()
    lost = models.PositiveIntegerField()
    referred_elsewhere = models.PositiveIntegerField()
    out_of_network = models.PositiveIntegerField()
    declined_by_patient = models.PositiveIntegerField()
    feedback_sent = models.PositiveIntegerField()
    with_appointment = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"{self.referrals} referrals on {self.day} (level {self.level})"


class StallDaily(DailySlice):
    """Open leads per day they came in and their current stage (a DailySlice), `bins`
    counting them by the time they entered the stage (FactsRefresh.stall_edges). The
    drop-off panel finds from these how many have waited at least a day, three days, ...
    as of the request, and the median wait, reading LeadFact only within the bins those
    fall in."""

    stage_id = models.BigIntegerField()
    leads = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"{self.leads} open leads of {self.day} (level {self.level})"


class FactsRefresh(models.Model):
    """The single bookkeeping row of the rollup: how fresh it is and where the next
    refresh starts reading.

    Two watermarks per table are kept: a refresh re-reads everything after the one of
    the run before last, so a transaction that committed late (its ids below the last
    watermark) is still picked up by the next run.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    refreshed_at = models.DateTimeField(null=True, blank=True)
    rebuilt_at = models.DateTimeField(null=True, blank=True)
    activity_watermark = models.BigIntegerField(default=0)
    previous_activity_watermark = models.BigIntegerField(default=0)
    lead_watermark = models.BigIntegerField(default=0)
    previous_lead_watermark = models.BigIntegerField(default=0)
    rows_written = models.PositiveIntegerField(default=0)
    # The positions of the funnel stages DailyCounts.reached is counted against; when the
    # pipeline changes, the counts are rebuilt and the panels read LeadFact meanwhile.
    funnel_positions = ArrayField(models.PositiveSmallIntegerField(), default=list, blank=True)
    lost_reasons = ArrayField(models.CharField(max_length=30, blank=True), default=list, blank=True)
    # The lower bounds (seconds) of ResponseDaily.bins, ascending; the first is the
    # smallest integer, so every answered lead falls in a bin. Chosen at each rebuild.
    response_edges = ArrayField(models.IntegerField(), default=list, blank=True)
    # The lower bounds (days) of ReferralDaily.bins, the first -Infinity; as above.
    appointment_edges = ArrayField(models.FloatField(), default=list, blank=True)
    # The lower bounds of StallDaily.bins (times a stage was entered), the first before
    # any (conditions.EARLIEST_ENTERED).
    stall_edges = ArrayField(models.DateTimeField(), default=list, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="dash_facts_refresh_single_row"),
        ]

    def __str__(self) -> str:
        return f"Dashboards refreshed at {self.refreshed_at}"


# The tables the rollup writes (FactsRefresh aside: one bookkeeping row), for whoever
# must look after them as a whole, such as the demo seed's VACUUM ANALYZE.
ROLLUP_MODELS = (LeadFact, DailyCounts, DailyLineCounts, ResponseDaily, ReferralDaily, StallDaily)
