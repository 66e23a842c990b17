from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from channels.competitors import SENTIMENTS as COMPETITOR_SENTIMENTS
from channels.models import slack_destination_clean
from mentions.models.judgement import Intent, Judgement, Sentiment
from metrics.models_community import CommunityChoiceDay, CommunityPersonDay, CommunityRankChange, CommunityTermSumDay  # noqa: F401 (registered with the app)
from notifications.models import SlackMessageRow

# --------------------------------------------------------------------------------------------------------------
# KPI rollups (PostgreSQL). Exact per-day figures the KPI selectors read instead of scanning a year of tickets
# and events. Triggers on the ticket and event tables mark the days a change touches (RollupDirty); every
# KPI read first recomputes the marked days (metrics.rollups), so a rollup is never stale when read. The
# value columns hold every value of the day as int8 (big-endian, PostgreSQL's int8send) so medians and
# percentiles over any range are exact, not approximations.


class RollupDirty(models.Model):
    """A day whose rollups must be recomputed before the next read ("ticket" or "event" rollups, a ticket mark for
    one channel or all)."""

    day = models.DateField()
    kind = models.CharField(max_length=8)
    # A "ticket" mark's channel: only its rows of the day are rebuilt; 0, every channel's (metrics.rollups).
    channel_id = models.BigIntegerField(default=0, db_default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "kind", "channel_id"], name="rollup_dirty_unique")]

    def __str__(self) -> str:
        return f"{self.day} {self.kind}"


class TicketDay(models.Model):
    """Tickets per UTC day, channel and high-priority flag: requested that day (created, replied,
    solved without reply, closed as answered by the community, their first-reply seconds), first-replied that day,
    solved that day."""

    day = models.DateField()
    channel_id = models.BigIntegerField()
    product_id = models.BigIntegerField(default=0)  # the ticket's product, 0 for none (metrics.product_scope)
    high_priority = models.BooleanField()
    created = models.IntegerField(default=0)
    replied = models.IntegerField(default=0)
    solved_without_reply = models.IntegerField(default=0)
    # Solved with "Close: answered by the community" (mentions.CommunityAnswer): counted apart, never in the above.
    answered_by_community = models.IntegerField(default=0)
    first_replied = models.IntegerField(default=0)
    solved = models.IntegerField(default=0)
    # first_reply_seconds and first_reply_business_seconds of the tickets requested that day: int4 (half the
    # bytes to read for a year) and, for values past 2**31 - 1 seconds (68 years: bad platform dates), int8.
    frt = models.BinaryField(default=b"")
    frt_wide = models.BinaryField(default=b"")
    frt_business = models.BinaryField(default=b"")
    frt_business_wide = models.BinaryField(default=b"")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "channel_id", "product_id", "high_priority"], name="ticket_day_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} channel {self.channel_id}"


class AdvocateDay(models.Model):
    """Per UTC day, advocate and channel: play assignments, replies, solves, and the handling time
    (microseconds from each play assignment to the advocate's next action on that ticket)."""

    day = models.DateField()
    actor_id = models.BigIntegerField()
    channel_id = models.BigIntegerField()
    product_id = models.BigIntegerField(default=0)  # the ticket's product, 0 for none (metrics.product_scope)
    served = models.IntegerField(default=0)
    replied = models.IntegerField(default=0)
    solved = models.IntegerField(default=0)
    handling = models.BinaryField(default=b"")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "actor_id", "channel_id", "product_id"], name="advocate_day_unique")
        ]

    def __str__(self) -> str:
        return f"{self.day} user {self.actor_id} channel {self.channel_id}"


class TagDay(models.Model):
    """How many times each tag was added on a UTC day."""

    day = models.DateField()
    tag = models.TextField()
    product_id = models.BigIntegerField(default=0)  # the ticket's product, 0 for none (metrics.product_scope)
    added = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "tag", "product_id"], name="tag_day_unique")]

    def __str__(self) -> str:
        return f"{self.day} {self.tag}"


class CommunityDay(models.Model):
    """The tickets' first mentions per UTC day (requested_at), channel and judgement: what the Community page's volume,
    sentiment and intent charts sum (metrics.community; which tickets count: metrics.community.counted)."""

    day = models.DateField()
    channel_id = models.BigIntegerField()
    product_id = models.BigIntegerField(default=0)  # the ticket's product, 0 for none (metrics.product_scope)
    # The ticket's choices ("" while not judged): choices, so that nothing else is ever written here.
    judgement = models.CharField(max_length=16, choices=Judgement.choices, blank=True)
    intent = models.CharField(max_length=16, choices=Intent.choices, blank=True)
    sentiment = models.CharField(max_length=8, choices=Sentiment.choices, blank=True)
    mentions = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "channel_id", "product_id", "judgement", "intent", "sentiment"],
                name="community_day_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} channel {self.channel_id}: {self.mentions}"


