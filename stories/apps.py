from django.apps import AppConfig


class StoriesConfig(AppConfig):
    name = "stories"
    verbose_name = "Stories"

    def ready(self) -> None:
        from advocacy.signals import on_save_or_delete

        # The detector runs after each ingest committed (in the worker), and from beat for anything missed.
        from intake.hooks import after_ingest_hooks
        from mentions.queue.blocks import queue_block_hooks
        from mentions.services.play_together import play_held_hooks, play_together_hooks
        from mentions.ticket_page.panels import TicketPanel, ticket_panel_register
        from stories import tasks  # noqa: F401  (registers the tasks services enqueue by name)
        from stories.answering.play import story_ticket_held, story_tickets_together
        from stories.answering.queue import stories_queue_block
        from stories.answering.ticket_panel import TEMPLATE, story_panel
        from stories.detection.detector import stories_after_ingest
        from stories.models import Membership

        after_ingest_hooks.register(stories_after_ingest)
        # The ticket's story, right after the facts and before the Answers panel (10).
        ticket_panel_register(
            TicketPanel(
                template=TEMPLATE, context=story_panel, order=5, present=Membership, empty={"story_panel": None}
            )
        )
        # The issues the ticket points to, file or link one (stories.issues): whether it points to any is read with
        # the page's ticket (`rows`), where to file one is kept with the desk's settings (advocacy.desk_settings),
        # bumped when a channel or the issue settings change.
        from advocacy.desk_settings import desk_settings_changed
        from channels.models import Channel
        from mentions.models import IssueTicket
        from stories.issues.panel import TEMPLATE as ISSUE_TEMPLATE
        from stories.issues.panel import ticket_issue_panel
        from stories.models import IssueSettings

        ticket_panel_register(
            TicketPanel(template=ISSUE_TEMPLATE, context=ticket_issue_panel, order=6, rows=IssueTicket)
        )
        # Its "File or link an issue" form comes when opened (most views of a ticket never open it).
        from mentions.ticket_page.folds import Fold, fold_register
        from stories.issues.panel import ticket_issue_fold

        fold_register("issue", Fold("stories/_fold_issue.html", context=ticket_issue_fold))
        on_save_or_delete(desk_settings_changed, Channel, IssueSettings, uid="desk-settings")
        # The queue page: one line per story with tickets waiting.
        queue_block_hooks.register(stories_queue_block)
        # Play on a view that serves a story's tickets together.
        play_together_hooks.register(story_tickets_together)
        play_held_hooks.register(story_ticket_held)

        # Erasing a person reaches the stories their tickets joined and the detector's words (people.privacy).
        from people.privacy import erasure_hooks
        from stories.privacy import stories_erase

        erasure_hooks.register(stories_erase)
