"""People: one record per community member across platforms.

A `Person` holds what the team knows of someone; an `Identity` is one account of theirs (a platform and
the account's key there, or an e-mail address). Every inbound message is tied to the identity that wrote
it (`Authorship`) and every ticket to the identity that opened it (`Requester`), by the ingest (people.ingest)
and, for what was stored before this app, by its data migration. Merging and splitting people only moves
identities: their messages and tickets follow without a write per row.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import available_timezones

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Upper

from advocacy.model_bases import Stamped


def account_key(handle: str) -> str:
    """How an account is matched on its platform: the handle (or address) without spaces or a leading "@",
    lower case. The data migration's SQL computes the same (people.backfill.KEY_SQL)."""
    return (handle or "").strip().lstrip("@").lower()


# The contributors page's order of regions (people.contributors): Americas, EMEA, APAC, then Unknown and any value
# no longer offered. An expression, so that one index (Person.Meta) holds the page's order.
REGION_ORDER = models.Case(
    models.When(region="americas", then=models.Value(0)),
    models.When(region="emea", then=models.Value(1)),
    models.When(region="apac", then=models.Value(2)),
    default=models.Value(3),
    output_field=models.IntegerField(),
)


def time_zone_validate(value: str) -> None:
    if value and value not in available_timezones():
        raise ValidationError(f"{value!r} is not a time zone name such as Europe/Berlin or America/Chicago.")


