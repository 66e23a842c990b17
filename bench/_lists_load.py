"""Loading a database for the list pages (queue stories block, people list, person page, stories list): bench/
_pages_load.py's tickets and messages at a smaller size, then people, identities, requesters, authorship,
contributions, stories and memberships, every table by one set-based INSERT ... SELECT generate_series.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/triage_bench_lists .venv/bin/python bench/_lists_load.py

Sizes: 200,000 tickets (about 3,600 waiting, unassigned), 200,000 people with 266,667 identities, 2,000 stories
holding 100,000 tickets (some of them waiting), contributions on one person in ten and 200 each on people 1-20
(the ones bench/lists.py opens).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/triage_bench_lists")
import _common

TICKETS = 200_000
PEOPLE = 200_000
STORIES = 2_000
HEAVY_PEOPLE = 20  # people 1..20: many contributions, identities and tickets, the person pages measured

STEPS = (
    # About 3,000 more tickets waiting (new or open, unassigned), as a busy morning's queue.
    (
        "waiting",
        """UPDATE mentions_ticket SET status = 'new', assignee_id = NULL, first_reply_at = NULL,
           first_reply_seconds = NULL, first_reply_business_seconds = NULL, solved_at = NULL,
           requested_at = now() - (id %% 4000) * interval '1 minute'
           WHERE id %% 67 = 0""",
    ),
    (
        "people",
        """INSERT INTO people_person (name, notes, region, time_zone, links, erased_at, created_at, updated_at)
           SELECT 'User ' || g, '', '', '', '', NULL, now(), now() FROM generate_series(1, %(people)s) AS g""",
    ),
    # Everyone on X under the handle the tickets carry ('user' || n); one in three also by e-mail.
    (
        "identities",
        """INSERT INTO people_identity (person_id, platform, key, handle, name, url, created_at)
           SELECT g, 'twitter', 'user' || g, 'user' || g, 'User ' || g, '', now()
             FROM generate_series(1, %(people)s) AS g
           UNION ALL
           SELECT g, 'email', 'user' || g || '@example.com', 'user' || g || '@example.com', '', '', now()
             FROM generate_series(1, %(people)s) AS g WHERE g %% 3 = 0""",
    ),
    # The heavy people also hold 30 handles on other platforms each.
    (
        "heavy identities",
        """INSERT INTO people_identity (person_id, platform, key, handle, name, url, created_at)
           SELECT p, 'reddit', 'user' || p || '-' || j, 'user' || p || '-' || j, '', '', now()
             FROM generate_series(1, %(heavy)s) AS p, generate_series(1, 30) AS j""",
    ),
    # Every ticket of the first 20 people's handles, and one in 200 others, reassigned to them: a long history.
    (
        "heavy tickets",
        """UPDATE mentions_ticket SET requester_handle = 'user' || (1 + id %% %(heavy)s)
           WHERE id %% 200 = 7""",
    ),
    (
        "heavy messages",
        """UPDATE mentions_message m SET author_handle = t.requester_handle FROM mentions_ticket t
           WHERE m.ticket_id = t.id AND t.id %% 200 = 7 AND m.kind = 'inbound'""",
    ),
    (
        "requesters",
        """INSERT INTO people_requester (ticket_id, identity_id)
           SELECT t.id, i.id FROM mentions_ticket t
           JOIN people_identity i ON i.platform = 'twitter' AND i.key = t.requester_handle""",
    ),
    (
        "authorship",
        """INSERT INTO people_authorship (message_id, identity_id)
           SELECT m.id, i.id FROM mentions_message m
           JOIN people_identity i ON i.platform = 'twitter' AND i.key = m.author_handle
           WHERE m.kind = 'inbound'""",
    ),
    (
        "contributions",
        """INSERT INTO people_contribution (person_id, kind, date, title, link, recorded_by_id, created_at)
           SELECT p, (ARRAY['talk', 'blog_post', 'meetup', 'merge_request', 'forum_answer'])[1 + j %% 5],
                  current_date - j, 'Contribution ' || j, '', NULL::integer, now()
             FROM generate_series(10, %(people)s, 10) AS p, generate_series(1, 1 + p %% 5) AS j
           UNION ALL
           SELECT p, 'talk', current_date - j, 'Talk ' || j, '', NULL::integer, now()
             FROM generate_series(1, %(heavy)s) AS p, generate_series(1, 200) AS j""",
    ),
    (
        "person tags",
        """INSERT INTO people_persontag (name, marked, tags_tickets) SELECT 'tag-' || g, g %% 3 = 0, false
                       FROM generate_series(1, 12) AS g""",
    ),
    (
        "person tagging",
        """INSERT INTO people_person_tags (person_id, persontag_id)
           SELECT g, 1 + g %% 12 FROM generate_series(1, %(people)s, 7) AS g""",
    ),
    (
        "stories",
        """INSERT INTO stories_story (title, state, origin, links, terms, term_counts, size, reattached_size,
               first_at, last_at, answer, answer_link, answered_by_id, answered_at, merged_into_id,
               spike_alerted_at, created_at, updated_at)
           SELECT 'Story ' || g, CASE WHEN g %% 10 = 0 THEN 'closed' WHEN g %% 7 = 0 THEN 'answered' ELSE 'open' END,
                  'terms', '[]', '[]', '{}', 0, 0, now() - interval '30 days', now() - g * interval '10 minutes',
                  '', '', NULL, NULL, NULL, NULL, now(), now()
             FROM generate_series(1, %(stories)s) AS g""",
    ),
    # Every second ticket in a story (100,000 memberships), waiting ones included: 50 tickets a story.
    (
        "memberships",
        """INSERT INTO stories_membership (story_id, ticket_id, via, reason, added_by_id, created_at, updated_at)
           SELECT 1 + (t.id / 2) %% %(stories)s, t.id, 'terms', 'shares: bench', NULL, t.requested_at, t.requested_at
             FROM mentions_ticket t WHERE t.id %% 2 = 0""",
    ),
    (
        "story sizes",
        """UPDATE stories_story s SET size = m.n, first_at = m.first, last_at = greatest(m.last, s.last_at)
           FROM (SELECT story_id, count(*) AS n, min(created_at) AS first, max(created_at) AS last
                 FROM stories_membership GROUP BY story_id) AS m WHERE m.story_id = s.id""",
    ),
)

TABLES = (
    "people_person",
    "people_identity",
    "people_requester",
    "people_authorship",
    "people_contribution",
    "people_persontag",
    "people_person_tags",
    "stories_story",
    "stories_membership",
    "mentions_ticket",
    "mentions_message",
)


def main() -> None:
    # `--from <step>`: go on from that step of STEPS (the tickets and the earlier steps already loaded).
    start = sys.argv[sys.argv.index("--from") + 1] if "--from" in sys.argv else ""
    _common.setup_django()
    import _pages_load
    from django.db import connection

    started = time.perf_counter()
    if not start:
        _common.truncate("people_person", "people_persontag", "stories_story")
        _pages_load.load(TICKETS)
    params = {"people": PEOPLE, "stories": STORIES, "heavy": HEAVY_PEOPLE}
    names = [name for name, _sql in STEPS]
    with connection.cursor() as cur:
        for name, sql in STEPS[names.index(start) if start else 0 :]:
            step = time.perf_counter()
            cur.execute(sql, params)
            print(f"  {name}: {cur.rowcount:,} rows, {time.perf_counter() - step:.1f}s", flush=True)
        for table in TABLES:
            cur.execute(f"VACUUM ANALYZE {table}")
        cur.execute("SELECT count(*) FROM mentions_ticket WHERE status IN ('new', 'open') AND assignee_id IS NULL")
        row = cur.fetchone()
        print(f"waiting tickets: {row[0] if row else 0:,}; loaded in {time.perf_counter() - started:.0f}s")


if __name__ == "__main__":
    main()
