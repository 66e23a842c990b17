from django.apps import AppConfig


class ExpertsConfig(AppConfig):
    name = "experts"
    verbose_name = "Experts"

    def ready(self) -> None:
        from advocacy.signals import on_save_or_delete

        # Experts builds on mentions and intake through the hooks they declare (docs/architecture.md, "Hooks"):
        # what it does when a macro is applied, and what such a macro needs,
        from experts.macro_outreach import outreach_macro_need, outreach_recorded_on_macro
        from experts.services import outreach_answered_on_macro
        from mentions.services.macro_hooks import macro_hooks
        from mentions.services.macro_needs import macro_need_hooks

        macro_hooks.register(outreach_answered_on_macro)
        macro_hooks.register(outreach_recorded_on_macro)
        macro_need_hooks.register(outreach_macro_need)

        # ... what a ticket merge does to two open outreaches to the same expert,
        from experts.merging import outreaches_merge
        from mentions.services.merge_hooks import merge_hooks

        merge_hooks.register(outreaches_merge)

        # ... who answers for the team when ingesting (experts' own accounts and desk users' linked ones);
        # an expert's answer closes their outreach,
        from experts.loop import expert_replies_record
        from experts.team import team_authors
        from intake.hooks import team_answers_hooks, team_members_hooks

        team_members_hooks.register(team_authors)
        team_answers_hooks.register(expert_replies_record)

        # ... and the ticket page's "Involve an expert" panel.
        from experts.models import Outreach
        from experts.ticket_panel import TEMPLATE, outreach_panel
        from mentions.ticket_page.panels import TicketPanel, ticket_panel_register

        ticket_panel_register(TicketPanel(template=TEMPLATE, context=outreach_panel, rows=Outreach))

        # Erasing a person replaces their name and handle in the outreach about their tickets.
        from experts.privacy import outreach_erase
        from people.privacy import erasure_hooks

        erasure_hooks.register(outreach_erase)

        # The directory that ticket pages suggest from is kept in memory per version (suggest.py).
        from django.db.models.signals import m2m_changed

        from experts.models import Expert, ExpertIdentity, ProductArea
        from experts.suggest import directory_changed

        on_save_or_delete(directory_changed, Expert, ExpertIdentity, ProductArea, uid="experts-directory")
        m2m_changed.connect(directory_changed, sender=Expert.areas.through, dispatch_uid="experts-directory-areas")
        m2m_changed.connect(
            directory_changed, sender=Expert.products.through, dispatch_uid="experts-directory-products"
        )
        # The community macro's summary names the outreach settings' Slack channel (mentions.services.macro_needs).
        from experts.models import OutreachSettings
        from mentions.selectors import macros_changed

        on_save_or_delete(macros_changed, OutreachSettings, uid="macros")