class PersonTag(models.Model):
    """A label on people: core contributor, customer, press, competitor staff, spam (seeded), or any an admin
    adds. `marked` tags show beside their tickets in the queue and the lists."""

    SPAM = "spam"
    CORE_CONTRIBUTOR = "core contributor"

    name = models.CharField(max_length=40, unique=True)
    marked = models.BooleanField(default=True, help_text="Mark this person's tickets in the queue and the lists.")
    tags_tickets = models.BooleanField(
        default=False,
        help_text="Their new mentions' tickets take a tag of this name as they arrive (spam: a rule may then "
        "solve them).",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Person(models.Model):
    class Region(models.TextChoices):
        UNKNOWN = "", "Unknown"
        AMERICAS = "americas", "Americas"
        EMEA = "emea", "Europe, Middle East and Africa"
        APAC = "apac", "Asia-Pacific"

    name = models.CharField(max_length=200, blank=True)
    tags = models.ManyToManyField(PersonTag, blank=True, related_name="people")
    notes = models.TextField(blank=True)
    region = models.CharField(max_length=16, choices=Region.choices, blank=True)
    time_zone = models.CharField(max_length=64, blank=True, validators=[time_zone_validate])
    links = models.TextField(blank=True, help_text="One address per line: profile, blog, LinkedIn.")
    # Set when the person was erased (people.privacy): their rows stay, emptied, so counts and times hold.
    erased_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The contributor journey (people.journey): the sum of their activities' weights and the level it reaches,
    # moved by each batch of activities recorded (never a recount at ingest). A database default, since the
    # ingest COPYs new people without it. Neither is indexed, and the table leaves room in its pages (fillfactor,
    # its migration), so the ingest's UPDATE of a page's people is a HOT update that touches none of the person's
    # indexes (the name's trigram index above all): the people at a level are read in name order, filtered.
    points = models.IntegerField(default=0, db_default=0)
    level = models.ForeignKey(
        "people.Level", null=True, blank=True, on_delete=models.SET_NULL, related_name="people", db_index=False
    )

    # Not a column: when they last wrote, given by people.selectors.people_list for the page it lists.
    last_seen_at: datetime | None

    class Meta:
        ordering = ["name", "id"]
        verbose_name_plural = "people"  # not Django's "persons"
        indexes = [
            models.Index(fields=["name"], name="person_name_idx"),
            # Likenesses: the same name in any case (name__iexact).
            models.Index(Upper("name"), name="person_name_upper_idx"),
            # The contributors page walks people in its order and keeps the contributors, stopping at the page:
            # it reads as many people as there are between them, not every person.
            models.Index(
                REGION_ORDER,
                models.F("name"),
                models.F("id"),
                name="person_contributors_idx",
                condition=models.Q(erased_at__isnull=True),
            ),
            # The few people erased, to leave them out of a set of ids without reading every person (the
            # contributors' count: their contributions and tags stay).
            models.Index(fields=["erased_at"], name="person_erased_idx", condition=models.Q(erased_at__isnull=False)),
        ]
        permissions = [("manage_people", "Merge, split and erase people; see gifts and discount codes")]

    def __str__(self) -> str:
        return self.name or f"Person {self.pk}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("people:person", args=[self.pk])


class AudienceKind(models.TextChoices):
    """What an identity's audience counts, which says how the card names it."""

    FOLLOWERS = "followers", "followers"
    KARMA = "karma", "karma"
    REPUTATION = "reputation", "reputation"


class Identity(models.Model):
    """One account of a person: a platform (a channel kind, the e-mail kind's for an address; "<kind>:<channel>" for
    a platform whose channels each are one, a webhook source: its declared `identity`, people.ingest.platform_of)
    and the account's key there. Two mentions are joined to one person automatically only
    through the same identity. How many messages it wrote and when it was first and last seen are read from
    its authorship (people.selectors.identity_stats), never kept here: the ingest writes no row per account
    it meets again, and merges, splits and erasure cannot leave a count behind."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="identities")
    platform = models.CharField(max_length=80)
    key = models.CharField(max_length=320, help_text="The handle, account id or address as matched (account_key).")
    handle = models.CharField(max_length=320, blank=True, help_text="As last written on the platform.")
    name = models.CharField(max_length=200, blank=True)
    url = models.URLField(max_length=1000, blank=True)
    # The account's weight on its platform: how many follow it (X), its karma (Hacker News, Reddit) or its
    # reputation (Stack Exchange). Read from the payload where it carries it, else looked up by the poll
    # within a budget (people.audience); null when not known. `audience_at`: when it was last read, so a
    # looked-up figure is asked again only once it is older than people.audience.FRESH.
    audience = models.PositiveBigIntegerField(null=True, blank=True)
    # A database default too: people.backfill's INSERT ... SELECT names only the columns it fills.
    audience_kind = models.CharField(max_length=12, choices=AudienceKind.choices, blank=True, default="", db_default="")
    audience_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    # Not columns: given by people.selectors.identities_seen from the identity's authorship, where shown.
    mentions: int
    first_seen_at: datetime | None
    last_seen_at: datetime | None

    class Meta:
        ordering = ["platform", "key"]
        constraints = [models.UniqueConstraint(fields=["platform", "key"], name="identity_platform_key_uniq")]
        # Likenesses (the same handle on another platform) and the people search (an account starting with
        # what was typed: LIKE 'prefix%', which a plain index serves only under the C collation).
        indexes = [models.Index(fields=["key"], name="identity_key_idx", opclasses=["varchar_pattern_ops"])]
        verbose_name_plural = "identities"

    def __str__(self) -> str:
        return f"{self.platform}:{self.handle or self.key}"


class Authorship(models.Model):
    """Who wrote a stored inbound message."""

    message = models.OneToOneField("mentions.Message", on_delete=models.CASCADE, primary_key=True, related_name="+")
    identity = models.ForeignKey(Identity, on_delete=models.CASCADE, related_name="authored")

    def __str__(self) -> str:
        return f"message {self.message_id} by identity {self.identity_id}"


class Requester(models.Model):
    """Who opened a ticket (the author of its first inbound message)."""

    ticket = models.OneToOneField(
        "mentions.Ticket", on_delete=models.CASCADE, primary_key=True, related_name="requester"
    )
    identity = models.ForeignKey(Identity, on_delete=models.CASCADE, related_name="requested")

    def __str__(self) -> str:
        return f"ticket {self.ticket_id} from identity {self.identity_id}"


class LikenessDismissed(models.Model):
    """An advocate said these two people are not the same: the suggestion is not shown again."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    other = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "other"], name="likeness_dismissed_uniq")]

    def __str__(self) -> str:
        return f"{self.person_id} is not {self.other_id}"


class PersonEvent(models.Model):
    """A person's history: tagged, noted, merged, split, contribution, gift, code given, exported, erased.
    `data` never holds what an erasure removed."""

    class Kind(models.TextChoices):
        CREATED = "created", "Created"
        EDITED = "edited", "Edited"
        TAGGED = "tagged", "Tagged"
        UNTAGGED = "untagged", "Tag removed"
        MERGED = "merged", "Merged"
        SPLIT = "split", "Split"
        IDENTITY_ADDED = "identity_added", "Identity added"
        CONTRIBUTION = "contribution", "Contribution logged"
        GIFT = "gift", "Gift"
        CODE_GIVEN = "code_given", "Discount code given"
        EXPORTED = "exported", "Exported"
        ERASED = "erased", "Erased"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["person", "-created_at"], name="person_event_idx")]

    def __str__(self) -> str:
        return f"{self.kind} on person {self.person_id}"


