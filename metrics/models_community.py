"""Three narrower Community rollups (PostgreSQL), each summed from a wider one so that a year's read does not grow with
the mentions: the choices of the mentions per day (from CommunityDay), the terms per day over every channel (from
CommunityTermDay) and the mentions per person and day (from CommunityIdentityDay and the identities' people). Apart
from metrics.models, which is near the size a module may have; imported there, so Django registers them with the app
(bench/README.md, "Community figures", says what each saved). Also the judgement's sample checks (JudgementCheck)."""

from django.conf import settings
from django.db import models

from mentions.models.judgement import Intent, Sentiment


class CommunityChoiceDay(models.Model):
    """CommunityDay summed over the channels and the two other choices: per UTC day and product, the counted first
    mentions of each intent, judgement and sentiment (`choice` names the column, `value` is its value, "" while not
    judged).
    The volume by intent, judgement or sentiment over every channel (the page's tables, the trust figures, the API)
    reads a year as 365 x a few rows, where CommunityDay holds a row per channel and combination of the three
    (43,800 a year at 1,000,000 tickets). Rebuilt with CommunityDay, from it, day by day (metrics.community.rollup)."""

    day = models.DateField()
    product_id = models.BigIntegerField(default=0)  # the ticket's product, 0 for none (metrics.product_scope)
    choice = models.CharField(max_length=16)  # "intent", "judgement" or "sentiment": CommunityDay's column
    value = models.CharField(max_length=16, blank=True)  # that column's value (a choice, or "")
    mentions = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "product_id", "choice", "value"], name="community_choice_day_unique")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.choice} {self.value}: {self.mentions}"


class CommunityTermSumDay(models.Model):
    """CommunityTermDay summed over the channels: per UTC day and product, how many counted first mentions have each
    term in their subject. The terms rising over every channel (the page's default) read two years of these, where
    CommunityTermDay holds a row per channel too (44,047 rows for the page's year and the one before at 1,000,000
    tickets, 10.7 ms; 22,131 at 20,000). Rebuilt with CommunityTermDay, from the whole day's rows, day by day
    (metrics.community.rollup); an erasure drops their words from both (metrics.privacy)."""

    day = models.DateField()
    product_id = models.BigIntegerField(default=0)  # the ticket's product, 0 for none (metrics.product_scope)
    term = models.CharField(max_length=64)
    mentions = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "product_id", "term"], name="community_term_sum_day_unique")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.term}: {self.mentions}"


class CommunityPersonDay(models.Model):
    """Per UTC day, channel and person, how many counted first mentions: CommunityIdentityDay summed over each
    person's identities as they are now, what the most active members' ranking sums (metrics.community.active_past)
    without joining ~900,000 identity-days of a year to their identities. Kept in rollups_refresh's transaction from
    the identity-days: a day rebuilt rebuilds its persons' rows, and a person the members' triggers mark (an identity
    moved to another person or removed, among others) has every day rebuilt (metrics.community.person_rollup)."""

    day = models.DateField()
    channel_id = models.BigIntegerField()
    product_id = models.BigIntegerField(default=0)  # the ticket's product, 0 for none (metrics.product_scope)
    person_id = models.BigIntegerField()
    mentions = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "channel_id", "product_id", "person_id"], name="community_person_day_unique"
            )
        ]
        # By person, holding what the ranking sums: a range's ranking and a few people's past are read from the index
        # alone (a year at 1,000,000 tickets: 0.33 s against 1.45 s fetching each row), and a marked person's rows.
        indexes = [
            models.Index(
                fields=["person_id", "day"],
                include=["channel_id", "product_id", "mentions"],
                name="community_person_day_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} person {self.person_id}: {self.mentions}"


class CommunityRankChange(models.Model):
    """The people whose past mentions a refresh changed, logged with the ranking's stamp it moved (from `follows` to
    `stamp`, metrics.community.past_stamp), so a ranking kept under an older stamp is brought up to date by reading
    those people alone (metrics.community.past_kept). A stamp moved with no row here (a merge's or a truncate's
    trigger) breaks the chain: the ranking is counted again."""

    follows = models.BigIntegerField()
    stamp = models.BigIntegerField()
    person_id = models.BigIntegerField()

    def __str__(self) -> str:
        return f"{self.stamp}: person {self.person_id}"


class JudgementCheck(models.Model):
    """A person's reading of a mention drawn at random from a range (the Community page's "Check a sample",
    metrics.community.checks): the sentiment and intent they gave, beside the desk's when it was drawn. The draw never
    looks at how sure the desk was, so the share of checks the desk got right estimates its accuracy on this desk.
    Labels only, no text: the mention stays on its ticket (erased with it)."""

    ticket = models.OneToOneField("mentions.Ticket", on_delete=models.CASCADE, related_name="judgement_check")
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    checked_at = models.DateTimeField()
    desk_sentiment = models.CharField(max_length=8, choices=Sentiment.choices, blank=True)  # "" for none
    sentiment = models.CharField(max_length=8, choices=Sentiment.choices)
    desk_intent = models.CharField(max_length=16, choices=Intent.choices, blank=True)  # "" for none
    intent = models.CharField(max_length=16, choices=Intent.choices)

    def __str__(self) -> str:
        return (
            f"ticket {self.ticket_id}: {self.sentiment}/{self.intent} (desk {self.desk_sentiment}/{self.desk_intent})"
        )
