from django.apps import AppConfig


class AnswersConfig(AppConfig):
    name = "answers"
    verbose_name = "Answers"

    def ready(self) -> None:

        # The earlier answers are read as the worker stored them (answers.suggestions.stored), the saved replies and
        # whether a knowledge source is active kept with the desk's settings: in the page's first answer. Our knowledge
        # sources are a remote search: with one active, the panel comes in the page's one request after it.
        from advocacy.desk_settings import desk_settings_changed
        from advocacy.signals import on_save_or_delete
        from answers import tasks  # noqa: F401  (registers the tasks the panel and the after-ingest hook enqueue by name)
        from answers.knowledge.search import knowledge_configured
        from answers.knowledge_models import KnowledgeSource
        from answers.models import SavedReply

        # The Answers panel beside the composer: right after the facts (order 10), before the requester card.
        from answers.services import saved_reply_for_macro
        from answers.views import TEMPLATE, answers_panel
        from mentions.services.macro_hooks import saved_reply_texts
        from mentions.ticket_page.panels import TicketPanel, ticket_panel_register

        ticket_panel_register(
            TicketPanel(template=TEMPLATE, context=answers_panel, order=10, deferred=knowledge_configured)
        )
        on_save_or_delete(desk_settings_changed, SavedReply, KnowledgeSource, uid="desk-settings")
        # A macro's "Prefill a saved reply" action.
        saved_reply_texts.register(saved_reply_for_macro)

        # Erasing a person reaches the suggestions' index of their tickets (people.privacy).
        from answers.privacy import answers_erase
        from people.privacy import erasure_hooks

        erasure_hooks.register(answers_erase)

        # Stored suggestions (answers.suggestions.stored): computed in the worker after each ingest; a reply of ours
        # deleted drops those offering it at once; a reply sent while they were shown and none inserted is feedback.
        from answers.suggestions.feedback import feedback_reply_sent
        from answers.suggestions.stored import stored_drop_replies_gone, suggestions_after_ingest
        from intake.hooks import after_ingest_hooks
        from mentions.services.reply_hooks import replies_deleted_hooks, reply_sent_hooks

        after_ingest_hooks.register(suggestions_after_ingest)
        # The docs pages' titles are the product's own words for the judgement's fingerprint (issue 68).
        from answers.knowledge.words import doc_titles
        from mentions.judgement.product_texts import product_texts_hooks

        product_texts_hooks.register(doc_titles)
        replies_deleted_hooks.register(stored_drop_replies_gone)
        reply_sent_hooks.register(feedback_reply_sent)
        # A ticket moved to another product has its suggestions ranked again, its new product's first (issue 71).
        from answers.suggestions.stored import suggestions_after_move
        from mentions.services.products import product_moved_hooks

        product_moved_hooks.register(suggestions_after_move)
