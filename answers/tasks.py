from celery import shared_task

from answers.knowledge.docs_index import docs_index_all


@shared_task(name="answers.docs_index", ignore_result=True)
def index_docs() -> dict[str, int]:
    """Revalidate our docs pages (a sitemap's new pages, then the oldest fetched): idempotent, hourly."""
    return docs_index_all()
