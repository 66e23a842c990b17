"""The knowledge search across sources: concurrent, each within its own timeout, cached, within budget, every
failure a line while the other sources still show.

Shapes: the documented GitHub "Search issues" example (github/rest-api-description) and Discourse's recorded
`/search.json` (discourse/discourse_api_docs), as answers/tests/fixtures/SOURCES.md says; the slow source is a
real HTTP server on this machine that answers only after the source's timeout."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import responses

from answers.knowledge.search import knowledge_search
from answers.knowledge_models import KnowledgeSource
from answers.tests.knowledge_helpers import fixture, source

pytestmark = pytest.mark.django_db

GITHUB = "https://api.github.com/search/issues"
FORUM = "https://forum.example.com/search.json"
QUERY = "pipeline cache dependencies"
TERMS = ["pipelin", "cach", "depend"]


def _both_sources() -> None:
    source("github_issues", token="ghp-never-logged")
    source("discourse")


@responses.activate
def test_results_of_every_source_grouped_by_source():
    _both_sources()
    responses.get(GITHUB, json=fixture("github_search_issues_docs.json"))
    responses.get(FORUM, json=fixture("discourse_search_devinstance.json"))
    results = knowledge_search(QUERY, TERMS)
    assert results.configured and results.lines == []
    assert [name for name, _ in results.groups] == ["Discourse forum", "GitHub issues"]


@responses.activate
def test_a_source_answering_500_is_a_line_and_the_others_still_show(caplog):
    _both_sources()
    responses.get(GITHUB, status=500, json={"message": "Server Error"})
    responses.get(FORUM, json=fixture("discourse_search_devinstance.json"))
    with caplog.at_level(logging.WARNING, logger="answers.knowledge"):
        results = knowledge_search(QUERY, TERMS)
    assert results.lines == ["GitHub issues: answered 500"]
    assert [item.source for item in results.items] == ["Discourse forum"]
    github = KnowledgeSource.objects.get(kind="github_issues")
    assert github.last_error == "GitHub issues: answered 500" and github.last_error_at is not None
    assert "GitHub issues" in caplog.text and "status=500" in caplog.text
    assert "ghp-never-logged" not in caplog.text


class _Slow(BaseHTTPRequestHandler):
    delay = 3.0

    def do_GET(self) -> None:
        time.sleep(self.delay)
        try:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"posts": [], "topics": []}')
        except OSError:  # the client gave up first, as it should
            pass

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def slow_forum() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Slow)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@responses.activate
def test_a_slow_source_is_a_line_within_its_timeout_and_the_others_still_show(slow_forum, settings):
    settings.DESK_FETCH_ALLOWED_NETWORKS = ["127.0.0.1/32"]  # the fetch guard's escape hatch, for this local forum
    responses.add_passthru(slow_forum)
    source("discourse", base_url=slow_forum, timeout_seconds=1)
    source("github_issues", timeout_seconds=2)
    responses.get(GITHUB, json=fixture("github_search_issues_docs.json"))
    started = time.monotonic()
    results = knowledge_search(QUERY, TERMS)
    elapsed = time.monotonic() - started
    assert results.lines == ["Discourse forum: timed out after 1s"]
    assert [item.source for item in results.items] == ["GitHub issues"]
    assert elapsed < 2.0  # the forum's 1 s and a little, never its 3 s


@responses.activate
def test_a_cached_answer_makes_no_second_call():
    source("github_issues")
    responses.get(GITHUB, json=fixture("github_search_issues_docs.json"))
    first = knowledge_search(QUERY, TERMS)
    again = knowledge_search(QUERY, TERMS)
    assert len(responses.calls) == 1
    assert first.items == again.items and len(again.items) == 1


@responses.activate
def test_a_failure_is_cached_briefly_so_a_down_source_is_not_hammered():
    source("github_issues")
    responses.get(GITHUB, status=502, body="Bad Gateway")
    assert knowledge_search(QUERY, TERMS).lines == ["GitHub issues: answered 502"]
    assert knowledge_search(QUERY, TERMS).lines == ["GitHub issues: answered 502"]
    assert len(responses.calls) == 1


@responses.activate
def test_over_budget_makes_no_call_and_says_when_the_budget_is_renewed():
    source("github_issues", hourly_budget=1)
    responses.get(GITHUB, json=fixture("github_search_issues_docs.json"))
    knowledge_search(QUERY, TERMS)
    results = knowledge_search("another question entirely", ["anoth"])
    assert len(responses.calls) == 1
    [line] = results.lines
    assert line.startswith("GitHub issues: the hourly budget of 1 searches is used; again after ")
    assert line.endswith(":00 UTC")


@responses.activate
def test_a_platform_that_asks_to_wait_is_not_asked_again_until_then():
    source("github_issues")
    reset = int(time.time()) + 600
    responses.get(GITHUB, status=403, json={}, headers={"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(reset)})
    knowledge_search(QUERY, TERMS)
    results = knowledge_search("another question entirely", ["anoth"])
    assert len(responses.calls) == 1
    assert results.lines[0].startswith("GitHub issues: the platform asked us to wait; again after ")


def test_no_active_source_says_so():
    source("github_issues", is_active=False)
    results = knowledge_search(QUERY, TERMS)
    assert not results.configured and results.items == [] and results.lines == []


@responses.activate
def test_an_unreadable_token_is_a_line():
    row = source("github_issues")
    KnowledgeSource.objects.filter(pk=row.pk).update(token_encrypted="not-a-fernet-token")
    assert knowledge_search(QUERY, TERMS).lines == ["GitHub issues: its token cannot be read: enter it again in admin"]
    assert len(responses.calls) == 0
