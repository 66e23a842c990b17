"""What the Telegram tests share: the channel, the Bot API routes answered by `responses`, and updates made from the
recorded ones in fixtures/ (SOURCES.md) with only their ids, times, chats, authors or text changed."""

import copy
import json
import time
from pathlib import Path

import responses

from channels.adapters.telegram.client import method_url
from channels.models import Channel
from channels.tests.factories import ChannelFactory

FIXTURES = Path(__file__).parent / "fixtures"
# The Bot API documentation's own example token ("Authorizing your bot").
TOKEN = "110201543:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
GROUP = -1001971186208
OTHER_GROUP = -1001893407333
UPDATES_URL = method_url(TOKEN, "getUpdates")
ME_URL = method_url(TOKEN, "getMe")
SEND_URL = method_url(TOKEN, "sendMessage")


def load(name):
    return json.loads((FIXTURES / name).read_text())


RECORDED = load("recorded_openintegrations_getupdates_forum.json")["result"]
BOT = RECORDED[1]["message"]["from"]  # the recording's bot: {"id": 6129457865, "is_bot": true, "username": ...}
TOPIC_OPENED = RECORDED[1]["message"]  # the forum topic's opening service message (message_thread_id 2391)
PERSON = load("recorded_coffeebot_update.json")["message"]["from"]


def person(ident, username):
    return {**PERSON, "id": ident, "username": username, "first_name": username.title()}


ASKER, HELPER, TEAM = person(5001, "asker_dev"), person(5002, "helpful_dev"), person(5003, "our_advocate")


def update(uid, mid, text, *, at=None, author=None, chat=GROUP, reply_to=None, topic=None, edited=None):
    """A person's group message, the recorded one with its ids, time, chat, author and text changed."""
    message = copy.deepcopy(load("recorded_coffeebot_update.json")["message"])
    message.update(
        message_id=mid,
        date=at or int(time.time()) - 600 + mid % 500,
        text=text,
        chat={"id": chat, "title": "Product users", "type": "supergroup", "is_forum": topic is not None},
        **({"from": author} if author else {}),
    )
    if reply_to is not None:
        message["reply_to_message"] = reply_to
    if topic is not None:
        message.update(message_thread_id=topic, is_topic_message=True)
        message.setdefault("reply_to_message", {**TOPIC_OPENED, "chat": message["chat"], "message_id": topic})
    if edited is not None:
        message["edit_date"] = edited
        return {"update_id": uid, "edited_message": message}
    return {"update_id": uid, "message": message}


def add_me(bot=None):
    responses.post(ME_URL, json={"ok": True, "result": {**BOT, "can_read_all_group_messages": False, **(bot or {})}})


def add_updates(updates, *, offset=None, status=200, body=None):
    """getUpdates answering `updates` (when asked from `offset`, if given)."""
    matchers = []
    if offset is not None:
        matchers.append(responses.matchers.json_params_matcher({"offset": offset}, strict_match=False))
    responses.post(UPDATES_URL, json=body or {"ok": True, "result": updates}, status=status, match=matchers)


def telegram_channel(*, our_accounts=("our_advocate",), cursor=None, **config):
    made = ChannelFactory(
        kind="telegram",
        config={"chats": [str(GROUP)], **config},
        our_accounts=list(our_accounts),
        cursor=cursor or {},
    )
    made.credentials = {"bot_token": TOKEN}
    made.save()
    return made


def unsaved(config, cursor=None):
    channel = Channel(slug="telegram", name="Telegram", kind="telegram", config=config, cursor=cursor or {})
    channel.credentials = {"bot_token": TOKEN}
    return channel


_QUESTION = update(10, 100, "The runner cache is empty", author=ASKER, at=1_716_906_700)
# A group's page of updates: a question, a helper's answer to it, a message in a forum topic, our bot's edited reply.
GROUP_PAGE = {
    "ok": True,
    "result": [
        _QUESTION,
        update(11, 101, "same", author=HELPER, reply_to=_QUESTION["message"], at=1_716_906_710),
        update(12, 102, "in a topic", author=ASKER, topic=2391, at=1_716_906_720),
        update(13, 103, "Fixed", author=BOT, reply_to=_QUESTION["message"], at=1_716_906_730, edited=1_716_906_740),
    ],
}
