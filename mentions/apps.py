from django.apps import AppConfig
from django.db.models.signals import post_migrate


class MentionsConfig(AppConfig):
    name = "mentions"
    verbose_name = "Mentions"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.contrib.auth.models import Group, Permission
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import m2m_changed

        from advocacy.session_limits import session_clock_start
        from advocacy.signals import on_save_or_delete
        from mentions import tasks  # noqa: F401  (registers the tasks services enqueue by name)
        from mentions.live import stamp_triggers_ensure
        from mentions.models import Macro, MacroAction, View
        from mentions.permissions.perm_cache import permissions_version_bump
        from mentions.permissions.roles import roles_ensure
        from mentions.selectors import macros_changed
        from mentions.signals import presence_name_remember, view_filters_sync

        post_migrate.connect(roles_ensure, sender=self)
        # A later migration (any app's) that remakes a watched table on SQLite drops its change-stamp triggers;
        # made again after every migrate (IF NOT EXISTS), so no such migration can leave live pages blind.
        post_migrate.connect(stamp_triggers_ensure, sender=self, dispatch_uid="mentions-stamp-triggers")
        # The ticket page's context column comes first among its panels (other apps register theirs after).
        from mentions.models import Ticket
        from mentions.ticket_page.facts_panel import TEMPLATE as FACTS_TEMPLATE
        from mentions.ticket_page.facts_panel import facts_context
        from mentions.ticket_page.panels import TicketPanel, ticket_panel_register

        # Whether the ticket has tags is read with it (`rows`): most have none, and then the facts read nothing.
        ticket_panel_register(
            TicketPanel(template=FACTS_TEMPLATE, context=facts_context, order=0, rows=Ticket.tags.through)
        )
        # "Hand over" for the night, folded (its people read when opened); the watch marks the receiver's rows.
        from mentions.models import HandOver
        from mentions.queue.row_marks import row_marks_hooks
        from mentions.services.handover import handover_marks
        from mentions.ticket_page.handover_panel import TEMPLATE as HANDOVER_TEMPLATE
        from mentions.ticket_page.handover_panel import handover_panel

        ticket_panel_register(
            TicketPanel(template=HANDOVER_TEMPLATE, context=handover_panel, order=58, folded="Hand over", rows=HandOver)
        )
        row_marks_hooks.register(handover_marks)
        m2m_changed.connect(view_filters_sync, sender=View.channels.through, dispatch_uid="view-channels")
        m2m_changed.connect(view_filters_sync, sender=View.tags.through, dispatch_uid="view-tags")
        user_logged_in.connect(presence_name_remember, dispatch_uid="presence-name")
        user_logged_in.connect(session_clock_start, dispatch_uid="session-clock")
        user_model = get_user_model()
        for sender in (user_model.groups.through, user_model.user_permissions.through, Group.permissions.through):
            m2m_changed.connect(permissions_version_bump, sender=sender, dispatch_uid=f"perm-cache-{sender.__name__}")
        from mentions.permissions.user_cache import user_version_bump

        on_save_or_delete(user_version_bump, user_model, uid="user-cache")
        for sender in (user_model.groups.through, user_model.user_permissions.through):
            m2m_changed.connect(user_version_bump, sender=sender, dispatch_uid=f"user-cache-{sender.__name__}")
        on_save_or_delete(permissions_version_bump, Group, Permission, uid="perm-cache")
        on_save_or_delete(macros_changed, Macro, MacroAction, uid="macros")
        from mentions.forecast.reads import clock_settings_changed
        from mentions.models import CoverageSchedule, Holiday, Target

        # The forecast keeps the schedule and targets in memory (mentions/forecast/reads.py).
        on_save_or_delete(clock_settings_changed, CoverageSchedule, Holiday, Target, uid="clock")
        from mentions.models import ProductProfile
        from mentions.products import products_changed

        # The pages read the desk's products from memory under their version (mentions/products.py).
        on_save_or_delete(products_changed, ProductProfile, uid="products")
