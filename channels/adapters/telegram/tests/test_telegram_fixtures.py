"""Real Bot API answers recorded by other projects (fixtures/SOURCES.md: OpenIntegrations' getUpdates of a forum
supergroup and its sendMessage, tg-coffeebot's update), each with exact expectations written from the payload
itself, parsed and ingested through `manage.py ingest_payload`."""

import json
from datetime import UTC, datetime
from io import StringIO

import pytest
from django.core.management import call_command

from channels.adapters.telegram import TelegramAdapter
from channels.adapters.telegram.parse import Context, parse_page
from channels.adapters.telegram.tests.helpers import FIXTURES, RECORDED, load, telegram_channel
from mentions.models import Message

adapter = TelegramAdapter()


def test_the_recorded_person_message_reads_with_its_author_time_and_text():
    (mention,) = adapter.parse_payload(load("recorded_coffeebot_update.json"))

    assert (mention.external_id, mention.created_at, mention.text) == (
        "234140659:698",
        datetime(2022, 4, 17, 14, 17, 4, tzinfo=UTC),
        "test",
    )
    assert (mention.author_handle, mention.author_name, mention.author_url) == (
        "zhmurko",
        "Dmitry",
        "https://t.me/zhmurko",
    )
    assert mention.permalink == ""  # a private chat has no public address


def test_the_recorded_forum_page_is_all_service_messages_and_one_channel_post():
    # Eleven updates: a channel's pinned-message notice (not asked for) and ten topic service messages (opened,
    # renamed, closed, reopened, hidden): none is someone's words, none is refused.
    parsed = parse_page(load("recorded_openintegrations_getupdates_forum.json"), Context(bot_id="6129457865"))

    assert len(RECORDED) == 11 and (parsed.mentions, parsed.rejected) == ([], [])


def test_a_recorded_topic_message_with_words_is_in_its_topic_and_titled_by_it():
    update = json.loads(json.dumps(RECORDED[2]))  # 2393: in topic 2391, replying to its opening message
    update["message"]["text"] = "Is the runner cache shared between topics?"

    (mention,) = parse_page(update, Context(bot_id="6129457865")).mentions  # the recording's bot: our reply

    assert (mention.external_id, mention.thread_id, mention.parent_id) == (
        "-1001971186208:2393",
        "-1001971186208:2391",
        "",
    )
    assert mention.title == "Тестовая тема 62658df2-1bcc-4e17-8909-4afc3091c0d1"
    assert mention.permalink == "https://t.me/c/1971186208/2391/2393" and mention.by_us


def test_the_recorded_send_answer_names_the_posted_message():
    sent = load("recorded_openintegrations_sendmessage.json")["result"]

    assert (sent["message_id"], sent["from"]["is_bot"], sent["chat"]["id"]) == (4638, True, 461699897)


@pytest.mark.django_db
def test_ingest_payload_stores_the_recorded_update_once():
    channel = telegram_channel(chats=["234140659"])
    path = FIXTURES / "recorded_coffeebot_update.json"

    call_command("ingest_payload", "--channel", channel.slug, str(path), stdout=StringIO())
    call_command("ingest_payload", "--channel", channel.slug, str(path), stdout=StringIO())

    assert list(Message.objects.filter(channel=channel).values_list("external_id", flat=True)) == ["234140659:698"]
