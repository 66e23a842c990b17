from django.db import models

# --------------------------------------------------------------------------------------------------------------
# KPI rollups (PostgreSQL). Exact per-day figures the KPI selectors read instead of scanning a year of tickets
# and events. Triggers on the ticket and event tables mark the days a change touches (RollupDirty); every
# KPI read first recomputes the marked days (metrics.rollups), so a rollup is never stale when read. The
# value columns hold every value of the day as int8 (big-endian, PostgreSQL's int8send) so medians and
# percentiles over any range are exact, not approximations.


class RollupDirty(models.Model):
    """A day whose rollups must be recomputed before the next read ("ticket" or "event" rollups)."""

    day = models.DateField()
    kind = models.CharField(max_length=8)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "kind"], name="rollup_dirty_unique")]

    def __str__(self) -> str:
        return f"{self.day} {self.kind}"


class TicketDay(models.Model):
    """Tickets per UTC day, channel and high-priority flag: requested that day (created, replied,
    solved without reply, their first-reply seconds), first-replied that day, solved that day."""

    day = models.DateField()
    channel_id = models.BigIntegerField()
    high_priority = models.BooleanField()
    created = models.IntegerField(default=0)
    replied = models.IntegerField(default=0)
    solved_without_reply = models.IntegerField(default=0)
    first_replied = models.IntegerField(default=0)
    solved = models.IntegerField(default=0)
    # first_reply_seconds and first_reply_business_seconds of the tickets requested that day: int4 (half the
    # bytes to read for a year) and, for values past 2**31 - 1 seconds (68 years: bad platform dates), int8.
    frt = models.BinaryField(default=b"")
    frt_wide = models.BinaryField(default=b"")
    frt_business = models.BinaryField(default=b"")
    frt_business_wide = models.BinaryField(default=b"")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "channel_id", "high_priority"], name="ticket_day_unique")]

    def __str__(self) -> str:
        return f"{self.day} channel {self.channel_id}"


class AdvocateDay(models.Model):
    """Per UTC day, advocate and channel: play assignments, replies, solves, and the handling time
    (microseconds from each play assignment to the advocate's next action on that ticket)."""

    day = models.DateField()
    actor_id = models.BigIntegerField()
    channel_id = models.BigIntegerField()
    served = models.IntegerField(default=0)
    replied = models.IntegerField(default=0)
    solved = models.IntegerField(default=0)
    handling = models.BinaryField(default=b"")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "actor_id", "channel_id"], name="advocate_day_unique")]

    def __str__(self) -> str:
        return f"{self.day} user {self.actor_id} channel {self.channel_id}"


class TagDay(models.Model):
    """How many times each tag was added on a UTC day."""

    day = models.DateField()
    tag = models.TextField()
    added = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "tag"], name="tag_day_unique")]

    def __str__(self) -> str:
        return f"{self.day} {self.tag}"
