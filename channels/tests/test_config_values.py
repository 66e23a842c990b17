"""The config cleaners the platforms share (channels.adapters.values: `https_root`, `keyword_list`) and the polled
adapters' one `parse_payload`: what each accepts, how it normalises and the words it refuses with.

No HTTP shapes: the values are what an admin types into a channel's settings; each platform's own wording and
pages are asserted in channels/adapters/<kind>/tests."""

from typing import Any

import pytest

from channels.adapters.base import ConfigError, PayloadError, Rejected
from channels.adapters.guard import Parsed
from channels.adapters.poll.adapter import PolledAdapter
from channels.adapters.values import https_root, keyword_list

WORDS: dict[str, Any] = {
    "what": "the forum's address",
    "example": 'e.g. "https://forum.example"',
    "credential": "the API key",
}


def test_an_instance_address_is_normalised_to_its_root():
    assert https_root(" https://Forum.Example:8443/ ", **WORDS) == "https://forum.example:8443"
    assert https_root("https://[::1]:8443", **WORDS) == "https://[::1]:8443"
    assert https_root("https://example.com/forum/", subfolder=str.isalpha, **WORDS) == "https://example.com/forum"
    assert https_root("http://127.0.0.1:8000", local_http=frozenset({"127.0.0.1"}), **WORDS) == "http://127.0.0.1:8000"


@pytest.mark.parametrize(
    ("value", "said"),
    [
        (None, '"base_url" is required: the forum\'s address, e.g. "https://forum.example".'),
        ("  ", '"base_url" is required'),
        ("http://forum.example", "must start with https://, e.g."),
        ("http://localhost", "must start with https://"),  # plain http only to the hosts named
        ("forum.example", "must start with https://"),
        ("https://forum.example:99999", "has an invalid port"),
        ("https://", "has no host name"),
        ("https://me:pw@forum.example", "user name or password: the API key goes in the credentials"),
        ("https://forum.example/?lang=en", r"\?query or #fragment"),
        ("https://forum.example/#top", r"\?query or #fragment"),
        ("https://forum.example/latest", "without a path"),
        ("https://forum.example/forum/t", "or its subfolder, not a page"),
        ("https://forum.example/4um", "or its subfolder, not a page"),
    ],
)
def test_an_address_that_would_not_work_or_would_leak_is_refused_in_words(value, said):
    subfolder = str.isalpha if "/forum/t" in str(value) or "4um" in str(value) else None
    with pytest.raises(ConfigError, match=said):
        https_root(value, subfolder=subfolder, not_root="a page", **WORDS)


def test_keywords_are_stripped_folded_and_kept_once():
    assert keyword_list([" gitlab  runner ", "GitLab Runner", "ci"]) == ["gitlab runner", "ci"]
    assert keyword_list(["a  b", "A  B"], fold_spaces=False) == ["a  b"]
    assert keyword_list(["Bug", "bug", "Bug"], case_sensitive=True) == ["Bug", "bug"]
    assert keyword_list(["gitlab", " ", ""], skip_blank=True) == ["gitlab"]
    assert keyword_list([]) == []


@pytest.mark.parametrize(
    ("value", "rules", "said"),
    [
        ("gitlab", {}, '"keywords" must be a list of search terms, e.g. \\["gitlab"\\].'),
        ([], {"required": True}, '"keywords" must be a non-empty list'),
        (["gitlab", ""], {}, 'Every entry of "keywords" must be a non-empty string.'),
        (["gitlab", 7], {"skip_blank": True}, 'Every entry of "keywords" must be a string.'),
        (["x" * 11], {"max_length": 10}, 'Each of "keywords" is at most 10 characters'),
        # Counted as given: a list refused for its length is not taken because some entries repeat.
        (["a", "a", "a"], {"max_count": 2}, '"keywords" lists 3; at most 2.'),
    ],
)
def test_a_keyword_list_that_cannot_be_searched_is_refused_in_words(value, rules, said):
    with pytest.raises(ConfigError, match=said):
        keyword_list(value, **rules)


class _Pages(PolledAdapter):
    kind = "pages"

    def parse_page(self, payload):
        return payload


def test_a_polled_page_with_no_readable_item_is_refused_with_the_first_reason():
    unreadable = Parsed(rejected=[Rejected("1", "no author"), Rejected("2", "no text")])
    with pytest.raises(PayloadError, match="none of its 2 item\\(s\\) can be read: no author"):
        _Pages().parse_payload(unreadable)
    assert _Pages().parse_payload(Parsed()) == []  # an empty page is nothing to store, not an error
