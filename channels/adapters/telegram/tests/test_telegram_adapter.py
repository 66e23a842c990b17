"""The Telegram adapter: its config, parsing and threading, the walk of getUpdates (offset, pages, budget, 429),
which messages are mentions, the reply as the bot, and the token kept out of every message and log line, with HTTP
mocked by `responses` at the edge. The answers are the recorded ones in fixtures/ (SOURCES.md) or updates copied
from them with only their ids, times, chats, authors or text changed (helpers.py)."""

import json
import logging

import pytest
import responses

from channels.adapters import AuthError, ConfigError, PayloadError, RateLimited
from channels.adapters.base import ReplyError, ReplyTarget, ReplyUncertain
from channels.adapters.telegram import TelegramAdapter
from channels.adapters.telegram.client import TokenFilter, hidden
from channels.adapters.telegram.tests.helpers import (
    ASKER,
    BOT,
    GROUP,
    HELPER,
    OTHER_GROUP,
    SEND_URL,
    TOKEN,
    UPDATES_URL,
    add_me,
    add_updates,
    load,
    unsaved,
    update,
)
from channels.http import build_session
from channels.models import Account

adapter = TelegramAdapter()


def walk(channel):
    return list(adapter.fetch_chunks(channel=channel, session=build_session()))


def mentions_of(results):
    return [m for r in results for m in r.mentions]


def sent_body(call):
    return json.loads(call.request.body)


# --- config ------------------------------------------------------------------------------------------------------


def test_config_takes_chat_ids_and_usernames_and_refuses_the_rest():
    assert adapter.validate_config({"chats": ["-1001971186208", "@Our_Chat", -100123]})["chats"] == [
        "-1001971186208",
        "@our_chat",
        "-100123",
    ]
    bad: dict
    for bad in ({}, {"chats": []}, {"chats": ["our chat"]}, {"chats": [True]}, {"chats": ["1"], "limit": 101}):
        with pytest.raises(ConfigError):
            adapter.validate_config(bad)
    with pytest.raises(ConfigError):
        adapter.validate_config({"chats": ["1"], "webhook": True})


# --- parsing -------------------------------------------------------------------------------------------------------


def test_a_message_is_keyed_by_its_chat_and_read_with_its_author_and_address():
    parsed = adapter.parse_page(update(7, 698, "How do I cache the runner?", author=ASKER))

    (mention,) = parsed.mentions
    assert mention.external_id == f"{GROUP}:698"
    assert (mention.author_handle, mention.author_name) == ("asker_dev", "Asker_Dev")
    assert mention.author_url == "https://t.me/asker_dev"
    assert mention.permalink == "https://t.me/c/1971186208/698"  # a private supergroup: members only
    assert (mention.parent_id, mention.thread_id, mention.by_us) == ("", "", False)


def test_a_reply_is_under_its_parent_and_a_topic_message_in_its_topic():
    parent = update(1, 10, "question", author=ASKER)["message"]
    reply = adapter.parse_page(update(2, 11, "answer", author=HELPER, reply_to=parent)).mentions[0]
    topical = adapter.parse_page(update(3, 12, "in a topic", author=ASKER, topic=2391)).mentions[0]
    answered = adapter.parse_page(update(4, 13, "re", author=HELPER, topic=2391, reply_to=parent)).mentions[0]

    assert (reply.parent_id, reply.thread_id) == (f"{GROUP}:10", "")
    # Every topic message replies to the topic's opening service message, which is no parent of its own.
    assert (topical.parent_id, topical.thread_id) == ("", f"{GROUP}:2391")
    assert topical.title.startswith("Тестовая тема") and topical.permalink.endswith("/2391/12")
    assert (answered.parent_id, answered.thread_id) == (f"{GROUP}:10", f"{GROUP}:2391")


def test_the_recorded_forum_page_has_only_service_messages_and_a_channel_post():
    parsed = adapter.parse_page(load("recorded_openintegrations_getupdates_forum.json"))

    assert (parsed.mentions, parsed.rejected) == ([], [])


def test_an_edit_keeps_the_id_and_says_when():
    edited = adapter.parse_page(update(9, 20, "fixed typo", author=ASKER, edited=1_716_906_900)).mentions[0]

    assert edited.external_id == f"{GROUP}:20" and edited.edited_at is not None
    assert edited.edited_at.timestamp() == 1_716_906_900


def test_the_bots_own_message_is_ours_and_other_bots_are_skipped():
    ours = adapter.parse_item(
        update(1, 5, "We shipped a fix", author=BOT), channel=unsaved({}, {"bot_id": "6129457865"})
    )
    other_bot = adapter.parse_page(update(2, 6, "spam", author={**BOT, "id": 42, "username": "spam_bot"}))

    assert ours.mentions[0].by_us
    assert other_bot.mentions == []


def test_an_unreadable_update_is_rejected_and_the_rest_read():
    broken = update(2, 31, "no date", author=ASKER)
    del broken["message"]["date"]
    parsed = adapter.parse_page([update(1, 30, "fine", author=ASKER), broken, "junk"])

    assert [m.external_id for m in parsed.mentions] == [f"{GROUP}:30"]
    assert len(parsed.rejected) == 2
    with pytest.raises(PayloadError):
        adapter.parse_page(17)


