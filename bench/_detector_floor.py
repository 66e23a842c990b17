"""The story detector's floor for bench/ingest_throughput.py --stories: the least any detector must do per ticket."""

from __future__ import annotations

import time


def detector_floor(spent: float, ingest_seconds: float) -> None:
    """The least any detector must do per ticket: read its first mention, cut it into words (the same tokenizer),
    and write one row per ticket (COPY into a scratch table). What the real detector adds is the matching."""
    import io
    import json

    from django.db import connection

    from mentions.models import Message
    from stories.detection.text import text_words

    t = time.perf_counter()
    first: dict[int, str] = {}
    rows = (
        Message.objects.filter(kind=Message.Kind.INBOUND, ticket__isnull=False)
        .order_by("ticket_id", "platform_created_at", "pk")
        .values_list("ticket_id", "title", "body")
        .iterator(chunk_size=5000)
    )
    for ticket_id, title, body in rows:
        if ticket_id not in first:
            first[ticket_id] = f"{title}\n{body[:2000]}"
    read = time.perf_counter() - t
    t = time.perf_counter()
    words = {ticket_id: text_words(text) for ticket_id, text in first.items()}
    cut = time.perf_counter() - t
    buffer = io.StringIO("".join(f"{pk}\t{json.dumps(list(w)[:8])}\n" for pk, w in words.items()))
    t = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("CREATE TEMP TABLE detector_floor (ticket_id bigint PRIMARY KEY, terms jsonb)")
        cur.cursor.copy_expert("COPY detector_floor FROM STDIN", buffer)
        cur.execute("DROP TABLE detector_floor")
    write = time.perf_counter() - t
    total = read + cut + write
    print(
        f"  detector floor ({len(first):,} tickets): read first mentions {read:.2f}s + words {cut:.2f}s + one row "
        f"each {write:.2f}s = {total:.2f}s, {total / (ingest_seconds + total):.1%} of the throughput; "
        f"the detector {spent:.2f}s is {spent / total:.1f}x its floor"
    )
