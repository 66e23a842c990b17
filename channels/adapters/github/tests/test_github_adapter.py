"""The GitHub adapter's declaration and config, without HTTP: config errors in words, the normalised config, the
credentials each way of signing in requires, the request budgets (docs.github.com: 5,000 REST requests and 5,000
GraphQL points an hour per token), the watched-thread references, and the cursor read back as written."""

import pytest

from channels.adapters.base import ConfigError
from channels.adapters.github import GitHubAdapter
from channels.adapters.github.cursor import Cursor
from channels.adapters.github.platform import PLATFORM
from channels.adapters.github.thread import thread_ref
from channels.freshness import buckets_of, poll_interval
from channels.models import Channel

adapter = GitHubAdapter()


@pytest.mark.parametrize(
    "config, words",
    [
        ({}, '"repositories" is required'),
        ({"repositories": ["octo-org"]}, "owner/name as in the repository's address"),
        ({"repositories": ["-bad/name"]}, "owner/name"),
        ({"repositories": ["a/b"], "auth": "oauth"}, '"auth" is "token"'),
        ({"repositories": ["a/b"], "labels": "bug"}, '"labels" must be a list'),
        ({"repositories": ["a/b"], "include_discussions": "yes"}, "true or false"),
        ({"repositories": ["a/b"], "team_by_association": "MEMBER"}, "true or false"),
        ({"repositories": ["a/b"], "max_requests_per_poll": 1}, "whole number from 2 to 500"),
        ({"repositories": ["a/b"], "projects": ["x"]}, "Unknown GitHub setting(s): projects"),
        ({"repositories": ["a/b"] * 1 + [f"o/r{n}" for n in range(30)]}, "at most 30"),
    ],
)
def test_config_errors_say_what_to_fix(config, words):
    with pytest.raises(ConfigError) as raised:
        adapter.validate_config(config)
    assert words in str(raised.value)


def test_a_valid_config_is_normalised():
    config = adapter.validate_config(
        {
            "repositories": ["https://github.com/Octo-Org/octo-repo/", "octo-org/octo-repo", "a/b.c_d"],
            "labels": ["  good   first issue "],
            "team_by_association": False,
        }
    )
    assert config["repositories"] == ["Octo-Org/octo-repo", "a/b.c_d"]
    assert config["labels"] == ["good first issue"] and config["team_by_association"] is False
    assert adapter.validate_config(PLATFORM.example_config()) == PLATFORM.example_config()


def test_a_token_or_the_three_parts_of_an_app_are_required():
    assert PLATFORM.required_credentials({"repositories": ["a/b"]}) == ("token",)
    assert PLATFORM.required_credentials({"repositories": ["a/b"], "auth": "app"}) == (
        "app_id",
        "app_private_key",
        "app_installation_id",
    )


def test_the_budgets_count_two_rest_requests_and_a_graphql_query_per_repository_and_are_shared_by_token():
    channel = Channel(kind="github", config={"repositories": ["a/b", "c/d"]})
    channel.credentials = {"token": "one"}
    rest, graphql = buckets_of(channel)
    assert (rest.requests, rest.limit, rest.window_seconds) == (4, 5000, 3600)
    assert graphql.requests == 12 and graphql.key.startswith("github:graphql:") and "one" not in graphql.key
    same = Channel(kind="github", config={"repositories": ["e/f"], "include_discussions": False})
    same.credentials = {"token": "one"}
    [only] = buckets_of(same)
    assert only.key == rest.key  # the same token: the same budget
    assert PLATFORM.watch is not None and PLATFORM.watch.share_of_budget(100) == pytest.approx(0.24)


@pytest.mark.parametrize(
    "repositories, discussions, seconds", [(2, True, 20), (3, True, 26), (6, False, 20), (7, False, 21)]
)
def test_the_automatic_interval_is_the_floor_for_a_few_repositories(repositories, discussions, seconds):
    """docs/platforms/README.md: 20 s up to 2 repositories with discussions (GraphQL points), 6 without (REST)."""
    config = {"repositories": [f"o/r{n}" for n in range(repositories)], "include_discussions": discussions}
    channel = Channel(kind="github", config=config)
    channel.credentials = {"token": "one"}
    assert poll_interval(channel, others=[]).seconds == seconds


@pytest.mark.parametrize(
    "raw, ref",
    [
        ({"type": "issue", "repository": "a/b", "number": 7}, "a/b/issues/7"),
        ({"type": "issue_comment", "repository": "a/b", "number": 7}, "a/b/issues/7"),
        ({"type": "discussion", "repository": "a/b", "number": 9}, "a/b/discussions/9"),
        ({"type": "discussion_comment", "repository": "a/b", "number": 9}, "a/b/discussions/9"),
        ({"type": "issue", "repository": "a/b", "number": "7"}, ""),
        ({"type": "pull", "repository": "a/b", "number": 7}, ""),
        ({}, ""),
    ],
)
def test_a_stored_message_names_its_thread_to_watch(raw, ref):
    assert thread_ref("I_x", "I_x", raw) == ref


def test_the_cursor_is_read_back_as_written_and_damage_starts_that_part_again():
    written = {
        "version": 1,
        "repos": {
            "a/b": {
                "issues": {"mark": "2026-01-05T10:00:00Z", "seen": ["I_1"], "query": "since=x", "etag": 'W/"e"'},
                "comments": {"mark": None, "seen": []},
                "discussions": {
                    "mark": "2026-01-05T09:00:00Z",
                    "seen": ["D_1"],
                    "resume": {"after": "Y3Vy", "top": "2026-01-05T11:00:00Z", "seen": ["D_2"]},
                },
                "numbers": {"7": "I_1"},
            }
        },
    }
    assert Cursor.load(written).dump() == written
    damaged = Cursor.load({"repos": {"a/b": {"issues": {"mark": "soon", "seen": "x"}, "numbers": {"x": 1, "8": ""}}}})
    state = damaged.repo("A/B")  # names are matched without case, as GitHub does
    assert state.issues.mark is None and state.issues.seen == set() and state.numbers == {}
