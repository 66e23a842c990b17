from django.apps import AppConfig
from django.db.models.signals import post_migrate


class MentionsConfig(AppConfig):
    name = "mentions"
    verbose_name = "Mentions"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import m2m_changed

        from mentions.models import View
        from mentions.roles import roles_ensure
        from mentions.signals import presence_name_remember, view_filters_sync

        post_migrate.connect(roles_ensure, sender=self)
        m2m_changed.connect(view_filters_sync, sender=View.channels.through, dispatch_uid="view-channels")
        m2m_changed.connect(view_filters_sync, sender=View.tags.through, dispatch_uid="view-tags")
        user_logged_in.connect(presence_name_remember, dispatch_uid="presence-name")