class CommunitySentimentDay(models.Model):
    """CommunityDay summed over judgement and intent: per UTC day and channel, the counted first mentions of each
    sentiment. What reads only channels and sentiments (volume by platform or sentiment, the sentiment shares, share
    of voice's side of ours) sums a year of these, whose rows do not multiply with the judgement's other choices as
    the mentions grow (metrics.community.volume.period_counts). Rebuilt with CommunityDay, from it, day by day."""

    day = models.DateField()
    channel_id = models.BigIntegerField()
    product_id = models.BigIntegerField(default=0)  # the ticket's product, 0 for none (metrics.product_scope)
    sentiment = models.CharField(max_length=8, choices=Sentiment.choices, blank=True)
    mentions = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "channel_id", "product_id", "sentiment"], name="community_sentiment_day_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} channel {self.channel_id} {self.sentiment}: {self.mentions}"


class CommunityTermDay(models.Model):
    """Per UTC day and channel, how many counted first mentions have each term in their subject
    (metrics.community.terms says what a term is)."""

    day = models.DateField()
    channel_id = models.BigIntegerField()
    product_id = models.BigIntegerField(default=0)  # the ticket's product, 0 for none (metrics.product_scope)
    term = models.CharField(max_length=64)
    mentions = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "channel_id", "product_id", "term"], name="community_term_day_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.term}: {self.mentions}"


class CommunityIdentityDay(models.Model):
    """Per UTC day, channel and requester identity, how many counted first mentions (metrics.community.active's most
    active members: an identity's person is read at the time of the read, so a merge or split needs no rebuild)."""

    day = models.DateField()
    channel_id = models.BigIntegerField()
    product_id = models.BigIntegerField(default=0)  # the ticket's product, 0 for none (metrics.product_scope)
    identity_id = models.BigIntegerField()
    mentions = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "channel_id", "product_id", "identity_id"], name="community_identity_day_unique"
            )
        ]
        # A few people's mentions by their identities (metrics.community.active_past reads those who can rank).
        indexes = [models.Index(fields=["identity_id", "day"], name="community_identity_day_idx")]

    def __str__(self) -> str:
        return f"{self.day} identity {self.identity_id}: {self.mentions}"


class CommunityRankStamp(models.Model):
    """One row: a random value that moves whenever the most active members' ranking of past days may have changed
    (metrics.community.past_stamp), naming the kept rankings that are still right."""

    stamp = models.BigIntegerField()

    def __str__(self) -> str:
        return str(self.stamp)


class CommunityMember(models.Model):
    """Per person, their first counted mention ever and the time of their next one (metrics.community.members'
    returning members; which tickets count: metrics.community.counted). Kept on PostgreSQL by
    metrics.community.member_rollup: triggers mark the people a change touches (CommunityMemberDirty), and every
    read rebuilds them first."""

    person_id = models.BigIntegerField(primary_key=True)
    first_ticket_id = models.BigIntegerField()
    first_at = models.DateTimeField()
    first_channel_id = models.BigIntegerField()
    first_product_id = models.BigIntegerField(default=0)  # the first mention's ticket's product, 0 for none
    first_reply_seconds = models.BigIntegerField(null=True)
    high_priority = models.BooleanField()
    next_at = models.DateTimeField(null=True)

    class Meta:
        indexes = [models.Index(fields=["first_at"], name="community_member_first_idx")]

    def __str__(self) -> str:
        return f"person {self.person_id} first at {self.first_at}"


class CommunityMemberDirty(models.Model):
    """A person whose CommunityMember row must be rebuilt before the next read."""

    person_id = models.BigIntegerField(primary_key=True)

    def __str__(self) -> str:
        return f"person {self.person_id}"


class CommunityNewcomerDay(models.Model):
    """Per UTC day of members' first counted mention (CommunityMember.first_at), its channel and whether it got its
    first reply within the first-reply target: how many members, and how many of them came back within 30 and 90
    days; and the same per day and group over every channel, under channel_id 0 (newcomer_rollup.ALL_CHANNELS). What
    the returning members' figures sum, so a year is a bounded number of rows whatever the tickets
    (metrics.community.newcomer_rollup: a member's counts taken off and added again whenever their CommunityMember row
    is rebuilt, and every day counted again when the targets change)."""

    day = models.DateField()
    channel_id = models.BigIntegerField()
    within_target = models.BooleanField()
    members = models.IntegerField(default=0)
    back_30 = models.IntegerField(default=0)
    back_90 = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "channel_id", "within_target"], name="community_newcomer_day_unique")
        ]

    def __str__(self) -> str:
        return f"{self.day} channel {self.channel_id}: {self.members}"


class CommunityNewcomerTargets(models.Model):
    """The first-reply targets, in seconds, CommunityNewcomerDay's within_target was counted with (one row; none until
    the first build). A read with other targets (an admin changed mentions.Target) rebuilds the days first."""

    all_seconds = models.FloatField()
    high_priority_seconds = models.FloatField()

    def __str__(self) -> str:
        return f"{self.all_seconds:g} s, high priority {self.high_priority_seconds:g} s"


