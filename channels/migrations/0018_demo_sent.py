"""What the demo's platforms remember of our account's writes (issue 69): the direct messages the demo's people answer
and the issues its trackers move along (channels.demo.kept). Empty on a desk that reaches the real platforms."""

import channels.adapters.registry
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('channels', '0001_squashed_0017_kind_choices_from_registry'),
    ]

    operations = [
        migrations.CreateModel(
            name='DemoSent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=channels.adapters.registry.kind_choices, max_length=32)),
                ('what', models.CharField(choices=[('dm', 'Direct message'), ('issue', 'Issue')], max_length=8)),
                ('key', models.CharField(max_length=200)),
                ('sent_id', models.CharField(max_length=200)),
                ('sent_at', models.DateTimeField()),
                ('data', models.JSONField(default=dict)),
                ('reads', models.PositiveIntegerField(default=0)),
                ('answered_at', models.DateTimeField(blank=True, null=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
            ],
            options={
                'ordering': ['sent_at', 'id'],
                'constraints': [models.UniqueConstraint(fields=('kind', 'what', 'key', 'sent_id'), name='demosent_unique')],
            },
        ),
    ]
