from django.apps import AppConfig


class AnswersConfig(AppConfig):
    name = "answers"
    verbose_name = "Answers"

    def ready(self) -> None:
        # The Answers panel beside the composer: right after the facts (order 10), before the requester card.
        from answers.services import saved_reply_for_macro
        from answers.views import TEMPLATE, answers_panel
        from mentions.panels import TicketPanel, ticket_panel_register
        from mentions.services.macro_hooks import saved_reply_texts

        # Deferred: the earlier answers are a full-text search and our knowledge sources a remote one; they come
        # in the page's one request after its first answer.
        ticket_panel_register(TicketPanel(template=TEMPLATE, context=answers_panel, order=10, deferred=True))
        # A macro's "Prefill a saved reply" action.
        saved_reply_texts.register(saved_reply_for_macro)

        # Erasing a person reaches the suggestions' index of their tickets (people.privacy).
        from answers.privacy import answers_erase
        from people.privacy import erasure_hooks

        erasure_hooks.register(answers_erase)
