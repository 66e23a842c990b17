from django.apps import AppConfig
from django.db.models.signals import post_migrate


class PeopleConfig(AppConfig):
    name = "people"
    verbose_name = "People"

    def ready(self) -> None:
        from mentions.roles import MANAGERS, role_permission_add, roles_ensure

        # Managers merge, split and erase people and see gifts and codes; the groups are made again once
        # this app's permission exists.
        role_permission_add(MANAGERS, "people.manage_people")
        post_migrate.connect(roles_ensure, sender=self, dispatch_uid="people-roles")

        # The ingest ties every inbound message to its author's person (intake.hooks), and the rules' dry run
        # reads their tags as the ingest does (mentions.services.rules).
        from intake.hooks import authors_hooks
        from mentions.services.rules import author_tags_hooks
        from people.ingest import author_tags, authors_tie

        authors_hooks.register(authors_tie)
        author_tags_hooks.register(author_tags)

        # The person page's privacy section (export and erase), for managers only.
        from people.sections import PersonSection, person_section_register
        from people.views.privacy import privacy_context

        person_section_register(
            PersonSection(template="people/_privacy.html", context=privacy_context, manager_only=True)
        )
