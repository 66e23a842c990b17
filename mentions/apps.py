from django.apps import AppConfig
from django.db.models.signals import post_migrate


class MentionsConfig(AppConfig):
    name = "mentions"
    verbose_name = "Mentions"

    def ready(self) -> None:
        from mentions.roles import roles_ensure

        post_migrate.connect(roles_ensure, sender=self)