class CompetitorDay(models.Model):
    """A competitor's counted mentions (channels.CompetitorMention) per UTC day of their `posted_at` and sentiment:
    what share of voice sums for the competitors (metrics.share_of_voice). Kept exact on PostgreSQL by triggers on
    the mentions, in the statement that stores or deletes them (metrics.competitor_rollup); empty elsewhere."""

    day = models.DateField()
    # Deleting a competitor deletes its days (and its mentions, whose triggers find nothing left to take away).
    competitor = models.ForeignKey("channels.Competitor", on_delete=models.CASCADE, related_name="+")
    sentiment = models.CharField(max_length=8, choices=COMPETITOR_SENTIMENTS)
    mentions = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "competitor", "sentiment"], name="competitor_day_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.day} competitor {self.competitor_id} {self.sentiment}: {self.mentions}"


# --------------------------------------------------------------------------------------------------------------
# Scheduled reports (metrics.reports): the weekly first-reply summary and the monthly report, posted to Slack and
# e-mailed to the managers. The schedule remembers the last period it sent; each send is a ReportSend row, made
# in the transaction that records the period, and is the outbox of its Slack message and its e-mail.


class ReportSchedule(models.Model):
    class Kind(models.TextChoices):
        WEEKLY = "weekly", "Weekly first-reply summary"
        MONTHLY = "monthly", "Monthly report"

    class Weekday(models.IntegerChoices):
        MONDAY = 1, "Monday"
        TUESDAY = 2, "Tuesday"
        WEDNESDAY = 3, "Wednesday"
        THURSDAY = 4, "Thursday"
        FRIDAY = 5, "Friday"
        SATURDAY = 6, "Saturday"
        SUNDAY = 7, "Sunday"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    is_active = models.BooleanField(default=False)
    slack_channel = models.CharField(
        max_length=80,
        blank=True,
        help_text="Slack channel (#name or id), e.g. #community-managers. Empty: not posted to Slack.",
    )
    email_managers = models.BooleanField(default=True, help_text="E-mail it to every active manager with an address.")
    weekday = models.PositiveSmallIntegerField(
        choices=Weekday.choices, default=Weekday.MONDAY, help_text="Weekly: the day it is sent (the week before)."
    )
    day_of_month = models.PositiveSmallIntegerField(
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
        help_text="Monthly: the day it is sent (the month before); 1-28 so every month has it.",
    )
    hour = models.PositiveSmallIntegerField(
        default=8, validators=[MaxValueValidator(23)], help_text="Hour (UTC) it is sent, 0-23."
    )
    # A product's schedule reports its tickets only (issue 71); its product deleted, the whole desk's.
    product = models.ForeignKey("mentions.ProductProfile", models.SET_NULL, null=True, blank=True, related_name="+")
    last_sent_period = models.CharField(
        max_length=16, blank=True, help_text="The last period sent (2026-W47, 2026-11): each is sent once."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "pk"]
        # Beat computes sending times from these: a value admin's validators would refuse never reaches it.
        constraints = [
            models.CheckConstraint(
                condition=Q(weekday__gte=1, weekday__lte=7, day_of_month__gte=1, day_of_month__lte=28, hour__lte=23),
                name="report_schedule_time_valid",
            )
        ]

    def __str__(self) -> str:
        state = "active" if self.is_active else "inactive"
        return f"{self.get_kind_display()} ({state})"

    def clean(self) -> None:
        try:
            self.slack_channel = slack_destination_clean(self.slack_channel)
        except ValidationError as exc:
            raise ValidationError({"slack_channel": exc.messages}) from None
        if self.is_active and not self.slack_channel and not self.email_managers:
            raise ValidationError("An active schedule needs a Slack channel or the managers' e-mail.")


class ReportSend(SlackMessageRow):
    """One period's report of a schedule (unique: a period is sent once) with both texts as sent, and the
    state of its Slack message (SlackMessageRow: slack_channel is the channel id Slack answered) and e-mail."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        NONE = "none", "Not sent this way"

    schedule = models.ForeignKey(ReportSchedule, on_delete=models.CASCADE, related_name="sends")
    period = models.CharField(max_length=16)
    destination = models.CharField(max_length=80, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    slack_text = models.TextField(blank=True)
    email_subject = models.CharField(max_length=200)
    email_body = models.TextField()
    email_to = models.JSONField(default=list, blank=True)
    email_status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    email_attempts = models.PositiveSmallIntegerField(default=0)
    email_next_attempt_at = models.DateTimeField(null=True, blank=True)
    email_error = models.CharField(max_length=300, blank=True)
    email_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["schedule", "period"], name="report_send_once")]
        indexes = [
            models.Index(fields=["next_attempt_at"], name="reportsend_slack_idx", condition=Q(status="pending")),
            models.Index(
                fields=["email_next_attempt_at"], name="reportsend_email_idx", condition=Q(email_status="pending")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email_subject}: Slack {self.status}, e-mail {self.email_status}"
