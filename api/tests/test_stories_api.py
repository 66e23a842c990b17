"""GET /api/stories/ and /api/stories/{id}/: the detector's stories with their tickets, newest activity first,
paged by `next` (a URL, null at the end), for a token of someone who works the queue. Tickets are stored through
the real ingest and grouped by the real detector."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client

from api.tokens import token_create
from mentions.tests.factories import AdvocateFactory, UserFactory
from stories.detection.detector import stories_detect
from stories.models import Story
from stories.tests.helpers import RELEASE_DAY, mention

pytestmark = pytest.mark.django_db


def _client(user=None) -> Client:
    secret = token_create(user=user or AdvocateFactory(), name="t", scope="read", days=1)[1]
    return Client(headers={"Authorization": f"Bearer {secret}"})


def _stories(n: int) -> list[list[int]]:
    """n stories of two tickets each (a link shared on X and Reddit), the last one newest."""
    made = []
    for i in range(n):
        at = RELEASE_DAY + timedelta(hours=i)
        link = f"https://blog.example.com/post-{i}"
        made.append([mention("twitter", f"read {link}", at=at).pk, mention("reddit", link, at=at).pk])
    stories_detect()
    return made


def test_stories_newest_first_with_their_tickets_and_platforms():
    made = _stories(2)
    body = _client().get("/api/stories/").json()
    assert body["next"] is None
    first, second = body["results"]
    assert first["tickets"] == made[1] and second["tickets"] == made[0]
    assert first["platforms"] == {"twitter": 1, "reddit": 1}
    assert first["size"] == 2 and first["state"] == "open" and first["origin"] == "link"
    assert first["links"] == ["blog.example.com/post-1"]
    assert first["url"].endswith(f"/stories/{first['id']}/")


def test_next_pages_through_every_story_once(django_assert_max_num_queries):
    made = _stories(5)
    client = _client()
    seen: list[list[int]] = []
    url = "/api/stories/?limit=2"
    pages = 0
    while url:
        with django_assert_max_num_queries(12):  # the same few queries whatever the page's stories hold
            body = client.get(url).json()
        seen += [r["tickets"] for r in body["results"]]
        url = body["next"]
        pages += 1
    assert pages == 3
    assert seen == list(reversed(made))


def test_a_story_says_why_each_ticket_is_in_it():
    made = _stories(1)
    story = Story.objects.get()
    body = _client().get(f"/api/stories/{story.pk}/").json()
    assert [m["ticket"] for m in body["members"]] == made[0]
    assert {m["reason"] for m in body["members"]} == {"links to the same URL: blog.example.com/post-0"}
    assert body["merged_into"] is None


def test_refusals_bad_cursor_state_and_rights():
    _stories(1)
    client = _client()
    assert client.get("/api/stories/?cursor=not-a-position").status_code == 400
    assert "cursor" in client.get("/api/stories/?cursor=not-a-position").json()
    assert client.get("/api/stories/?state=burning").status_code == 400
    assert client.get("/api/stories/?state=answered").json()["results"] == []
    assert client.get("/api/stories/999999/").status_code == 404
    assert _client(UserFactory()).get("/api/stories/").status_code == 403
    assert Client().get("/api/stories/").status_code in (401, 403)
