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

        # The requester card in the ticket page's context column. people is installed before experts, so the
        # card comes right after the facts (mentions registers them first) and before "Involve an expert".
        from mentions.panels import TicketPanel, ticket_panel_register
        from people.ticket_panel import TEMPLATE, requester_panel

        ticket_panel_register(TicketPanel(template=TEMPLATE, context=requester_panel))
