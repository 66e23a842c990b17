"""Each platform source parses what its platform sends and honours its rate-limit signals.

Shapes (answers/tests/fixtures/SOURCES.md): GitLab's documented "List project issues" example
(docs.gitlab.com, doc/api/issues.md); GitHub's documented "Search issues and pull requests" example
(github/rest-api-description, components.examples.issue-search-result-item-paginated); Discourse's recorded
`/search.json` (discourse/discourse_api_docs, a development instance); Stack Exchange's recorded question and
answers (raysrashmi/ruby-stackoverflow cassettes), with `body` added as filter=withbody documents it
(api.stackexchange.com/docs/types/answer). Rate-limit headers and fields as each platform documents them:
GitLab "Rate limits" (Retry-After, RateLimit-Remaining/-Reset), GitHub "Rate limits for the REST API"
(x-ratelimit-remaining/-reset, retry-after), Stack Exchange /docs/throttle (backoff, quota_remaining)."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import responses

from answers.knowledge import discourse, github, gitlab, stackoverflow
from answers.knowledge.base import SourceFailed, Spec
from answers.knowledge.search import source_spec
from answers.tests.knowledge_helpers import fixture, source
from channels.tests.factories import ChannelFactory

pytestmark = pytest.mark.django_db

QUERY = "pipeline cache dependencies between jobs runner"


def spec(kind: str, **fields) -> Spec:
    return source_spec(source(kind, **fields))


def _query(call) -> dict[str, list[str]]:
    return parse_qs(urlsplit(call.request.url).query)


@responses.activate
def test_gitlab_issues_are_read_from_the_documented_list_with_the_search_words():
    url = "https://gitlab.com/api/v4/projects/my-group%2Fmy-project/issues"
    responses.get(url, json=fixture("gitlab_issues_list_docs.json"), headers={"RateLimit-Remaining": "599"})
    found = gitlab.search(spec("gitlab_issues", token="glpat-secret"), requests.Session(), QUERY)
    [item] = found.items
    assert item.title == "Ut commodi ullam eos dolores perferendis nihil sunt."
    assert item.url == "http://example.com/my-group/my-project/issues/1"
    assert item.snippet == "Omnis vero earum sunt corporis dolor et placeat."
    assert item.extra == "closed"
    assert found.pause_until is None
    sent = _query(responses.calls[0])
    assert sent["search"] == ["pipeline cache dependencies runner"]  # every word must match: the 4 longest
    assert sent["in"] == ["title,description"] and sent["scope"] == ["all"] and sent["per_page"] == ["5"]
    assert responses.calls[0].request.headers["PRIVATE-TOKEN"] == "glpat-secret"


@responses.activate
def test_gitlab_through_the_platform_reuses_the_channels_instance_and_token():
    channel = ChannelFactory(
        kind="gitlab", name="GitLab", slug="gitlab", config={"projects": ["42"], "base_url": "https://git.example.com"}
    )
    channel.credentials = {"access_token": "from-the-channel"}
    channel.save()
    responses.get("https://git.example.com/api/v4/projects/42/issues", json=[])
    the_spec = spec("gitlab_issues", project="", channel=channel)
    assert gitlab.search(the_spec, requests.Session(), QUERY).items == []
    assert responses.calls[0].request.headers["PRIVATE-TOKEN"] == "from-the-channel"


@responses.activate
def test_gitlab_429_is_a_pause_until_retry_after():
    responses.get(
        "https://gitlab.com/api/v4/projects/my-group%2Fmy-project/issues",
        body="Retry later",
        status=429,
        headers={"Retry-After": "120"},
    )
    with pytest.raises(SourceFailed) as failed:
        gitlab.search(spec("gitlab_issues"), requests.Session(), QUERY)
    assert failed.value.status == 429 and failed.value.pause_until is not None
    assert str(failed.value).startswith("GitLab's rate limit is reached; again after ")


@responses.activate
def test_gitlab_remaining_zero_keeps_the_answer_and_pauses_until_the_reset():
    reset = int(datetime(2030, 1, 1, 15, 0, tzinfo=UTC).timestamp())
    responses.get(
        "https://gitlab.com/api/v4/projects/my-group%2Fmy-project/issues",
        json=fixture("gitlab_issues_list_docs.json"),
        headers={"RateLimit-Remaining": "0", "RateLimit-Reset": str(reset)},
    )
    found = gitlab.search(spec("gitlab_issues"), requests.Session(), QUERY)
    assert len(found.items) == 1 and found.pause_until == datetime(2030, 1, 1, 15, 0, tzinfo=UTC)


@responses.activate
def test_github_issues_are_read_from_the_documented_search_result():
    responses.get("https://api.github.com/search/issues", json=fixture("github_search_issues_docs.json"))
    found = github.search(spec("github_issues", token="ghp-secret"), requests.Session(), QUERY)
    [item] = found.items
    assert item.title == "Line Number Indexes Beyond 20 Not Displayed"
    assert item.url == "https://github.com/batterseapower/pinyin-toolkit/issues/132"
    assert item.snippet == "..."
    assert item.extra == "pull request, open"  # GitHub's own example item carries a pull_request object
    q = _query(responses.calls[0])["q"][0]
    assert q == "pipeline cache dependencies jobs runner repo:batterseapower/pinyin-toolkit is:issue"
    assert responses.calls[0].request.headers["Authorization"] == "Bearer ghp-secret"


@responses.activate
@pytest.mark.parametrize("status", [403, 429])
def test_github_spent_rate_limit_pauses_until_the_reset(status):
    reset = int(datetime(2030, 1, 1, 15, 0, tzinfo=UTC).timestamp())
    responses.get(
        "https://api.github.com/search/issues",
        status=status,
        json={"message": "API rate limit exceeded", "documentation_url": "https://docs.github.com/rest"},
        headers={"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(reset)},
    )
    with pytest.raises(SourceFailed) as failed:
        github.search(spec("github_issues"), requests.Session(), QUERY)
    assert failed.value.pause_until == datetime(2030, 1, 1, 15, 0, tzinfo=UTC)
    assert str(failed.value) == "GitHub's rate limit is reached; again after 15:00 UTC"


@responses.activate
def test_github_secondary_limit_retry_after():
    responses.get("https://api.github.com/search/issues", status=403, json={}, headers={"retry-after": "60"})
    with pytest.raises(SourceFailed) as failed:
        github.search(spec("github_issues"), requests.Session(), QUERY)
    assert failed.value.pause_until is not None


@responses.activate
def test_discourse_search_is_read_from_the_recorded_answer():
    data = fixture("discourse_search_devinstance.json")
    responses.get("https://forum.example.com/search.json", json=data)
    found = discourse.search(spec("discourse"), requests.Session(), QUERY)
    [item] = found.items
    assert item.title == "2a6aa74e-e341-5e3c-1eaa-78c6331f305f"
    assert item.url == "https://forum.example.com/t/2a6aa74e-e341-5e3c-1eaa-78c6331f305f/13"
    assert item.snippet.startswith("ecf65fcd-1e16-7c4c-4244-a467b46c610becf65fcd")
    assert item.extra == ""
    assert _query(responses.calls[0])["q"] == [QUERY]


@responses.activate
def test_discourse_highlighted_blurb_and_solved_topic():
    data = copy.deepcopy(fixture("discourse_search_devinstance.json"))
    data["posts"][0]["blurb"] = 'Use <span class="search-highlight">cache</span> &amp; artifacts'
    data["posts"][0]["post_number"] = 3
    data["topics"][0].update(closed=True, has_accepted_answer=True)
    responses.get("https://forum.example.com/search.json", json=data)
    [item] = discourse.search(spec("discourse"), requests.Session(), QUERY).items
    assert item.snippet == "Use cache & artifacts"
    assert item.url.endswith("/13/3") and item.extra == "solved, closed"


@responses.activate
def test_discourse_429_waits_as_long_as_it_says():
    responses.get(
        "https://forum.example.com/search.json",
        status=429,
        json={"errors": ["Slow down"], "error_type": "rate_limit", "extras": {"wait_seconds": 30}},
    )
    with pytest.raises(SourceFailed) as failed:
        discourse.search(spec("discourse"), requests.Session(), QUERY)
    assert failed.value.pause_until is not None and failed.value.status == 429


def _stackexchange(backoff: int | None = None, quota_remaining: int = 9971) -> None:
    question = fixture("stackexchange_question_recorded.json")
    question["quota_remaining"] = quota_remaining
    if backoff:
        question["backoff"] = backoff
    answers = fixture("stackexchange_answers_recorded.json")
    accepted = copy.deepcopy(answers["items"][1])  # the recorded accepted answer, moved to this question
    accepted.update(answer_id=19294401, question_id=19294359, body="<p>Use <code>Object.keys(o)[0]</code>.</p>")
    answers["items"] = [accepted]
    responses.get("https://api.stackexchange.com/2.3/search/advanced", json=question)
    responses.get("https://api.stackexchange.com/2.3/answers/19294401", json=answers)


@responses.activate
def test_stackoverflow_accepted_answers_of_recorded_questions():
    _stackexchange()
    found = stackoverflow.search(spec("stackoverflow", token="app-key"), requests.Session(), QUERY)
    [item] = found.items
    assert item.title == "Get a key from a javascript array when array has only 1 element"
    assert item.url == "http://stackoverflow.com/a/19294401"
    assert item.snippet == "Use Object.keys(o)[0]."
    assert item.extra == "accepted answer"
    sent = _query(responses.calls[0])
    assert sent["tagged"] == ["javascript"] and sent["accepted"] == ["True"] and sent["site"] == ["stackoverflow"]
    assert sent["sort"] == ["relevance"] and sent["key"] == ["app-key"]
    assert _query(responses.calls[1])["filter"] == ["withbody"]


@responses.activate
def test_stackoverflow_backoff_is_honoured_before_the_second_call():
    _stackexchange(backoff=10)
    found = stackoverflow.search(spec("stackoverflow"), requests.Session(), QUERY)
    assert len(responses.calls) == 1  # the answers are not asked for while the API says to back off
    assert found.pause_until is not None and found.items[0].snippet == ""


@responses.activate
def test_stackoverflow_spent_quota_pauses_until_midnight_utc():
    _stackexchange(quota_remaining=0)
    found = stackoverflow.search(spec("stackoverflow"), requests.Session(), QUERY)
    assert found.pause_until is not None and (found.pause_until.hour, found.pause_until.minute) == (0, 0)


@responses.activate
def test_stackoverflow_throttle_violation_is_a_line_with_a_pause():
    responses.get(
        "https://api.stackexchange.com/2.3/search/advanced",
        status=502,
        json={"error_id": 502, "error_message": "too many requests from this IP", "error_name": "throttle_violation"},
    )
    with pytest.raises(SourceFailed) as failed:
        stackoverflow.search(spec("stackoverflow", token="app-key"), requests.Session(), QUERY)
    assert str(failed.value).startswith("answered 502 (throttle_violation); again after ")
    assert "app-key" not in str(failed.value)


def test_an_unsafe_link_is_never_an_item():
    assert github._item(spec("github_issues"), {"html_url": "javascript:alert(1)", "title": "x"}) is None
