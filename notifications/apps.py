from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """What the desk tells people in Slack: the outbox of new-ticket and rule lines, after-hours urgent
    pings, end-of-day digests, front-page announcements, outreach to experts, community shares and shares
    from the ticket page.
    Builds on mentions and experts: it takes part in their work through the hooks they offer, never
    the other way round."""

    name = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        # The hooks intake, experts and mentions declare (docs/architecture.md, "Hooks").
        from intake.hooks import after_ingest_hooks, front_page_hooks, team_answers_hooks, ticket_notices_hooks
        from notifications import tasks  # noqa: F401  (registers the tasks services enqueue by name)
        from notifications.front_page import front_page_seen
        from notifications.outbox import slack_notices_enqueue
        from notifications.share_watch import share_answers_record
        from notifications.urgency import urgent_after_ingest

        ticket_notices_hooks.register(slack_notices_enqueue)
        after_ingest_hooks.register(urgent_after_ingest)
        front_page_hooks.register(front_page_seen)
        # A team member's public answer after a share to Slack answers the share.
        team_answers_hooks.register(share_answers_record)

        # Outreach the advocate sends is posted here; the community-involvement macro shares the mention.
        from experts.services import outreach_delivery_register
        from mentions.services.macro_hooks import macro_hooks
        from mentions.services.macro_needs import macro_need_hooks
        from notifications.community import community_macro_need, community_share_on_macro
        from notifications.outreach import outreach_deliver

        outreach_delivery_register(outreach_deliver)
        macro_hooks.register(community_share_on_macro)
        macro_need_hooks.register(community_macro_need)
        # The spam report macro posts to the abuse channel with the reporter's person page.
        from notifications.spam_report import spam_report_need, spam_report_on_macro

        macro_hooks.register(spam_report_on_macro)
        macro_need_hooks.register(spam_report_need)

        # The ticket page's "Share to Slack" panel, after the others (order 60).
        from mentions.ticket_page.panels import TicketPanel, ticket_panel_register
        from notifications.share import TEMPLATE, share_panel

        # Folded: its channels are read when the fold is opened, not on every ticket page.
        ticket_panel_register(TicketPanel(template=TEMPLATE, context=share_panel, order=60, folded="Share to Slack"))

        # A snoozed ticket that comes back reminds its owner by Slack DM when they asked for it.
        from mentions.services.snooze import WAKE_HOOKS
        from notifications.snooze_remind import snooze_reminders_queue

        if snooze_reminders_queue not in WAKE_HOOKS:
            WAKE_HOOKS.append(snooze_reminders_queue)

        # An advocate whose expert stayed silent after the nudge, or said "Not me", is told by Slack DM.
        from experts.nudge import ADVOCATE_TOLD_HOOKS
        from notifications.outreach_nudge import advocate_told_queue

        if advocate_told_queue not in ADVOCATE_TOLD_HOOKS:
            ADVOCATE_TOLD_HOOKS.append(advocate_told_queue)

        # Erasing a person empties or replaces what the Slack lines about their tickets copied.
        from notifications.privacy import slack_rows_erase
        from people.privacy import erasure_hooks

        erasure_hooks.register(slack_rows_erase)
        # The community macro is unavailable while Slack is not connected: its kept summary goes with the token.
        from django.core.signals import setting_changed

        from notifications.community import slack_token_changed

        setting_changed.connect(slack_token_changed, dispatch_uid="notifications-slack-token-macros")
