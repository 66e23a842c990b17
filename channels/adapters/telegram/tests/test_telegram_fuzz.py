"""Property-based tests: each recorded Bot API answer (fixtures/SOURCES.md), and a group page made from them
(helpers.py), mutated the ways the internet breaks payloads (channels/tests/fuzzing.py), is walked through a poll
without an unhandled exception. Parsing them mutated, and storing them whole or not at all, is Telegram's part of the
shared contract (channels/tests/platform_fuzz.py, test_platform_contract_fuzz.py)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from channels.adapters.telegram import TelegramAdapter
from channels.adapters.telegram.tests.helpers import (
    ASKER,
    BOT,
    GROUP,
    GROUP_PAGE,
    ME_URL,
    UPDATES_URL,
    load,
    unsaved,
    update,
)
from channels.tests import fuzzing
from channels.tests.fuzzing import draw_mutated, fuzz_settings

adapter = TelegramAdapter()
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


def test_a_reply_chain_nested_5000_deep_is_read_without_recursion():
    message = fuzzing.deep_dict(5000)
    parsed = adapter.parse_page(update(1, 1, "deep", author=ASKER, reply_to=message))

    assert not parsed.rejected and parsed.mentions[0].parent_id == ""
