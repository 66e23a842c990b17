from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('channels', '0015_discord_kind'),
    ]

    operations = [
        migrations.AlterField(
            model_name='channel',
            name='kind',
            field=models.CharField(choices=[('hackernews', 'Hacker News'), ('twitter', 'X / Twitter'), ('reddit', 'Reddit'), ('stackexchange', 'Stack Overflow / Stack Exchange'), ('disqus', 'Disqus comments'), ('discourse', 'Discourse forum'), ('gitlab', 'GitLab issues'), ('github', 'GitHub issues and discussions'), ('mastodon', 'Mastodon'), ('bluesky', 'Bluesky'), ('discord', 'Discord'), ('email', 'E-mail (IMAP mailbox)'), ('webhook', 'Webhook (signed JSON)'), ('slack', 'Slack (internal questions)')], max_length=32),
        ),
    ]