# --- polling -------------------------------------------------------------------------------------------------------


@responses.activate
def test_a_poll_asks_from_the_stored_offset_and_moves_it_past_the_page():
    add_updates([update(500, 40, "hello", author=ASKER), update(501, 41, "hi", author=HELPER)], offset=480)
    channel = unsaved({"chats": [str(GROUP)]}, {"offset": 480, "bot_id": "6129457865", "bot_username": "sicheebot"})

    results = walk(channel)

    asked = sent_body(responses.calls[0])
    assert asked == {"limit": 100, "timeout": 0, "allowed_updates": ["message", "edited_message"], "offset": 480}
    assert [m.external_id for m in mentions_of(results)] == [f"{GROUP}:40", f"{GROUP}:41"]
    assert results[-1].cursor["offset"] == 502


@responses.activate
def test_the_first_poll_asks_who_the_bot_is_once_and_keeps_it():
    add_me()
    add_updates([])

    results = walk(unsaved({"chats": [str(GROUP)]}))

    assert [c.request.url for c in responses.calls] == [f"https://api.telegram.org/bot{TOKEN}/getMe", UPDATES_URL]
    assert results[-1].cursor["bot_id"] == "6129457865" and "offset" not in results[-1].cursor


@responses.activate
def test_a_full_page_is_followed_by_the_next_each_a_chunk_with_its_offset():
    add_updates([update(100 + n, 100 + n, f"m{n}", author=ASKER) for n in range(3)], offset=100)
    add_updates([update(103, 103, "m3", author=ASKER)], offset=103)
    cursor = {"offset": 100, "bot_id": "6129457865"}

    results = walk(unsaved({"chats": [str(GROUP)], "limit": 3}, cursor))

    assert [r.cursor["offset"] for r in results] == [103, 104]
    assert [len(r.mentions) for r in results] == [3, 1] and results[0].more and not results[-1].more


@responses.activate
def test_other_chats_are_skipped_but_the_offset_moves_past_them():
    add_updates([update(1, 1, "elsewhere", author=ASKER, chat=OTHER_GROUP), update(2, 2, "here", author=ASKER)])

    results = walk(unsaved({"chats": [str(GROUP)]}, {"bot_id": "1"}))

    assert [m.external_id for m in mentions_of(results)] == [f"{GROUP}:2"]
    assert results[-1].cursor["offset"] == 3


@responses.activate
def test_with_keywords_a_mention_names_one_mentions_the_bot_answers_it_or_follows_a_kept_message():
    bot_said = update(9, 9, "We answered", author=BOT)["message"]
    first = update(10, 10, "The Runner crashes", author=ASKER)
    add_updates(
        [
            update(1, 1, "lunch anyone?", author=HELPER),
            first,
            update(11, 11, "same here", author=HELPER, reply_to=first["message"]),
            update(12, 12, "@SicheeBot help", author=ASKER),
            update(13, 13, "thanks!", author=ASKER, reply_to=bot_said),
            update(14, 14, "off topic", author=HELPER, reply_to=update(1, 1, "lunch anyone?")["message"]),
        ]
    )
    cursor = {"bot_id": str(BOT["id"]), "bot_username": BOT["username"]}

    kept = [
        m.external_id.split(":")[1]
        for m in mentions_of(walk(unsaved({"chats": [str(GROUP)], "keywords": ["runner"]}, cursor)))
    ]

    assert kept == ["10", "11", "12", "13"]


@responses.activate
def test_a_topics_later_messages_join_its_first_kept_message_across_polls():
    cursor = {"bot_id": "1", "kept": [f"{GROUP}:50"], "topics": {f"{GROUP}:2391": f"{GROUP}:50"}}
    add_updates([update(60, 60, "any news?", author=HELPER, topic=2391)])

    (mention,) = mentions_of(walk(unsaved({"chats": [str(GROUP)], "keywords": ["runner"]}, cursor)))

    assert mention.related_ids == (f"{GROUP}:50",) and mention.thread_id == f"{GROUP}:2391"


@responses.activate
def test_a_429_on_the_first_call_waits_what_telegram_said():
    add_updates([], status=429, body=load("docs_error_429.json"))

    with pytest.raises(RateLimited) as caught:
        walk(unsaved({"chats": [str(GROUP)]}, {"bot_id": "1"}))

    assert caught.value.retry_after == 5 and TOKEN not in str(caught.value)


@responses.activate
def test_a_429_after_a_page_ends_the_walk_and_keeps_the_page():
    add_updates([update(1, 1, "a", author=ASKER), update(2, 2, "b", author=ASKER)], offset=1)
    add_updates([], status=429, body=load("docs_error_429.json"), offset=3)

    results = walk(unsaved({"chats": [str(GROUP)], "limit": 2}, {"bot_id": "1", "offset": 1}))

    assert len(mentions_of(results)) == 2 and results[-1].cursor["offset"] == 3
    assert results[-1].not_before is not None and results[-1].more


