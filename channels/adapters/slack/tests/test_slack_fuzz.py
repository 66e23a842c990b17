"""Property-based tests: the Slack message the desk's Slack app hands over (fixtures/message_markup.json, in the
documented shape of fixtures/SOURCES.md), mutated the ways the internet breaks payloads, is parsed without an
unhandled exception: a mention that is clean, or a rejected item with its reason (a part not in Slack's
documented shape is a PayloadError naming it).

Each fixture's mutated parse (and, for some, the store whole or not at all) is the shared contract's, over every
platform: channels/tests/test_platform_contract_fuzz.py (its part here: channels/tests/platform_fuzz.py)."""

from hypothesis import given
from hypothesis import strategies as st

from channels.adapters.slack import SlackAdapter
from channels.tests.fuzzing import check_parse, draw_mutated, fuzz_settings
from channels.tests.platform_fuzz import FUZZED

adapter = SlackAdapter()
MESSAGE = FUZZED["slack"].payloads["message_markup.json"]  # as the shared fuzz contract reads it


@fuzz_settings
@given(data=st.data())
def test_slack_survives_mutated_attachments(data):
    """The parts a message may carry (attachments, blocks, files) mutated where they are: a message of
    attachments only, whose fallback becomes the text. Shapes: an attachment's `fallback`
    (api.slack.com/reference/messaging/attachments), a `rich_text` block (api.slack.com/reference/block-kit/
    blocks), and the id and name of the file object example of api.slack.com/types/file."""
    message = {**MESSAGE, "message": {**MESSAGE["message"], "text": ""}}
    message["message"]["attachments"] = [{"fallback": "Build <https://ci.example/1|#1> failed"}, {"id": 2}]
    message["message"]["blocks"] = [{"type": "rich_text", "elements": []}]
    message["message"]["files"] = [{"id": "F0S43PZDF", "name": "tedair.gif"}]
    payload = draw_mutated(data, message)
    check_parse(lambda: adapter.parse_page(payload))


def test_the_fixture_parses_unmutated():
    assert adapter.parse_page(MESSAGE).mentions
