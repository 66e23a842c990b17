"""The queue page's stories (mentions.queue.blocks, registered in stories.apps): each story with tickets Play can
still serve as one line with its size, so a wave reads as one topic before anyone plays it."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from stories.answering.page_reads import queue_stories


def stories_queue_block(*, product_id: int | None) -> SafeString | str:
    """One line per story with waiting tickets (at most eight, newest activity first), or "" for none: one query,
    three when there are stories (stories.answering.page_reads.queue_stories). On the queue narrowed to a product,
    that product's stories and the desk-wide ones, with that product's tickets waiting (issue 71)."""
    stories = queue_stories(product_id=product_id)
    if not stories:
        return ""
    return render_to_string("stories/_queue_block.html", {"stories": stories})