@pytest.mark.parametrize(
    ("status", "error"), [(401, AuthError), (404, AuthError), (409, ConfigError), (502, Exception)]
)
@responses.activate
def test_refusals_name_the_method_never_the_token(status, error, caplog):
    body = {"ok": False, "error_code": status, "description": f"Error: bot{TOKEN} refused"}
    add_updates([], status=status, body=body)
    caplog.set_level(logging.DEBUG)

    with pytest.raises(error) as caught:
        walk(unsaved({"chats": [str(GROUP)]}, {"bot_id": "1"}))

    assert "Telegram getUpdates" in str(caught.value)
    assert TOKEN not in str(caught.value) and TOKEN not in caplog.text


def test_the_urllib3_line_that_prints_an_address_loses_the_token():
    record = logging.LogRecord(
        "urllib3.connectionpool", logging.DEBUG, "", 0, '%s "%s %s"', ("x", "POST", f"/bot{TOKEN}/getUpdates"), None
    )

    TokenFilter().filter(record)

    assert TOKEN not in record.getMessage() and "/bot<bot token>/getUpdates" in record.getMessage()
    assert hidden(f"a {TOKEN} b") == "a <bot token> b"


# --- replies -------------------------------------------------------------------------------------------------------


def send(target, text):
    return adapter.post_reply(channel=unsaved({}), account=Account(), session=build_session(), target=target, text=text)


def target_of(upd):
    mention = adapter.parse_page(upd).mentions[0]
    return ReplyTarget(external_id=mention.external_id, thread_id=mention.thread_id, raw=mention.raw)


@responses.activate
def test_a_reply_answers_the_message_in_its_topic_as_plain_text():
    responses.post(SEND_URL, json={**load("recorded_openintegrations_sendmessage.json")})
    target = target_of(update(3, 77, "help", author=ASKER, topic=2391))

    sent = send(target, "<b>Hi</b>")

    body = sent_body(responses.calls[0])
    assert body == {
        "chat_id": GROUP,
        "text": "<b>Hi</b>",
        "reply_parameters": {"message_id": 77, "allow_sending_without_reply": True},
        "message_thread_id": 2391,
    }
    assert sent.external_id == "461699897:4638" and sent.created_at.timestamp() == 1717072354


@responses.activate
def test_a_reply_outside_a_topic_names_no_thread():
    responses.post(SEND_URL, json=load("recorded_openintegrations_sendmessage.json"))

    send(
        target_of(update(1, 5, "q", author=ASKER)),
        "a",
    )

    assert "message_thread_id" not in sent_body(responses.calls[0])


@pytest.mark.parametrize(
    ("status", "body", "words"),
    [
        (429, load("docs_error_429.json"), "wait 5 seconds"),
        (
            403,
            {"ok": False, "error_code": 403, "description": "Forbidden: bot was kicked from the supergroup chat"},
            "kicked",
        ),
        (
            400,
            {"ok": False, "error_code": 400, "description": "Bad Request: message thread not found"},
            "thread not found",
        ),
        (401, {"ok": False, "error_code": 401, "description": "Unauthorized"}, "token"),
    ],
)
@responses.activate
def test_a_refused_reply_says_why_in_words_without_the_token(status, body, words):
    responses.post(SEND_URL, json=body, status=status)

    with pytest.raises(ReplyError) as caught:
        send(
            target_of(update(1, 5, "q", author=ASKER)),
            "a",
        )

    assert words in str(caught.value) and TOKEN not in str(caught.value)
    assert caught.value.__cause__ is None


@responses.activate
def test_no_answer_is_an_uncertain_send_whose_message_holds_no_token():
    import requests

    responses.post(SEND_URL, body=requests.ConnectionError(f"https://api.telegram.org/bot{TOKEN}/sendMessage"))

    with pytest.raises(ReplyUncertain) as caught:
        send(
            target_of(update(1, 5, "q", author=ASKER)),
            "a",
        )

    assert TOKEN not in str(caught.value) and caught.value.__cause__ is None


def test_a_reply_over_4096_characters_is_refused_before_asking():
    with pytest.raises(ReplyError, match="4096"):
        send(
            target_of(update(1, 5, "q", author=ASKER)),
            "x" * 4097,
        )


@responses.activate
def test_connecting_the_bots_account_asks_getme():
    add_me()

    grant = adapter.channel_key_grant(channel=unsaved({}), session=build_session(), username="sicheebot")

    assert (grant.username, grant.user_id) == ("sicheebot", "6129457865")
    with pytest.raises(AuthError):
        adapter.channel_key_grant(channel=unsaved({}), session=build_session(), username="someone_else")


def test_a_public_groups_message_links_by_the_groups_username():
    public = update(1, 55, "hello", author=ASKER)
    public["message"]["chat"]["username"] = "our_product_chat"
    in_topic = update(2, 56, "hello", author=ASKER, topic=9)
    in_topic["message"]["chat"]["username"] = "our_product_chat"

    links = [m.permalink for m in adapter.parse_page([public, in_topic]).mentions]

    assert links == ["https://t.me/our_product_chat/55", "https://t.me/our_product_chat/9/56"]
