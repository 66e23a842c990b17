from celery import shared_task

from answers.index import answers_deleted_forget, answers_index, answers_prune
from answers.knowledge.docs_index import docs_index_all


@shared_task(name="answers.index", ignore_result=True)
def index() -> int:
    """Answered tickets join the suggestions within a minute, and answers whose reply we deleted from the platform
    are built again or leave (answers.index; safe to run twice at once)."""
    answers_deleted_forget()
    return answers_index()


@shared_task(name="answers.meaning_fill", ignore_result=True)
def meaning_fill() -> int:
    """Answers without a vector get one, newest first, a few batches a run (answers.meaning; idempotent). Routed to
    the meaning queue: the embedding model is loaded in that one process."""
    from answers.cells import cells_refresh
    from answers.meaning import answers_meaning_fill  # the model's imports, in the process that embeds only

    filled = answers_meaning_fill(limit=2_048)
    if filled:  # the meaning list's cells, learnt again once the answers with a vector doubled (answers.cells)
        cells_refresh()
    return filled


@shared_task(name="answers.prune", ignore_result=True)
def prune() -> int:
    """Tickets merged or marked spam since they were indexed leave the index (and the stems' counts)."""
    return answers_prune()


@shared_task(name="answers.docs_index", ignore_result=True)
def index_docs() -> dict[str, int]:
    """Revalidate our docs pages (a sitemap's new pages, then the oldest fetched): idempotent, hourly."""
    return docs_index_all()


@shared_task(name="answers.team_model_draft", acks_late=True, ignore_result=True)
def team_model_draft(ticket_id: int) -> bool:
    """The team model's draft reply for a ticket that needs a response (answers.team_draft; queued by the judgement
    run; once per question asked, so idempotent). Routed to the knowledge queue: it waits on the team's endpoint."""
    from answers.team_draft import team_model_draft as draft  # the model's client, in the worker only

    return draft(ticket_id)
