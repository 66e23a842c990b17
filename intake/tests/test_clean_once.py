"""A mention is cleaned once, at the boundary (docs/architecture.md, "From a poll to a ticket").

Before intake was an app, a polled mention was cleaned three times: by the adapter's page parser
(`channels.clean.mention_clean` in `guard.parse_each`), again by `mentions_store`, then column by column in
the pipeline's first stage. Here each entry path (a poll, the inbound webhook, `manage.py ingest_payload`)
is fed a payload, the calls of the one cleaner are counted (a wrapper that calls the real function, so
nothing changes but the count), and the stored text is compared with ONE application of the cleaner to
what the parser read. The webhook's text is one that a second cleaning changes: 99,999 characters, a space,
then more; `mention_clean` cuts it at 100,000 characters (keeping the space), and cleaning that again would
strip the space.

Payload shapes: the webhook body is the documented one (channels/adapters/webhook/__init__.py); the Hacker News
search response is the recorded Algolia shape (channels/tests/hn.py, from channels/adapters/hackernews/tests/fixtures,
whose SOURCES.md says where it was recorded).
"""

from __future__ import annotations

import json
import time
from io import StringIO

import pytest
import responses
from django.core.management import call_command
from django.urls import reverse

from channels import clean
from channels.adapters.hackernews import SEARCH_URL
from channels.adapters.hackernews.parse import hit_mention
from channels.adapters.webhook import mention_from_json
from channels.models import Channel
from channels.tests.factories import ChannelFactory
from channels.tests.hn import comment_hit, search_page
from intake.pipeline import mentions_ingest
from intake.services.polling import channel_poll
from intake.services.webhooks import signature_for
from mentions.models import Message, Ticket

pytestmark = pytest.mark.django_db

SECRET = "whsec-test-0123456789"
# Cut by the cleaner at TEXT_MAX (100,000) right after the space; a second cleaning would strip it.
LONG_TEXT = "x" * (clean.TEXT_MAX - 1) + " and the rest"
ONCE = "x" * (clean.TEXT_MAX - 1) + " "
TWICE = "x" * (clean.TEXT_MAX - 1)


@pytest.fixture
def cleanings(monkeypatch) -> list[str]:
    """The external id of every mention `channels.clean.mention_clean` cleans, in order."""
    calls: list[str] = []
    real = clean.mention_clean

    def counted(mention):
        calls.append(str(mention.external_id))
        return real(mention)

    monkeypatch.setattr(clean, "mention_clean", counted)
    return calls


def webhook_body(external_id: str) -> dict:
    return {
        "id": external_id,
        "url": f"https://facebook.com/gitlab/posts/{external_id}",
        "author": {"name": "  Dana   Dev ", "handle": "dana.dev"},
        "text": LONG_TEXT,
        "created_at": "2026-11-21T10:00:00Z",
    }


def webhook_channel() -> Channel:
    channel = ChannelFactory(kind="webhook", name="Facebook relay", slug="facebook", config={}, our_accounts=[])
    channel.credentials = {"secret": SECRET}
    channel.save()
    return channel


def test_the_cleaner_is_not_idempotent_on_this_text_so_the_stored_text_tells_once_from_twice():
    assert clean.text(LONG_TEXT) == ONCE
    assert clean.text(clean.text(LONG_TEXT)) == TWICE != ONCE


@responses.activate
def test_a_polled_mention_is_cleaned_once(cleanings):
    channel = ChannelFactory()
    hit = comment_hit(4242, int(time.time()) - 30, text="<p>Is GitLab CI down?  </p>", author="  alice ")
    responses.get(SEARCH_URL, json=search_page([hit]))

    outcome = channel_poll(channel_id=channel.pk)
    assert outcome.result is not None and outcome.result.created == 1

    assert cleanings == ["4242"]
    stored = Message.objects.get(channel=channel)
    once = clean.mention_clean(hit_mention(hit))
    assert (stored.body, stored.author_handle, stored.permalink, stored.raw) == (
        once.text,
        once.author_handle,
        once.permalink,
        once.raw,
    )


def test_a_mention_posted_to_the_webhook_is_cleaned_once(client, cleanings):
    webhook_channel()
    body = json.dumps(webhook_body("fb-1")).encode()
    stamp = str(int(time.time()))
    response = client.post(
        reverse("webhook", args=["facebook"]),
        data=body,
        content_type="application/json",
        HTTP_X_DESK_TIMESTAMP=stamp,
        HTTP_X_DESK_SIGNATURE=signature_for(SECRET, stamp, body),
    )

    assert response.status_code == 201, response.content
    assert cleanings == ["fb-1"]
    stored = Message.objects.get(external_id="fb-1")
    assert stored.body == ONCE
    assert stored.author_name == clean.mention_clean(mention_from_json(webhook_body("fb-1"))).author_name == "Dana Dev"


def test_a_file_fed_to_ingest_payload_is_cleaned_once(tmp_path, cleanings):
    webhook_channel()
    path = tmp_path / "relay.json"
    path.write_text(json.dumps([webhook_body("fb-1"), webhook_body("fb-2")]))
    out = StringIO()

    call_command("ingest_payload", "--channel", "facebook", str(path), stdout=out)

    assert json.loads(out.getvalue())["created"] == 2
    assert cleanings == ["fb-1", "fb-2"]
    assert list(Message.objects.order_by("external_id").values_list("body", flat=True)) == [ONCE, ONCE]


def test_a_mention_built_by_hand_is_cleaned_by_the_pipeline_once(cleanings):
    """Not from an adapter (a script, a test): the pipeline's first stage cleans it, with the same function."""
    channel = webhook_channel()
    made = mention_from_json(webhook_body("fb-9"))

    mentions_ingest(channel=channel, mentions=[made])

    assert cleanings == ["fb-9"]
    assert Message.objects.get(external_id="fb-9").body == ONCE
    assert Ticket.objects.get().requester_name == "Dana Dev"


def test_a_cleaned_mention_changed_afterwards_is_cleaned_again():
    """The mark is not copied by dataclasses.replace: a value set after cleaning cannot skip the cleaner."""
    from dataclasses import replace

    cleaned = clean.mention_clean(mention_from_json(webhook_body("fb-3")))
    changed = replace(cleaned, text="NUL\x00inside")
    assert cleaned.cleaned and not changed.cleaned
    assert clean.mention_storable(cleaned) is cleaned
    assert clean.mention_storable(changed).text == "NULinside"


def test_what_the_cleaner_keeps_fits_the_columns_the_pipeline_writes_without_cutting():
    """The pipeline no longer cuts values to their columns: the cleaner's limits must stay within them."""
    lengths = {f.name: f.max_length for f in Message._meta.fields if f.max_length}
    assert min(lengths["external_id"], lengths["parent_external_id"], lengths["thread_external_id"]) >= clean.ID_MAX
    assert lengths["author_handle"] >= clean.HANDLE_MAX
    assert lengths["author_name"] >= clean.NAME_MAX
    assert min(lengths["author_url"], lengths["permalink"]) >= clean.URL_MAX
    assert lengths["title"] >= clean.TITLE_MAX
    ticket = {f.name: f.max_length for f in Ticket._meta.fields if f.max_length}
    assert ticket["requester_handle"] >= clean.HANDLE_MAX and ticket["requester_name"] >= clean.NAME_MAX
    assert ticket["requester_url"] >= clean.URL_MAX
