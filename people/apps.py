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

        # The person page's contributions section (advocates) and gifts and codes section (managers), and the
        # ticket page's "Discount code" panel.
        from mentions.panels import TicketPanel, ticket_panel_register
        from people.sections import PersonSection, person_section_register
        from people.views.codes import PANEL_TEMPLATE, discount_code_panel
        from people.views.contrib import contributions_section, gifts_codes_section

        person_section_register(PersonSection(template="people/_contributions.html", context=contributions_section))
        person_section_register(
            PersonSection(template="people/_gifts_codes.html", context=gifts_codes_section, manager_only=True)
        )
        ticket_panel_register(TicketPanel(template=PANEL_TEMPLATE, context=discount_code_panel))