class Contribution(models.Model):
    class Kind(models.TextChoices):
        TALK = "talk", "Talk"
        BLOG_POST = "blog_post", "Blog post"
        MEETUP = "meetup", "Meetup"
        MERGE_REQUEST = "merge_request", "Merge request"
        FORUM_ANSWER = "forum_answer", "Forum answer"
        OTHER = "other", "Other"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="contributions")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    date = models.DateField()
    title = models.CharField(max_length=300, blank=True)
    link = models.URLField(max_length=1000, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["person", "-date"], name="contribution_person_idx")]

    def __str__(self) -> str:
        return self.title or self.get_kind_display()


class Gift(Stamped):
    """Swag or a gift sent to a person. The postal address is kept only until the gift is shipped."""

    class State(models.TextChoices):
        REQUESTED = "requested", "Requested"
        ORDERED = "ordered", "Ordered"
        SHIPPED = "shipped", "Shipped"
        DELIVERED = "delivered", "Delivered"
        CANCELLED = "cancelled", "Cancelled"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="gifts")
    item = models.CharField(max_length=200)
    state = models.CharField(max_length=16, choices=State.choices, default=State.REQUESTED)
    postal_address = models.TextField(blank=True)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    shipped_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.item


class DiscountBatch(models.Model):
    name = models.CharField(max_length=120)
    note = models.CharField(max_length=300, blank=True, help_text="What the codes are worth, until when.")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "discount batches"

    def __str__(self) -> str:
        return self.name


class DiscountCode(models.Model):
    """One code of a batch, given once (people.codes.code_give takes the next free one under SKIP LOCKED)."""

    batch = models.ForeignKey(DiscountBatch, on_delete=models.CASCADE, related_name="codes")
    code = models.CharField(max_length=120, unique=True)
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="codes")
    ticket = models.ForeignKey("mentions.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    given_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["batch", "id"], name="code_free_idx", condition=models.Q(given_at__isnull=True))
        ]

    def __str__(self) -> str:
        return self.code


class Erasure(models.Model):
    """That a person was erased, by whom and when, and how many rows were emptied: never what they held."""

    person = models.ForeignKey(Person, null=True, on_delete=models.SET_NULL, related_name="+")
    person_number = models.PositiveBigIntegerField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    via = models.CharField(max_length=16, help_text="admin, page or api")
    counts = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"erasure of person {self.person_number}"


# The contributor journey's tables live in their own module; imported here so they are this app's models.
from people.journey.models import Activity, ActivityKind, ActivityWeight, Level, Recognition  # noqa: E402, F401
