"""A Stack Exchange author's weight: the `owner.reputation` of the default filter's shallow_user, read from the
item itself (no extra request).

Shapes: `fixtures/questions_list_default_filter.json`, a recorded `GET /2.2/questions` response (SOURCES.md:
raysrashmi/ruby-stackoverflow's VCR cassette), whose owners carry `reputation` (Kay: 38)."""

import copy
import json
from pathlib import Path

from channels.adapters.stackexchange.parse import parse_page

RECORDED = json.loads((Path(__file__).parent / "fixtures" / "questions_list_default_filter.json").read_text())


def test_the_owners_reputation_is_the_authors_audience():
    mentions = {m.external_id: m for m in parse_page(copy.deepcopy(RECORDED)).mentions}
    kay = mentions["q19599495"]
    assert (kay.author_handle, kay.author_audience, kay.author_audience_kind) == ("2479931", 38, "reputation")


def test_a_deleted_owner_or_a_bad_reputation_has_no_audience():
    page = copy.deepcopy(RECORDED)
    first, second = page["items"][0], page["items"][1]
    first["owner"] = {"user_type": "does_not_exist", "display_name": "gone", "reputation": 5000}
    second["owner"]["reputation"] = "lots"
    mentions = {m.external_id: m for m in parse_page(page).mentions}
    assert mentions[f"q{first['question_id']}"].author_audience is None
    bad = mentions[f"q{second['question_id']}"]
    assert (bad.author_audience, bad.author_audience_kind) == (None, "")
