"""Issue 71: a view may be narrowed to one product (docs/products.md); empty, as every existing view stays, is every
product."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('mentions', '0059_judgement_per_product'),
    ]

    operations = [
        migrations.AddField(
            model_name='view',
            name='product',
            field=models.ForeignKey(blank=True, help_text="Only this product's tickets (shown when the desk has more than one product). Empty: every product.", null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='mentions.productprofile'),
        ),
    ]
