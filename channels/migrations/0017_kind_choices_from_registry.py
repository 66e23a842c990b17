# Channel.kind's choices become the registry's (channels.adapters.registry.kind_choices): the migration keeps a
# reference to the function, not the list, so a platform added to the registry needs no migration of its own.
# Choices live in Python only: no SQL runs.
import channels.adapters.registry
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('channels', '0016_github_kind'),
    ]

    operations = [
        migrations.AlterField(
            model_name='channel',
            name='kind',
            field=models.CharField(choices=channels.adapters.registry.kind_choices, max_length=32),
        ),
    ]
