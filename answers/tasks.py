from celery import shared_task

from answers.index.follow import answers_deleted_forget, answers_index, answers_prune
from answers.suggestions.stored import generation_added


@shared_task(name="answers.index", ignore_result=True)
def index() -> int:
    """Answered tickets join the suggestions within a minute, and answers whose reply we deleted from the platform
    are built again or leave (answers.index.follow; safe to run twice at once)."""
    answers_deleted_forget()
    added = answers_index()
    generation_added(added)  # many new answers: the open tickets' stored suggestions are computed again
    return added


@shared_task(name="answers.suggest", acks_late=True, ignore_result=True)
def suggest(ticket_ids: list[int]) -> int:
    """The tickets' suggestions computed and stored (answers.suggestions.stored; those stored at the current generation
    are left alone, so idempotent). Routed to the meaning queue: it reads or makes the tickets' meaning vectors."""
    from answers.suggestions.stored import suggestions_store  # the ranking and numpy, in the process that embeds only

    return suggestions_store(ticket_ids)


@shared_task(name="answers.suggestions_refresh", ignore_result=True)
def suggestions_refresh() -> int:
    """The open tickets whose stored suggestions are older than the index's generation (or missing), a batch
    a run, newest first (answers.suggestions.stored; idempotent). On the meaning queue, as answers.suggest."""
    from answers.suggestions.stored import suggestions_refresh as refresh

    return refresh()


@shared_task(name="answers.meaning_fill", ignore_result=True)
def meaning_fill() -> int:
    """Answers without a vector get one, newest first, a few batches a run (answers.suggestions.meaning; idempotent).
    Routed to the meaning queue: the embedding model is loaded in that one process."""
    from answers.suggestions.cells import cells_refresh
    from answers.suggestions.meaning import answers_meaning_fill  # the model's imports, in the process that embeds only

    filled = answers_meaning_fill(limit=2_048)
    if (
        filled
    ):  # the meaning list's cells, learnt again once the answers with a vector doubled (answers.suggestions.cells)
        cells_refresh()
    return filled


@shared_task(name="answers.fit_learn", ignore_result=True)
def fit_learn() -> int | None:
    """The "nothing fits" weights learnt from what advocates did with the suggestions (answers.fit.use; a version
    is kept, active only when it predicts the newest labels better). The version's id, or None: too few labels."""
    from answers.fit.use import fit_learn as learn  # scipy, in the process that ranks only

    row = learn()
    return row.pk if row else None


@shared_task(name="answers.prune", ignore_result=True)
def prune() -> int:
    """Tickets merged or marked spam since they were indexed leave the index (and the stems' counts)."""
    return answers_prune()


@shared_task(name="answers.docs_index", ignore_result=True)
def index_docs() -> dict[str, int]:
    """Revalidate our docs pages (a sitemap's new pages, then the oldest fetched): idempotent, hourly."""
    # Imported here: answers.apps imports this module in every process (the tasks the web enqueues by name).
    from answers.knowledge.docs_index import docs_index_all

    return docs_index_all()


@shared_task(name="answers.team_model_draft", acks_late=True, ignore_result=True)
def team_model_draft(ticket_id: int) -> bool:
    """The team model's draft reply for a ticket that needs a response (answers.team_draft; queued by the judgement
    run; once per question asked, so idempotent). Routed to the knowledge queue: it waits on the team's endpoint."""
    from answers.team_draft import team_model_draft as draft  # the model's client, in the worker only

    return draft(ticket_id)
