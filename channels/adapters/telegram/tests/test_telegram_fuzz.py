"""Property-based tests: each recorded Bot API answer (fixtures/SOURCES.md), and a group page made from them
(helpers.py), mutated the ways the internet breaks payloads (channels/tests/fuzzing.py), is parsed without an
unhandled exception, walked through a poll without one, and stored whole or not at all."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from channels.adapters.telegram import TelegramAdapter
from channels.adapters.telegram.tests.helpers import (
    ASKER,
    BOT,
    GROUP,
    HELPER,
    ME_URL,
    UPDATES_URL,
    load,
    telegram_channel,
    unsaved,
    update,
)
from channels.tests import fuzzing
from channels.tests.fuzzing import check_parse, draw_mutated, fuzz_settings, mutated

adapter = TelegramAdapter()
_QUESTION = update(10, 100, "The runner cache is empty", author=ASKER, at=1_716_906_700)
GROUP_PAGE = {
    "ok": True,
    "result": [
        _QUESTION,
        update(11, 101, "same", author=HELPER, reply_to=_QUESTION["message"], at=1_716_906_710),
        update(12, 102, "in a topic", author=ASKER, topic=2391, at=1_716_906_720),
        update(13, 103, "Fixed", author=BOT, reply_to=_QUESTION["message"], at=1_716_906_730, edited=1_716_906_740),
    ],
}
PAYLOADS = {
    "group_page": GROUP_PAGE,
    "recorded_openintegrations_getupdates_forum.json": load("recorded_openintegrations_getupdates_forum.json"),
    "recorded_coffeebot_update.json": load("recorded_coffeebot_update.json"),
}
CURSORS = [
    {},
    {"bot_id": "6129457865", "bot_username": "sicheebot", "offset": 5},
    {"bot_id": ["x"], "offset": "soon", "kept": {"a": 1}, "topics": [1, 2]},
]


@pytest.mark.parametrize("name", sorted(PAYLOADS))
@fuzz_settings
@given(data=st.data())
def test_telegram_survives_mutated_payloads(name, data):
    payload = draw_mutated(data, PAYLOADS[name])
    check_parse(lambda: adapter.parse_page(payload))
    check_parse(lambda: adapter.parse_item(payload))


@pytest.mark.parametrize("name", ["group_page", "recorded_openintegrations_getupdates_forum.json"])
@fuzz_settings
@given(data=st.data())
def test_telegram_poll_survives_a_mutated_page(name, data):
    page = draw_mutated(data, PAYLOADS[name])
    keywords = data.draw(st.sampled_from([[], ["runner"]]))
    channel = unsaved({"chats": [str(GROUP)], "keywords": keywords}, data.draw(st.sampled_from(CURSORS)))

    def routes(mock):
        mock.post(ME_URL, json={"ok": True, "result": BOT})
        mock.post(UPDATES_URL, body=fuzzing.dumps_deep(page), content_type="application/json")

    fuzzing.check_poll(adapter, channel, "https://api.telegram.org/unused", page, more_routes=routes)


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(PAYLOADS))
@settings(fuzz_settings, max_examples=max(10, fuzz_settings.max_examples // 4))
@given(data=st.data())
def test_telegram_mutated_pages_are_stored_whole_or_not_at_all(name, data):
    payload = data.draw(mutated(PAYLOADS[name]))
    channel = telegram_channel(our_accounts=[])
    fuzzing.check_stored_whole_and_once(lambda: adapter.parse_page(payload), channel)


def test_a_reply_chain_nested_5000_deep_is_read_without_recursion():
    message = fuzzing.deep_dict(5000)
    parsed = adapter.parse_page(update(1, 1, "deep", author=ASKER, reply_to=message))

    assert not parsed.rejected and parsed.mentions[0].parent_id == ""
