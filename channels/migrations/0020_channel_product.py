"""Issue 71: a channel belongs to one of the desk's products (empty: the desk's first product, as every channel of
a desk from before products does)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("channels", "0019_competitors"),
        ("mentions", "0058_products"),
    ]

    operations = [
        migrations.AddField(
            model_name="channel",
            name="product",
            field=models.ForeignKey(
                blank=True,
                help_text="The product this channel's mentions are about, unless a mention names another of the "
                "desk's products. Empty: the desk's first product.",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="channels",
                to="mentions.productprofile",
            ),
        ),
    ]
