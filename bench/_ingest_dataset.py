"""The dataset of bench/ingest_throughput.py: Hacker News items as Algolia's search answers them (shaped like
channels/tests/hn.py), with a share of re-deliveries, paged as a poll reads them."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field

OVERLAP_SECONDS = 300  # the adapter's default cursor overlap
FIRST_ID = 40_000_000  # all ids have 8 digits, so string order is numeric order
OUTSIDE_STORY_IDS = (30_000_000, 39_999_999)  # stories that never mention the keyword
START_TIME = 1_735_689_600  # 2025-01-01T00:00:00Z

# fmt: off
WORDS = [
    "gitlab", "ci", "pipeline", "runner", "merge", "request", "self-hosted", "github", "actions", "kubernetes",
    "docker", "registry", "migration", "review", "license", "pricing", "outage", "incident", "backup", "terraform",
    "monorepo", "cache", "artifacts", "latency", "runners", "shared", "premium", "ultimate", "issue", "board",
    "epic", "roadmap", "security", "scanning", "sast",
]
# fmt: on


@dataclass
class Dataset:
    pages: list[dict] = field(default_factory=list)  # Algolia search responses
    distinct: int = 0
    delivered: int = 0
    redelivered: int = 0
    stories: int = 0
    comments: int = 0
    expected_threaded: int = 0
    expected_tickets: int = 0


def _sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def _comment_text(rng: random.Random, object_id: int) -> str:
    text = f"<p>We moved {_sentence(rng, 6)} to GitLab last year.</p><p>{_sentence(rng, rng.randint(10, 60))}"
    if rng.random() < 0.3:
        link = f"https://gitlab.com/example/p{object_id}"
        text += f' see <a href="{link}" rel="nofollow">https:&#x2F;&#x2F;gitlab.com&#x2F;example</a>'
    if rng.random() < 0.2:
        text += f"<p><i>{_sentence(rng, 8)}</i> &amp; {_sentence(rng, 5)} &#x27;quoted&#x27;</p>"
    return text + "</p>"


def dataset_build(*, items: int, page_size: int, dup_rate: float, seed: int = 42) -> Dataset:
    """Every page built up front (the timed run holds them all, so only ingest is timed)."""
    data = Dataset()
    data.pages = list(pages_generate(data, items=items, page_size=page_size, dup_rate=dup_rate, seed=seed))
    return data


def pages_generate(
    data: Dataset, *, items: int, page_size: int, dup_rate: float, seed: int = 42, window: int | None = None
) -> Iterator[dict]:
    """Pages of Algolia hits, in delivery order; later pages re-deliver earlier ids.

    Re-deliveries are what a poll sees: most come from the cursor overlap (the newest ids of
    the previous page), a quarter from anywhere earlier (a backfill or replay). With `window`
    (pages), "anywhere earlier" is the last `window` pages and nothing older is kept, so a
    backfill of a million items is generated in bounded memory.
    """
    from channels.tests.hn import comment_hit, search_page, story_hit

    rng = random.Random(seed)
    n_pages = -(-items // page_size)
    total_dups = round(items * dup_rate)
    distinct = items - total_dups
    if n_pages < 2 or total_dups > (n_pages - 1) * page_size // 2:
        raise SystemExit("Not enough pages to spread that many re-deliveries.")
    authors = [f"hn_user_{i}" for i in range(5000)]

    data.distinct, data.delivered, data.redelivered = distinct, items, total_dups
    hits_by_id: dict[int, dict] = {}
    delivered_ids: list[int] = []  # distinct ids in delivery order
    stories: list[int] = []  # our stories, in order
    thread_comments: dict[int, list[int]] = {}  # story id -> stored comments under it
    next_id, now = FIRST_ID, START_TIME
    made = 0

    for k in range(n_pages):
        page_items = min(page_size, items - k * page_size)
        # Spread the re-deliveries evenly over pages 1..n-1 (page 0 has nothing to repeat).
        dups = 0 if k == 0 else round(k * total_dups / (n_pages - 1)) - round((k - 1) * total_dups / (n_pages - 1))
        fresh = min(page_items - dups, distinct - made)
        dups = page_items - fresh

        page_ids: list[int] = []
        for _ in range(fresh):
            next_id += rng.randint(1, 5)
            now += rng.randint(0, 6)
            oid = next_id
            author = rng.choice(authors)
            if rng.random() < 0.30:
                hit = story_hit(
                    oid,
                    now,
                    title=f"GitLab {_sentence(rng, rng.randint(3, 9))}",
                    author=author,
                    story_text=f"<p>{_sentence(rng, 30)}</p>" if rng.random() < 0.3 else "",
                    url=None if rng.random() < 0.3 else f"https://example.com/{oid}",
                )
                stories.append(oid)
                thread_comments[oid] = []
                data.stories += 1
                data.expected_tickets += 1
            else:
                data.comments += 1
                if stories and rng.random() < 0.55:
                    # Joins a thread we hold: a recent story, replying to it or to a comment in it.
                    story = rng.choice(stories[-300:])
                    siblings = thread_comments[story]
                    parent = rng.choice(siblings) if siblings and rng.random() < 0.4 else story
                    siblings.append(oid)
                    data.expected_threaded += 1
                else:
                    # A comment in a story that never matched the keyword: opens a ticket.
                    story = rng.randint(*OUTSIDE_STORY_IDS)
                    parent = story if rng.random() < 0.5 else rng.randint(*OUTSIDE_STORY_IDS)
                    data.expected_tickets += 1
                hit = comment_hit(
                    oid, now, text=_comment_text(rng, oid), author=author, parent_id=parent, story_id=story
                )
                hit["story_title"] = f"GitLab {_sentence(rng, 5)}"
            hits_by_id[oid] = hit
            page_ids.append(oid)
            made += 1

        if dups:
            fresh_set = set(page_ids)
            recent = [i for i in delivered_ids[-2 * page_size :] if i not in fresh_set]
            n_recent = min(len(recent), round(dups * 0.75))
            chosen = set(rng.sample(recent[-max(n_recent * 2, 1) :], n_recent))
            older = [i for i in delivered_ids if i not in chosen]
            chosen.update(rng.sample(older, dups - len(chosen)))
            page_ids.extend(chosen)

        delivered_ids.extend(page_ids[:fresh])
        hits = sorted((hits_by_id[i] for i in page_ids), key=lambda h: (-h["created_at_i"], h["objectID"]))
        if window is not None and len(delivered_ids) > window * page_size:
            for old in delivered_ids[: -window * page_size]:
                del hits_by_id[old]
            del delivered_ids[: -window * page_size]
            del stories[:-300]
            thread_comments = {k: thread_comments[k] for k in stories}
        assert len({h["objectID"] for h in hits}) == len(hits) == page_items
        newest = hits[0]["created_at_i"]
        cursor = {
            "created_at_i": newest,
            "recent_ids": sorted(h["objectID"] for h in hits if h["created_at_i"] >= newest - OVERLAP_SECONDS),
        }
        page = search_page(hits, page=0, nb_pages=1, hits_per_page=page_size)
        page["_bench_cursor"] = cursor  # not read by the adapter
        yield page

    assert made == distinct, (made, distinct)
