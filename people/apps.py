from django.apps import AppConfig
from django.db.models.signals import post_migrate


class PeopleConfig(AppConfig):
    name = "people"
    verbose_name = "People"

    def ready(self) -> None:
        from advocacy.signals import on_save_or_delete

        # Erasure replaces a person's strings with regexp_replace, which SQLite (the embedded default) lacks.
        from advocacy.sqlite import sqlite_functions_connect
        from people import tasks  # noqa: F401  (registers the task the contributor journey enqueues by name)

        sqlite_functions_connect()

        from mentions.permissions.roles import MANAGERS, role_permission_add, roles_ensure

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

        # An accepted answer by someone outside the team credits its author (a forum-answer contribution).
        from intake.hooks import community_answers_hooks
        from people.community import community_answers_credit

        community_answers_hooks.register(community_answers_credit)

        # After a poll, the karma of the authors whose items did not carry their weight (Hacker News, Reddit).
        from intake.hooks import karma_hooks
        from people.karma import karma_after_poll

        karma_hooks.register(karma_after_poll)

        # After an ingest committed, in a worker: each new ticket is its requester's "asked" activity.
        from intake.hooks import after_ingest_hooks
        from people.journey.asked import journey_after_ingest

        after_ingest_hooks.register(journey_after_ingest)

        # A person's tags mark their tickets' rows in the queue and lists: tagging them (from any page, admin
        # or the API) moves the live pages' change stamp, as a ticket's own change does.
        from django.db.models.signals import m2m_changed

        from people.models import Person
        from people.signals import person_tags_changed

        m2m_changed.connect(person_tags_changed, sender=Person.tags.through, dispatch_uid="person-tags-stamp")

        # The queue and the lists mark tickets whose opener carries a marked tag (mentions.queue.row_marks).
        from mentions.queue.row_marks import row_marks_hooks
        from people.marks import requester_marks

        row_marks_hooks.register(requester_marks)

        # The ticket list's search shows the people matching it above the tickets (mentions.search.blocks).
        from mentions.search.blocks import search_block_hooks
        from people.search import search_people_block

        search_block_hooks.register(search_people_block)

        # The requester card in the ticket page's context column: who is asking comes right after the facts (0),
        # before the ticket's story (5) and the Answers panel (10), which would push it two screens down.
        from mentions.ticket_page.panels import TicketPanel, ticket_panel_register
        from people.models import Requester
        from people.ticket_panel import EMPTY_CARD, ORDER, TEMPLATE, requester_panel

        ticket_panel_register(
            TicketPanel(template=TEMPLATE, context=requester_panel, order=ORDER, present=Requester, empty=EMPTY_CARD)
        )

        # The person page's contributions section (advocates) and gifts and codes section (managers), and the
        # ticket page's "Discount code" panel.
        from people.sections import PersonSection, person_section_register
        from people.views.codes import PANEL_TEMPLATE, discount_code_panel
        from people.views.contrib import contributions_section, gifts_codes_section

        person_section_register(PersonSection(template="people/_contributions.html", context=contributions_section))
        person_section_register(
            PersonSection(template="people/_gifts_codes.html", context=gifts_codes_section, manager_only=True)
        )
        from advocacy.desk_settings import desk_settings_changed
        from people.models import DiscountCode
        from people.views.codes import NO_CODE_PERSON

        ticket_panel_register(
            TicketPanel(
                template=PANEL_TEMPLATE,
                context=discount_code_panel,
                present=Requester,
                empty=NO_CODE_PERSON,
                rows=DiscountCode,
            )
        )
        # Whether any code is left is kept with the desk's settings (people.views.codes.codes_left); codes added in
        # bulk bump it in people.codes.codes_add.
        on_save_or_delete(desk_settings_changed, DiscountCode, uid="desk-settings")

        # The person page's privacy section (export and erase), for managers only.
        from people.views.privacy import privacy_context

        person_section_register(
            PersonSection(template="people/_privacy.html", context=privacy_context, manager_only=True)
        )
