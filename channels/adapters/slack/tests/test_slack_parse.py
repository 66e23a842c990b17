"""The Slack channel's adapter: Slack's markup as plain text, the message envelope the desk's Slack app hands
over, and the config (reaction channels, emoji). Shapes: fixtures/SOURCES.md (Slack's documented message
object and formatting reference)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from channels.adapters.base import ConfigError, PayloadError
from channels.adapters.slack import SlackAdapter
from channels.adapters.slack.markup import slack_text

FIXTURES = Path(__file__).parent / "fixtures"


def test_markup_becomes_the_text_a_reader_sees_with_every_url_kept():
    assert slack_text("<@U1> see <https://x.example/a?b=1&amp;c=2|y>") == "@U1 see y (https://x.example/a?b=1&c=2)"
    assert slack_text("<https://x.example>") == "https://x.example"
    assert slack_text("<https://x.example|x.example>") == "https://x.example"
    assert slack_text("<@U1|dana> <#C1|general> <!here> <!subteam^S1|@advocates>") == "@dana #general @here @advocates"
    assert slack_text("<!date^1392734382^{date_num}|2014-02-18 6:39 AM>") == "2014-02-18 6:39 AM"
    assert slack_text("a &lt;b&gt; &amp;lt;") == "a <b> &lt;"
    assert slack_text("<javascript:alert(1)|click>") == "click"


def test_a_message_becomes_one_mention_with_its_id_author_link_and_title():
    data = json.loads((FIXTURES / "message_markup.json").read_text())

    [mention] = SlackAdapter().parse_payload(data)

    assert mention.external_id == "slack:CJDP9QK1U:1355517523.000005"
    assert mention.created_at == datetime(2012, 12, 14, 20, 38, 43, 5, tzinfo=UTC)
    assert (mention.author_handle, mention.author_name) == ("U0G9QF9C6", "Egon Spengler")
    assert mention.permalink == data["permalink"]
    assert "the runner docs (https://docs.gitlab.com/runner/?a=1&b=2)" in mention.text
    assert "@U024BE7LH" in mention.text and "<script>alert(1)</script> &lt; stays" in mention.text
    assert mention.title == mention.text  # one line


@pytest.mark.parametrize(
    ("part", "value", "named"),
    [
        ("attachments", [1, "a", None], "message.attachments[0]: an object (got a number)"),
        ("attachments", 5, "message.attachments: a list of objects (got a number)"),
        ("blocks", "x", "message.blocks: a list of objects (got a string)"),
        ("files", [{"id": "F1"}, []], "message.files[1]: an object (got a list)"),
    ],
)
def test_a_message_whose_parts_are_not_objects_is_a_payload_error_naming_the_part(part, value, named):
    data = json.loads((FIXTURES / "message_markup.json").read_text())
    data["message"]["text"] = ""
    data["message"][part] = value

    with pytest.raises(PayloadError) as raised:
        SlackAdapter().parse_payload(data)
    assert str(raised.value) == named
    parsed = SlackAdapter().parse_page(data)  # a dead letter, not a crash
    assert not parsed.mentions and parsed.rejected[0].error == f"PayloadError: {named}"


def test_a_message_of_attachments_only_is_read_by_their_fallback():
    data = json.loads((FIXTURES / "message_markup.json").read_text())
    data["message"]["text"] = ""
    data["message"]["attachments"] = [{"fallback": "Build <https://ci.example/1|#1> failed"}, {"id": 2}]
    data["message"]["blocks"] = None  # null: as if absent

    [mention] = SlackAdapter().parse_payload(data)
    assert mention.text == "Build #1 (https://ci.example/1) failed"


def test_config_takes_channels_and_an_emoji_and_refuses_the_rest():
    adapter = SlackAdapter()

    assert adapter.validate_config({}) == {}
    assert adapter.validate_config(
        {"reaction_channels": ["#Community-Advocates", "C024BE91L"], "reaction_emoji": ":Ticket:"}
    ) == {
        "reaction_channels": ["#community-advocates", "C024BE91L"],
        "reaction_emoji": "ticket",
    }
    for bad in (
        {"reaction_channels": "#x"},
        {"reaction_channels": ["no spaces"]},
        {"reaction_emoji": "two words"},
        {"x": 1},
    ):
        with pytest.raises(ConfigError):
            adapter.validate_config(bad)
