"""Reading a webhook body (the desk's documented shape: docs/platforms/webhook.md, the fixtures are its examples,
see fixtures/SOURCES.md) into mentions: every field where it belongs, a body that is not the shape kept as a dead
letter naming its field while the others of a saved list are read. The signed POST end to end is
intake/tests/test_webhook.py."""

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from channels.adapters import ConfigError, PayloadError
from channels.adapters.webhook import WebhookAdapter

FIXTURES = Path(__file__).parent / "fixtures"
adapter = WebhookAdapter()


def load(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


def test_the_documented_body_is_one_mention_with_every_field():
    [mention] = adapter.parse_page(load("documented_body.json")).mentions

    assert mention.external_id == "fb-123"
    assert mention.permalink == "https://facebook.com/gitlab/posts/123"
    assert (mention.author_name, mention.author_handle) == ("Dana Dev", "dana.dev")
    assert mention.text == "Does GitLab support merge trains on the free tier?"
    assert mention.created_at == datetime(2026, 11, 21, 10, 0, tzinfo=UTC)
    assert mention.parent_id == ""


def test_the_optional_fields_a_plain_author_and_an_offset_are_read():
    [mention] = adapter.parse_page(load("documented_reply.json")).mentions

    assert mention.author_name == "Sam Sender"
    assert mention.author_handle == ""
    assert mention.parent_id == "fb-123"
    assert mention.title == "Merge trains"
    assert mention.created_at == datetime(2026, 11, 21, 9, 5, tzinfo=UTC)


@pytest.mark.parametrize("field", ["id", "url", "author", "text", "created_at"])
def test_a_saved_list_keeps_the_body_missing_a_field_as_a_dead_letter_naming_it(field):
    broken = load("documented_body.json")
    del broken[field]

    parsed = adapter.parse_page([broken, load("documented_reply.json")])

    assert [m.external_id for m in parsed.mentions] == ["fb-124"]
    [rejected] = parsed.rejected
    assert f"missing field: {field}" in rejected.error


def test_a_body_that_is_not_json_object_is_refused():
    with pytest.raises(PayloadError):
        adapter.parse_page("not a body")


def test_the_config_takes_only_the_replay_window():
    assert adapter.validate_config({"max_age_seconds": 120}) == {"max_age_seconds": 120}
    with pytest.raises(ConfigError, match="max_age_seconds"):
        adapter.validate_config({"max_age_seconds": 3600})
    with pytest.raises(ConfigError, match="Unknown webhook setting"):
        adapter.validate_config({"secret": "in the config"})
