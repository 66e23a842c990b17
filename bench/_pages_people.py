"""What bench/pages.py's database lacks for the people, stories and answers pages to be measured at size, added to
the loaded tickets: run after `bench/pages.py --load-only` (its tickets and messages).

- People: every inbound message's author and every ticket's requester tied to a person and an identity, with the
  app's own backfill (people/backfill.py, as its data migration and `manage.py people_backfill` do): about
  250,000 people at 1,000,000 tickets.
- Stories: 3,000 stories of about 8 tickets each (every 40th ticket, waiting ones included so the queue's stories
  block has members to find), their size and first/last times from their tickets.
- Contributions: one to three for every 20th person (talks, posts, merge requests).
- Answers: the answered tickets indexed by the answers app's own code (answers.index.follow.answers_index, as
  bench/suggestions.py and `manage.py answers_index --all` do; about 30 minutes for 800,000 answers).
- Stored suggestions: every ticket as the worker leaves it (answers.suggestions.stored): its "computed" marker, and
three
  earlier answers on two tickets in five (`STORED_SUGGESTIONS`), so the panel reads stored rows as in production.

Only adds rows, and each step is skipped when its rows are there: the database is shared.

    .venv/bin/python bench/_pages_people.py [--no-answers]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/triage_bench_pages")
import _common
from _pages_load import _one

STORIES = 3000
STORY_EVERY = 40  # every 40th ticket is in a story
STORY_PREFIX = "Bench story "

LOAD_STORIES = """
INSERT INTO stories_story (title, state, origin, links, terms, term_counts, size, reattached_size, first_at, last_at,
                           answer, answer_link, answered_at, spike_alerted_at, created_at, updated_at,
                           answered_by_id, merged_into_id)
SELECT %(prefix)s || s || ': ' || (SELECT string_agg(v[1 + (s * 7 + k * 131) %% cardinality(v)], ' ')
                                   FROM (SELECT %(vocab)s::text[] AS v) AS voc, generate_series(1, 5) AS k),
       CASE WHEN s %% 3 = 0 THEN 'open' WHEN s %% 3 = 1 THEN 'answered' ELSE 'closed' END,
       'terms', '[]'::jsonb, '{}'::jsonb, '{}'::jsonb, 0, 0, now(), now(),
       CASE WHEN s %% 3 = 1 THEN 'The fix is in the next release.' ELSE '' END, '',
       CASE WHEN s %% 3 = 1 THEN now() END, NULL, now(), now(),
       CASE WHEN s %% 3 = 1 THEN (SELECT id FROM auth_user WHERE username = 'bench-advocate-0') END, NULL
FROM generate_series(1, %(n)s) AS s
"""

# Ticket t goes to the (t / 40 mod 3000)-th bench story: about 8 tickets a story at 1,000,000 tickets.
LOAD_MEMBERSHIPS = """
INSERT INTO stories_membership (via, reason, created_at, updated_at, added_by_id, ticket_id, story_id)
SELECT 'terms', 'shares: bench terms', t.requested_at, t.requested_at, NULL, t.id,
       (%(stories)s::bigint[])[1 + (t.id / %(every)s) %% cardinality(%(stories)s::bigint[])]
FROM mentions_ticket t
WHERE t.id %% %(every)s = 0
ON CONFLICT (ticket_id) DO NOTHING
"""

STORY_SIZES = """
UPDATE stories_story s SET size = m.size, first_at = m.first_at, last_at = m.last_at
FROM (SELECT sm.story_id, count(*) AS size, min(t.requested_at) AS first_at, max(t.requested_at) AS last_at
      FROM stories_membership sm JOIN mentions_ticket t ON t.id = sm.ticket_id GROUP BY sm.story_id) m
WHERE m.story_id = s.id AND s.title LIKE %(prefix)s || '%%'
"""

LOAD_CONTRIBUTIONS = """
INSERT INTO people_contribution (kind, date, title, link, created_at, recorded_by_id, person_id)
SELECT (ARRAY['talk', 'blog_post', 'meetup', 'merge_request', 'forum_answer', 'other'])[1 + (p.id + j) %% 6],
       current_date - ((p.id * 13 + j * 101) %% 700)::int,
       'Bench contribution ' || j || ' of person ' || p.id,
       'https://example.com/contrib/' || p.id || '/' || j, now(), NULL, p.id
