"""Issue 71: the desk's products. The product profile's table becomes the desk's products (a slug, a colour, the
terms it is searched by, as many rows as the desk has products); a ticket has a product (channels.0020 gives a
channel one).

An existing desk keeps its one profile as its one product, unchanged (a slug made from its name). A desk that has
channels or tickets but never saved a profile ran on the defaults (the demo's GitLab): it is given that product as
a row, the same values the judgement read. A fresh desk (no channel, no ticket) gets no row: the defaults still
apply until an admin saves one, as before (mentions.judgement.product reads the first row, else the defaults).
Tickets are not rewritten: an empty product is the desk's first product (mentions.models.products)."""

from django.db import migrations, models
import django.core.validators
import django.db.models.deletion
from django.utils.text import slugify

SLUG_MAX = 40


def _slug_free(name, taken):
    base = slugify(name)[: SLUG_MAX - 4].strip("-") or "product"
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    return slug


def products_from_profile(apps, schema_editor):
    """Each profile row a slug of its own (from its name); a desk in use without a row, the defaults as its row."""
    ProductProfile = apps.get_model("mentions", "ProductProfile")
    Ticket = apps.get_model("mentions", "Ticket")
    Channel = apps.get_model("channels", "Channel")
    taken = set()
    for product in ProductProfile.objects.order_by("pk"):
        product.slug = _slug_free(product.name, taken)
        taken.add(product.slug)
        product.save(update_fields=["slug"])
    if not taken and (Channel.objects.exists() or Ticket.objects.exists()):
        # The field defaults are the judgement's defaults (DEFAULT_PRODUCT, DEFAULT_DESCRIPTION, "gitlab.com").
        product = ProductProfile()
        product.slug = _slug_free(product.name, taken)
        product.save()


class Migration(migrations.Migration):
    dependencies = [
        ("channels", "0019_competitors"),
        ("mentions", "0057_ticket_imported"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="productprofile",
            options={"ordering": ["id"], "verbose_name": "Product", "verbose_name_plural": "Products"},
        ),
        migrations.AddField(
            model_name="productprofile",
            name="colour",
            field=models.CharField(
                default="#6b5bd2",
                help_text="Its mark on the desk's pages when the desk has more than one product (#rrggbb).",
                max_length=7,
                validators=[
                    django.core.validators.RegexValidator("^#[0-9a-fA-F]{6}\\Z", "A colour as #rrggbb, e.g. #6b5bd2.")
                ],
            ),
        ),
        migrations.AddField(
            model_name="productprofile",
            name="search_terms",
            field=models.TextField(
                blank=True,
                default="",
                help_text="What the product is searched by, one a line. Kept for the searches per product to come: "
                "today the channels' keywords are what is searched (docs/products.md).",
            ),
        ),
        # Added without its uniqueness, filled, then made unique: the rows a desk has get distinct slugs first.
        migrations.AddField(
            model_name="productprofile",
            name="slug",
            field=models.SlugField(blank=True, db_index=False, default="", max_length=40),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="productprofile",
            name="other_names",
            field=models.TextField(
                blank=True,
                default="gitlab.com",
                help_text="Other names that can only mean the product (a domain, a former name), one a line. A "
                "mention that names another product of the desk by its name or one of these is given that product.",
            ),
        ),
        migrations.RunPython(products_from_profile, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="productprofile",
            name="slug",
            field=models.SlugField(
                blank=True,
                help_text="Its short name in addresses and filters. Empty: made from the name.",
                max_length=40,
                unique=True,
            ),
        ),
        # The history's "moved to another product" (mentions.services.products).
        migrations.AlterField(
            model_name="ticketevent",
            name="kind",
            field=models.CharField(
                choices=[
                    ("created", "Ticket created"),
                    ("message", "Follow-up received"),
                    ("our_reply_seen", "Our reply seen on the platform"),
                    ("assigned", "Assigned"),
                    ("unassigned", "Unassigned"),
                    ("skipped", "Skipped in play mode"),
                    ("status", "Status changed"),
                    ("tag_added", "Tag added"),
                    ("tag_removed", "Tag removed"),
                    ("note", "Internal note"),
                    ("replied", "Marked replied"),
                    ("macro", "Macro applied"),
                    ("reply_prefilled", "Reply prefilled"),
                    ("reply_sent", "Reply sent from the desk"),
                    ("reply_failed", "Reply failed"),
                    ("message_edited", "Message edited on the platform"),
                    ("message_deleted", "Message deleted on the platform"),
                    ("sla_breached", "First-reply target breached"),
                    ("rule_applied", "Triage rule applied"),
                    ("returned", "Returned to the queue"),
                    ("priority", "Priority changed"),
                    ("merged", "Ticket merged into this one"),
                    ("merged_into", "Merged into another ticket"),
                    ("front_page", "Reached the Hacker News front page"),
                    ("answer_used", "An earlier answer used"),
                    ("judgement", "Judgement corrected"),
                    ("liked", "Liked on the platform"),
                    ("reply_deleted", "Our post deleted from the platform"),
                    ("reposted", "Reposted on the platform"),
                    ("direct_message", "Direct message sent from the desk"),
                    ("issue", "Issue linked or followed"),
                    ("snoozed", "Snoozed"),
                    ("woke", "Came back from snooze"),
                    ("next_reply_breached", "Next-reply target breached"),
                    ("handed_over", "Handed over to watch"),
                    ("handed_back", "Handed back after the watch"),
                    ("reply_submitted", "Reply submitted for approval"),
                    ("reply_approved", "Reply approved"),
                    ("reply_rejected", "Reply rejected"),
                    ("reply_withdrawn", "Reply for approval withdrawn"),
                    ("community_answered", "Answered by the community"),
                    ("product", "Moved to another product"),
                ],
                max_length=32,
            ),
        ),
        migrations.AddField(
            model_name="ticket",
            name="product",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="tickets",
                to="mentions.productprofile",
            ),
        ),
    ]
