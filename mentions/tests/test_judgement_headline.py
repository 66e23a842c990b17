"""A title is not a question (issue 68): on a platform whose titles are headlines (dev.to, feeds: the declaration's
`headline_titles`), the judgement reads a question in the body only. The dev.to article is the recorded
`/api/articles` answer in channels/adapters/devto/tests/fixtures (SOURCES.md: Medkue/dev.to), ingested through the
dev.to adapter; the other texts are written here."""

from __future__ import annotations

import pytest

from channels.adapters.devto import DevtoAdapter
from channels.adapters.devto.tests.test_devto_adapter import devto_channel, load
from intake.pipeline import mentions_ingest
from mentions.judgement.features import MentionText, mention_cues
from mentions.judgement.run import tickets_judge
from mentions.models import ProductProfile, Ticket

pytestmark = pytest.mark.django_db


def test_a_titled_blog_post_with_no_question_in_its_body_is_not_a_question():
    ProductProfile.objects.create(
        name="React",
        description="React, the JavaScript library for building user interfaces: components, hooks, JSX, rendering, "
        "state and React DOM.",
    )
    channel = devto_channel(config={"tags": ["react"], "per_page": 2})
    mentions_ingest(channel=channel, mentions=DevtoAdapter().parse_payload(load("articles_username_gereltuyamz.json")))
    article = Ticket.objects.get(messages__external_id="1615102")  # "When to use dangerouslySetInnerHTML in React?"
    tickets_judge()

    judged = Ticket.objects.get(pk=article.pk)
    assert (judged.judgement, judged.intent) == ("worth_knowing", "other")
    assert not judged.judgement_reason.startswith("Asks")
    # Its title is a headline on dev.to and in a feed; the same words as a Reddit post's title ask.
    stored = article.messages.get()
    on = {kind: MentionText(stored.title, stored.body, "g", kind) for kind in ("devto", "feed", "reddit")}
    assert [mention_cues(on[kind]).question for kind in ("devto", "feed", "reddit")] == [False, False, True]


def test_a_blog_post_that_asks_in_its_body_is_still_read_as_asking():
    body = "I moved our CI to GitLab last month. How do I keep the cache between two jobs? It is always empty."
    assert mention_cues(MentionText("Why we moved to GitLab?", body, "g", "devto")).question
    assert not mention_cues(MentionText("Why we moved to GitLab?", "It was the pipelines.", "g", "devto")).question
