"""A change-feed position is what the feed gave (`<txid>.<id>`, ASCII digits that fit PostgreSQL's
bigint), or empty for the start; anything else is refused in words before a query runs."""

import pytest

from mentions.change_feed import BadPosition, position_parse


@pytest.mark.parametrize("text", ["", "0.0", "12.345", f"{2**63 - 1}.{2**63 - 1}"])
def test_a_position_the_feed_gives_is_read(text):
    assert position_parse(text) == ((int(text.split(".")[0]), int(text.split(".")[1])) if text else (0, 0))


@pytest.mark.parametrize(
    "text",
    [
        "12.345\n",  # `$` matched before a trailing newline
        "١٢.٣٤",  # Arabic-Indic digits: \d takes them
        "12.34\u00b2",  # a superscript two
        f"{2**63}.1",  # past bigint: the query would fail
        "9" * 19 + ".1",
        " 1.2",
        "1.2.3",
        "'; DROP TABLE x",
    ],
)
def test_anything_else_is_refused(text):
    with pytest.raises(BadPosition):
        position_parse(text)
