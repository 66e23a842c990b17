"""Deleting the bot's own Telegram message from the desk (``deleteMessage``) at the HTTP boundary (`responses`).

Shapes: core.telegram.org/bots/api#deletemessage (``chat_id`` and ``message_id``; "Returns True on success": ``{"ok":
true, "result": true}``) and "Making requests" for the error body ``{"ok": false, "error_code", "description"}``, as
the fixtures/docs_error_429.json body has it. The two descriptions a deletion meets, "Bad Request: message to delete
not found" and "Bad Request: message can't be deleted" (a bot's message in a group older than 48 hours), are
Telegram's words as other projects' bots match them (no recorded answer of deleteMessage is in fixtures/). The
message deleted is the one a reply stored from the recorded sendMessage answer
(fixtures/recorded_openintegrations_sendmessage.json)."""

import json

import pytest
import responses

from channels.adapters.base import ReplyError, ReplyTarget
from channels.adapters.registry import platform_of
from channels.adapters.telegram import TelegramAdapter
from channels.adapters.telegram.client import method_url
from channels.adapters.telegram.tests.helpers import ASKER, SEND_URL, TOKEN, load, unsaved, update
from channels.http import build_session
from channels.models import Account

adapter = TelegramAdapter()
DELETE_URL = method_url(TOKEN, "deleteMessage")
SENT = load("recorded_openintegrations_sendmessage.json")["result"]


def _our_reply():
    """What the desk stores of a reply the bot sent (the recorded sendMessage answer), as the target to delete."""
    mention = adapter.parse_page(update(3, 77, "help", author=ASKER)).mentions[0]
    responses.post(SEND_URL, json=load("recorded_openintegrations_sendmessage.json"))
    sent = adapter.post_reply(
        channel=unsaved({}), account=Account(), session=build_session(),
        target=ReplyTarget(external_id=mention.external_id, raw=mention.raw), text="Fixed in 17.3.",
    )  # fmt: skip
    return ReplyTarget(external_id=sent.external_id, permalink=sent.permalink, raw=sent.raw)


def _delete(target):
    adapter.act("delete_post", channel=unsaved({}), account=Account(), session=build_session(), target=target)


@responses.activate
def test_delete_asks_delete_message_with_the_chat_and_id_the_reply_was_stored_with():
    target = _our_reply()
    responses.post(DELETE_URL, json={"ok": True, "result": True})

    _delete(target)

    call = responses.calls[-1]
    assert call.request.url == DELETE_URL
    assert json.loads(call.request.body or b"") == {"chat_id": SENT["chat"]["id"], "message_id": SENT["message_id"]}


@responses.activate
def test_a_message_already_gone_is_deleted():
    target = _our_reply()
    gone = {"ok": False, "error_code": 400, "description": "Bad Request: message to delete not found"}
    responses.post(DELETE_URL, status=400, json=gone)

    _delete(target)  # done: no error

    assert len(responses.calls) == 2


@pytest.mark.parametrize(
    ("status", "body", "words"),
    [
        (
            400,
            {"ok": False, "error_code": 400, "description": "Bad Request: message can't be deleted"},
            "48 hours",
        ),
        (
            403,
            {"ok": False, "error_code": 403, "description": "Forbidden: bot was kicked from the supergroup chat"},
            "kicked",
        ),
        (429, load("docs_error_429.json"), "wait 5 seconds"),
        (401, {"ok": False, "error_code": 401, "description": "Unauthorized"}, "token"),
        (200, {"ok": True, "result": False}, "without saying the message was deleted"),
    ],
    ids=["too-old", "kicked", "429", "401", "not-true"],
)
@responses.activate
def test_a_refused_deletion_says_why_in_words_without_the_token(status, body, words):
    target = _our_reply()
    responses.post(DELETE_URL, status=status, json=body)

    with pytest.raises(ReplyError) as caught:
        _delete(target)

    assert words in str(caught.value) and TOKEN not in str(caught.value)
    assert caught.value.__cause__ is None


def test_a_target_without_its_chat_is_refused_before_any_call():
    with pytest.raises(ReplyError, match="delete it on Telegram"):
        _delete(ReplyTarget(external_id="461699897:4638", raw={}))


def test_telegram_declares_delete_and_its_adapter_does_it():
    assert platform_of("telegram").actions == {"delete": "Delete"}
    assert TelegramAdapter.offers("delete_post")
