"""Disqus fidelity: (b) a text changed without an edit time is recorded as an edit, end to end; (c) the API key
never appears in an error message or in our own log lines."""

import json
import logging
import time
from io import StringIO
from urllib.parse import quote

import pytest
import requests
import responses
from django.core.management import call_command

from channels.adapters.disqus.tests.test_disqus_adapter import (
    FIXTURES,
    LIST_URL,
    add_page,
    disqus_channel,
    guest,
    load,
    post,
)
from channels.models import Channel
from channels.tests.harness import ingested, poll
from channels.tests.sent import request_url
from mentions.models import Message, TicketEvent

pytestmark = pytest.mark.django_db

HAPPY = '"We want happy paintings. Happy paintings. If you want sad things, watch the news."'


def ingest_file(channel, path):
    out = StringIO()
    call_command("ingest_payload", "--channel", channel.slug, str(path), stdout=out)
    return json.loads(out.getvalue())


def edit_events(message):
    return list(TicketEvent.objects.filter(ticket=message.ticket, kind=TicketEvent.Kind.MESSAGE_EDITED))


# --- (b) an edit without an edit time ------------------------------------------------------------


def test_posts_update_without_an_edit_time_is_recorded_as_an_edit_through_ingest_payload():
    """The recorded posts/getContext and posts/update responses hold the same post 1 before and after
    posts/update: same id, same createdAt, `isEdited: false`, no edit time, another message."""
    channel = disqus_channel()
    assert ingest_file(channel, FIXTURES / "posts_getContext.json")["created"] == 2
    assert Message.objects.get(channel=channel, external_id="1").body == HAPPY

    result = ingest_file(channel, FIXTURES / "posts_update.json")

    assert (result["received"], result["created"], result["edited"]) == (1, 0, 1)
    message = Message.objects.get(channel=channel, external_id="1")
    assert message.body == "Hello There" and message.edited_at is not None
    [event] = edit_events(message)
    assert event.data["previous_text"] == HAPPY
    assert ingest_file(channel, FIXTURES / "posts_update.json")["edited"] == 0  # fed again: nothing more


def test_a_saved_file_fed_twice_with_a_changed_message_is_an_edit(tmp_path):
    channel = disqus_channel()
    saved = load("threads_listPosts.json")
    path = tmp_path / "listPosts.json"
    path.write_text(json.dumps(saved))
    assert ingest_file(channel, path)["created"] == 2

    saved["response"][1]["message"] = "<p>Always beautiful, fun <b>and sharp</b> pictures</p>"
    saved["response"][1]["raw_message"] = "Always beautiful, fun and sharp pictures"
    path.write_text(json.dumps(saved))
    result = ingest_file(channel, path)

    assert (result["received"], result["created"], result["duplicates"], result["edited"]) == (2, 0, 2, 1)
    message = Message.objects.get(channel=channel, external_id="199054391")
    assert message.body == "Always beautiful, fun and sharp pictures"
    assert Message.objects.get(channel=channel, external_id="199088808").edited_at is None


@responses.activate
def test_a_changed_text_without_edit_time_is_an_edit_through_channel_poll():
    now = int(time.time())
    channel = disqus_channel()
    add_page([post(1, now - 300, message="GitLab CI fails on main. Any idea?", author=guest("Ann"))])
    assert ingested(poll(channel)).created == 1

    # Re-read inside the overlap with another text: the adapter hands it over again, dated when noticed.
    responses.reset()
    add_page([post(1, now - 300, message="GitLab CI fails on main since 16.2. Any idea?", author=guest("Ann"))])
    outcome = poll(channel)
    assert outcome.result is not None
    assert (outcome.result.received, outcome.result.edited) == (1, 1)
    message = Message.objects.get(channel=channel, external_id="1")
    assert message.body == "GitLab CI fails on main since 16.2. Any idea?" and message.edited_at is not None

    # The cursor lost (a redelivery): the ingest compares the text itself.
    Channel.objects.filter(pk=channel.pk).update(cursor={})
    responses.reset()
    add_page([post(1, now - 300, message="GitLab CI fails on main since 16.3. Any idea?", author=guest("Ann"))])
    outcome = poll(channel)
    assert outcome.result is not None
    assert (outcome.result.duplicates, outcome.result.edited) == (1, 1)
    message.refresh_from_db()
    assert message.body == "GitLab CI fails on main since 16.3. Any idea?"
    assert len(edit_events(message)) == 2


@responses.activate
def test_is_edited_is_handed_over_so_a_shortened_text_counts_as_an_edit():
    """Without an edit time the ingest takes a text that the stored one starts with for an excerpt, not an edit;
    Disqus's `isEdited` says it is one."""
    now = int(time.time())
    channel = disqus_channel()
    add_page([post(1, now - 300, message="GitLab CI fails on main. Any idea?", author=guest("Ann"))])
    poll(channel)

    Channel.objects.filter(pk=channel.pk).update(cursor={})
    responses.reset()
    add_page([post(1, now - 300, message="GitLab CI fails on main.", isEdited=True, author=guest("Ann"))])
    outcome = poll(channel)

    assert outcome.result is not None
    assert outcome.result.edited == 1
    assert Message.objects.get(channel=channel, external_id="1").body == "GitLab CI fails on main."


# --- (c) the key never in a message or a log line --------------------------------------------------

KEY = "pub+K3y/7f00ba"  # changes when URL-encoded (as it is in the request's query string)
ENCODED = quote(KEY, safe="")


@pytest.mark.parametrize(
    "failure",
    [
        {"body": requests.exceptions.ConnectTimeout(f"timed out: {LIST_URL}?api_key={ENCODED}&forum=gitlab")},
        {"body": requests.exceptions.ConnectionError(f"refused: {LIST_URL}?api_key={ENCODED}")},
        {"body": requests.exceptions.ChunkedEncodingError(f"broken: {LIST_URL}?api_key={ENCODED}")},
        {"status": 400, "json": {"code": 5, "response": f"Invalid API key: {KEY}"}},
        {"status": 400, "json": {"code": 2, "response": f"Invalid argument, 'api_key': {ENCODED}"}},
        {"status": 500, "json": {"code": 15, "response": f"Error processing {LIST_URL}?api_key={ENCODED}"}},
        {"status": 200, "json": {"code": 13, "response": f"Rate limit exceeded for key {KEY}"}},
        {"status": 200, "body": "x" * 105 + f"api_key={KEY}"},  # the key across the point where bodies are cut
        {"status": 200, "body": f"<html><a href='{LIST_URL}?api_key={ENCODED}'>retry</a></html>"},
        {"status": 404, "body": f"<html>{KEY}</html>"},
    ],
    ids=[
        "timeout",
        "connection",
        "chunked",
        "code-5",
        "code-2-encoded",
        "code-15",
        "code-13",
        "cut-body",
        "html-url",
        "404",
    ],
)
@responses.activate
def test_the_api_key_never_appears_in_an_error_message_or_our_logs(failure, caplog):
    channel = disqus_channel()
    channel.credentials = {"api_key": KEY}
    channel.save()
    responses.get(LIST_URL, **failure)

    with caplog.at_level(logging.DEBUG):
        outcome = poll(channel)

    assert outcome.status in {"transient_error", "failing"}
    assert request_url(responses.calls[0].request).count(f"api_key={ENCODED}") == 1  # it was sent
    ours = [r.getMessage() for r in caplog.records if not r.name.startswith("urllib3")]
    for text in [outcome.error, channel.last_error, *ours]:
        assert KEY not in text and ENCODED not in text and "K3y" not in text, text