FROM people_person p CROSS JOIN LATERAL generate_series(1, 1 + p.id %% 3) AS j
WHERE p.id %% 20 = 0
"""


def people_add() -> None:
    from django.db import connection
    from django.utils import timezone

    from people.backfill import people_backfill

    started = time.perf_counter()
    counts = people_backfill(connection, timezone.now())
    print(f"people: backfill tied or made {counts} in {time.perf_counter() - started:.0f}s", flush=True)


def stories_add() -> None:
    from _pages_vocabulary import vocabulary
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT id FROM stories_story WHERE title LIKE %s ORDER BY id", [STORY_PREFIX + "%"])
        stories = [row[0] for row in cur.fetchall()]
        started = time.perf_counter()
        if len(stories) < STORIES:
            if stories:
                sys.exit(f"stories: {len(stories)} bench stories of {STORIES}: a half-done load, not added to")
            cur.execute(LOAD_STORIES, {"prefix": STORY_PREFIX, "vocab": vocabulary()[:5000], "n": STORIES})
            cur.execute("SELECT id FROM stories_story WHERE title LIKE %s ORDER BY id", [STORY_PREFIX + "%"])
            stories = [row[0] for row in cur.fetchall()]
        cur.execute(LOAD_MEMBERSHIPS, {"stories": stories, "every": STORY_EVERY})
        added = cur.rowcount
        cur.execute(STORY_SIZES, {"prefix": STORY_PREFIX})
        cur.execute("ANALYZE stories_story")
        cur.execute("ANALYZE stories_membership")
        cur.execute("SELECT count(*) FROM stories_membership")
        print(
            f"stories: {len(stories):,} bench stories, {added:,} memberships added ({_one(cur):,} in all)"
            f" in {time.perf_counter() - started:.0f}s",
            flush=True,
        )


def contributions_add() -> None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM people_contribution WHERE title LIKE %s", ["Bench contribution %"])
        if _one(cur):
            print("contributions: there already", flush=True)
            return
        started = time.perf_counter()
        cur.execute(LOAD_CONTRIBUTIONS, {})
        added = cur.rowcount
        cur.execute("ANALYZE people_contribution")
        print(f"contributions: {added:,} added in {time.perf_counter() - started:.0f}s", flush=True)


def answers_add() -> None:
    from answers.index.follow import answers_index
    from answers.models import Answer

    before = Answer.objects.count()
    started = time.perf_counter()
    print(f"answers: {before:,} indexed; indexing the rest with answers_index(everything=True)", flush=True)
    added = answers_index(everything=True)
    print(f"answers: {added:,} added in {time.perf_counter() - started:.0f}s", flush=True)


# Every ticket as the worker leaves it (answers.suggestions.stored): the marker of rank 0 ("computed") and, for two
# tickets in five, three earlier answers with their fit and why, drawn from the indexed answers. Without them the panel
# finds nothing stored on any ticket and queues the computation on every view, which no desk that runs its worker does.
STORED_SUGGESTIONS = """
INSERT INTO answers_storedsuggestion (ticket_id, answer_id, rank, score, fit, features, why, generation, computed_at,
                                      shown)
SELECT t.id, NULL, 0, 0, NULL, '{}'::jsonb, '[]'::jsonb, %(generation)s, now(), true
FROM mentions_ticket t
WHERE NOT EXISTS (SELECT 1 FROM answers_storedsuggestion s WHERE s.ticket_id = t.id)
UNION ALL
SELECT t.id, a.ticket_id, r, 1.0 / r, 0.9 - r * 0.1,
       jsonb_build_object('rank_cd', 0.4 / r, 'shared', 4 - r), jsonb_build_array('same words: pipeline, cache'),
       %(generation)s, now(), true
FROM mentions_ticket t
CROSS JOIN generate_series(1, 3) AS r
CROSS JOIN (SELECT count(*) AS n FROM answers_answer) AS c
-- The answers numbered once and joined by number (a hash join): an array of every answer's id subscripted per row
-- was read whole for each row (20 minutes at 1,000,000 tickets).
JOIN (SELECT ticket_id, row_number() OVER (ORDER BY ticket_id) - 1 AS k FROM answers_answer) AS a
  ON a.k = (t.id * 7 + r * 131) %% c.n
WHERE t.id %% 5 < 2
  AND NOT EXISTS (SELECT 1 FROM answers_storedsuggestion s WHERE s.ticket_id = t.id)
"""


def stored_add() -> None:
    from django.db import connection

    from answers.suggestions.stored import generation_current

    started = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute(STORED_SUGGESTIONS, {"generation": generation_current()})
        added = cur.rowcount
        cur.execute("ANALYZE answers_storedsuggestion")
    print(f"stored suggestions: {added:,} rows added in {time.perf_counter() - started:.0f}s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-answers", action="store_true", help="skip the answers' index (the long step)")
    args = parser.parse_args()
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/14")
    _common.setup_django()
    print(f"load avg: {_common.load_average()}", flush=True)
    people_add()
    stories_add()
    contributions_add()
    if not args.no_answers:
        answers_add()
        stored_add()
    print(f"load avg: {_common.load_average()}", flush=True)


if __name__ == "__main__":
    main()
